"""The trained intent classifier: features → small torch network → temperature-scaled softmax.

Example:
    >>> clf = TrainedIntentClassifier.load(SHIPPED_MODEL_DIR)
    >>> vector = embedder.embed(["only HP"])[0]  # doctest: +SKIP
    >>> clf.predict("only HP", vector, IntentContext(has_results=True)).label  # doctest: +SKIP
    'refine'
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt

from assistant.config import REPO_ROOT, Settings
from assistant.intents.base import INTENT_LABELS, IntentContext, IntentPrediction
from assistant.intents.data import (
    DEFAULT_DATA_DIR,
    LabelledUtterance,
    load_training_set,
    training_summary,
)
from assistant.intents.embedding_cache import EmbeddingCache
from assistant.intents.errors import IntentModelError
from assistant.intents.features import FeatureBuilder, FeatureConfig
from assistant.intents.network import IntentNetwork, NumpyIntentNetwork
from assistant.intents.storage import SavedModelConfig, load_model, model_exists, save_model
from assistant.intents.training import (
    TrainingConfig,
    fit_temperature,
    predict_logits,
    softmax,
    train_network,
    training_context,
)
from retrieval.embedder import Embedder

log = logging.getLogger(__name__)

SHIPPED_MODEL_DIR = Path(__file__).resolve().parent / "model"
CALIBRATION_SHARE = 0.15  # of the training rows, held out to fit the temperature


class TrainedIntentClassifier:
    """Implements the ``IntentClassifier`` protocol with a trained network.

    Build one with :meth:`fit` (from labelled rows and their embeddings), :meth:`load`
    (a saved model) or :meth:`load_or_train` (the app: load, else train from
    ``data/intents`` and save). ``temperature`` rescales the logits so confidences are
    roughly calibrated; callers ask a clarifying question below their own threshold.

    Example:
        >>> clf = TrainedIntentClassifier.load(SHIPPED_MODEL_DIR)
        >>> clf.labels[:2]
        ('search', 'refine')
    """

    def __init__(
        self,
        network: IntentNetwork,
        features: FeatureBuilder,
        temperature: float = 1.0,
        training: TrainingConfig | None = None,
    ) -> None:
        if temperature <= 0:
            raise ValueError("temperature must be positive")
        if tuple(features.config.labels) != INTENT_LABELS:
            raise ValueError("the feature config's labels must be INTENT_LABELS, in order")
        if network.config.input_dim != features.config.input_dim:
            raise ValueError("network input size does not match the feature size")
        if network.config.n_labels != len(INTENT_LABELS):
            raise ValueError("network output size does not match the label set")
        self.network = network.eval()
        self._forward = NumpyIntentNetwork(self.network)
        self.features = features
        self.temperature = float(temperature)
        self.training = training
        self.labels = INTENT_LABELS

    def predict(
        self, text: str, vector: npt.NDArray[np.float32], context: IntentContext
    ) -> IntentPrediction:
        """Classify one turn; ``vector`` is the MiniLM embedding of ``text``."""
        try:
            row = self.features.build(text, vector, context)
        except ValueError as e:
            raise IntentModelError(str(e)) from e
        probs = self._probabilities(row[None, :])[0]
        best = int(np.argmax(probs))
        return IntentPrediction(
            label=self.labels[best],
            confidence=min(1.0, max(0.0, float(probs[best]))),
            scores={label: float(p) for label, p in zip(self.labels, probs, strict=True)},
        )

    def predict_proba(
        self,
        texts: Sequence[str],
        vectors: npt.NDArray[np.float32],
        contexts: Sequence[IntentContext],
    ) -> npt.NDArray[np.float64]:
        """Probabilities (rows: turns, columns: :data:`INTENT_LABELS`) for a batch."""
        return self._probabilities(self.features.build_batch(texts, vectors, contexts))

    def _probabilities(self, features: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        return softmax(self._forward(features), self.temperature)

    @classmethod
    def fit(
        cls,
        rows: Sequence[LabelledUtterance],
        vectors: npt.NDArray[np.float32],
        feature_config: FeatureConfig | None = None,
        training: TrainingConfig | None = None,
        *,
        calibrate: bool = True,
    ) -> TrainedIntentClassifier:
        """Train on ``rows`` (with their embeddings ``vectors``), deterministically.

        With ``calibrate``, a first model trained on a stratified 85% fits the temperature on
        the other 15%; the returned model is then trained on all rows.
        """
        training = training or TrainingConfig()
        builder = FeatureBuilder(feature_config or FeatureConfig(embedding_dim=vectors.shape[1]))
        contexts = [training_context(row, training.seed) for row in rows]
        x = builder.build_batch([r.text for r in rows], vectors, contexts)
        y = np.array([INTENT_LABELS.index(r.label) for r in rows], dtype=np.int64)
        temperature = _held_out_temperature(x, y, training) if calibrate else 1.0
        network = train_network(x, y, len(INTENT_LABELS), training)
        log.info("trained intent model on %d rows (temperature %.2f)", len(rows), temperature)
        return cls(network, builder, temperature, training)

    def save(self, directory: Path, trained_on: dict[str, int | str] | None = None) -> None:
        """Write ``intent_model.safetensors`` and ``intent_model.json`` into ``directory``."""
        config = SavedModelConfig(
            labels=self.labels,
            features=self.features.config,
            network=self.network.config,
            temperature=self.temperature,
            training=self.training,
            trained_on=trained_on or {},
        )
        save_model(directory, self.network, config)

    @classmethod
    def load(cls, directory: Path = SHIPPED_MODEL_DIR) -> TrainedIntentClassifier:
        """Rebuild a saved model; raises :class:`IntentModelError` if it is missing or broken."""
        network, config = load_model(directory)
        if config.labels != INTENT_LABELS:
            raise IntentModelError(f"{directory}: model labels differ from INTENT_LABELS")
        try:
            builder = FeatureBuilder(config.features)
            return cls(network, builder, config.temperature, config.training)
        except ValueError as e:
            raise IntentModelError(f"{directory}: inconsistent model: {e}") from e

    @classmethod
    def load_or_train(
        cls,
        directory: Path,
        embedder: Embedder,
        data_dir: Path = DEFAULT_DATA_DIR,
        cache_dir: Path | None = None,
    ) -> TrainedIntentClassifier:
        """Load the model in ``directory``; if there is none, train it from ``data_dir`` and save.

        A fresh clone works either way: the shipped model is used when present, otherwise
        training takes ~20 s of embedding plus a few seconds of fitting. A model that exists but
        cannot be loaded is an error, not a reason to silently retrain.
        """
        if model_exists(directory):
            return cls.load(directory)
        log.warning("no intent model in %s: training one from %s", directory, data_dir)
        rows = load_training_set(data_dir)
        vectors = EmbeddingCache(embedder, cache_dir).embed([r.text for r in rows])
        model = cls.fit(rows, vectors)
        try:
            model.save(directory, training_summary(rows, data_dir))
        except IntentModelError as e:
            log.warning("trained intent model not saved: %s", e)
        return model


def _held_out_temperature(
    x: npt.NDArray[np.float32], y: npt.NDArray[np.int64], training: TrainingConfig
) -> float:
    from sklearn.model_selection import train_test_split

    counts = np.bincount(y)
    present = int((counts > 0).sum())
    if counts[counts > 0].min() < 2 or int(len(y) * CALIBRATION_SHARE) < present:
        log.warning("too few rows per label to fit a temperature; keeping 1.0")
        return 1.0
    fit_idx, held_idx = train_test_split(
        np.arange(len(y)), test_size=CALIBRATION_SHARE, stratify=y, random_state=training.seed
    )
    network = train_network(x[fit_idx], y[fit_idx], len(INTENT_LABELS), training)
    return fit_temperature(predict_logits(network, x[held_idx]), y[held_idx])


def needs_clarification(prediction: IntentPrediction, min_confidence: float) -> bool:
    """Whether the caller should ask a clarifying question instead of acting on the label."""
    return prediction.confidence < min_confidence


def classifier_from_settings(settings: Settings, embedder: Embedder) -> TrainedIntentClassifier:
    """The app's classifier: ``settings.intent_model_path``, trained there first if missing.

    Example:
        >>> clf = classifier_from_settings(Settings(), services.embedder)  # doctest: +SKIP
    """
    return TrainedIntentClassifier.load_or_train(
        settings.intent_model_path,
        embedder,
        settings.intent_data_path,
        cache_dir=REPO_ROOT / "var" / "intents",
    )
