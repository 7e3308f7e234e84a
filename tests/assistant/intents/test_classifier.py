"""The classifier object: fitting, save/load round trip, load_or_train, error paths."""

from __future__ import annotations

import json

import numpy as np
import pytest

from assistant.intents.base import INTENT_LABELS, IntentContext, IntentPrediction
from assistant.intents.classifier import TrainedIntentClassifier, needs_clarification
from assistant.intents.errors import IntentModelError
from assistant.intents.features import FeatureBuilder, FeatureConfig
from assistant.intents.network import IntentNetwork, NetworkConfig
from assistant.intents.storage import CONFIG_FILE, WEIGHTS_FILE
from assistant.intents.training import TrainingConfig
from tests.assistant.intents.conftest import HashEmbedder, tiny_rows

pytestmark = pytest.mark.unit
FAST = TrainingConfig(epochs=30, hidden_dim=16, learning_rate=0.01, batch_size=16)
SMALL = FeatureConfig(hash_buckets=256)
PROBES = ["cheaper", "where is my order", "我想退货", "compare them", "", "🙂" * 50]


@pytest.fixture(scope="module")
def tiny_model() -> TrainedIntentClassifier:
    rows = tiny_rows()
    vectors = HashEmbedder().embed([r.text for r in rows])
    return TrainedIntentClassifier.fit(rows, vectors, SMALL, FAST, calibrate=False)


def _predictions(model: TrainedIntentClassifier) -> list[IntentPrediction]:
    vectors = HashEmbedder().embed(PROBES)
    context = IntentContext(has_results=True, previous_intent="search")
    return [model.predict(t, v, context) for t, v in zip(PROBES, vectors, strict=True)]


def test_save_load_round_trip_gives_identical_predictions(tiny_model, tmp_path):
    tiny_model.save(tmp_path / "model", {"rows": 48})
    loaded = TrainedIntentClassifier.load(tmp_path / "model")
    assert loaded.temperature == tiny_model.temperature
    assert loaded.features.config == SMALL
    assert loaded.training == FAST
    assert _predictions(loaded) == _predictions(tiny_model)
    saved = json.loads((tmp_path / "model" / CONFIG_FILE).read_text())
    assert saved["labels"] == list(INTENT_LABELS) and saved["trained_on"] == {"rows": 48}
    assert saved["features"]["hash_buckets"] == 256 and saved["network"]["hidden_dim"] == 16


def test_fitting_twice_gives_the_same_model(tiny_model):
    rows = tiny_rows()
    vectors = HashEmbedder().embed([r.text for r in rows])
    again = TrainedIntentClassifier.fit(rows, vectors, SMALL, FAST, calibrate=False)
    assert _predictions(again) == _predictions(tiny_model)


def test_prediction_is_a_distribution_over_all_labels(tiny_model):
    for prediction in _predictions(tiny_model):
        assert set(prediction.scores) == set(INTENT_LABELS)
        assert sum(prediction.scores.values()) == pytest.approx(1.0)
        assert prediction.confidence == pytest.approx(max(prediction.scores.values()))
        assert prediction.scores[prediction.label] == prediction.confidence


def test_the_tiny_model_fits_its_own_training_rows(tiny_model):
    rows = tiny_rows()
    vectors = HashEmbedder().embed([r.text for r in rows])
    probs = tiny_model.predict_proba([r.text for r in rows], vectors, [r.context for r in rows])
    predicted = [INTENT_LABELS[i] for i in probs.argmax(1)]
    accuracy = np.mean([p == r.label for p, r in zip(predicted, rows, strict=True)])
    assert accuracy > 0.9


def test_wrong_embedding_size_is_a_model_error(tiny_model):
    with pytest.raises(IntentModelError, match="384"):
        tiny_model.predict("hi", np.zeros(10, np.float32), IntentContext())


def test_constructor_validates_its_parts():
    builder = FeatureBuilder(SMALL)
    good = NetworkConfig(input_dim=SMALL.input_dim, n_labels=len(INTENT_LABELS), hidden_dim=0)
    with pytest.raises(ValueError, match="temperature"):
        TrainedIntentClassifier(IntentNetwork(good), builder, temperature=0)
    wrong_input = good.model_copy(update={"input_dim": 7})
    with pytest.raises(ValueError, match="input size"):
        TrainedIntentClassifier(IntentNetwork(wrong_input), builder)
    wrong_labels = FeatureBuilder(SMALL.model_copy(update={"labels": ("a", "b")}))
    with pytest.raises(ValueError, match="labels"):
        TrainedIntentClassifier(IntentNetwork(good), wrong_labels)


def test_loading_a_missing_or_broken_model_is_a_model_error(tiny_model, tmp_path):
    with pytest.raises(IntentModelError, match="no intent model"):
        TrainedIntentClassifier.load(tmp_path / "missing")
    target = tmp_path / "model"
    tiny_model.save(target)
    (target / WEIGHTS_FILE).write_bytes(b"not safetensors")
    with pytest.raises(IntentModelError, match="could not load"):
        TrainedIntentClassifier.load(target)
    tiny_model.save(target)
    config = json.loads((target / CONFIG_FILE).read_text())
    config["network"]["hidden_dim"] = 32  # weights no longer fit the shape
    (target / CONFIG_FILE).write_text(json.dumps(config))
    with pytest.raises(IntentModelError, match="could not load"):
        TrainedIntentClassifier.load(target)


def test_load_or_train_trains_saves_then_loads(tiny_data, tmp_path, hash_embedder, monkeypatch):
    monkeypatch.setattr("assistant.intents.classifier.TrainingConfig", lambda: FAST, raising=True)
    target = tmp_path / "model"
    trained = TrainedIntentClassifier.load_or_train(
        target, hash_embedder, tiny_data, cache_dir=tmp_path / "cache"
    )
    assert (target / WEIGHTS_FILE).is_file() and (target / CONFIG_FILE).is_file()
    assert hash_embedder.calls == 1
    loaded = TrainedIntentClassifier.load_or_train(target, hash_embedder, tiny_data)
    assert hash_embedder.calls == 1, "an existing model is loaded, not retrained"
    assert _predictions(loaded) == _predictions(trained)
    summary = json.loads((target / CONFIG_FILE).read_text())["trained_on"]
    assert summary["rows"] == 50 and summary["bitext_rows"] == 2


def test_needs_clarification():
    low = IntentPrediction(label="search", confidence=0.3, scores={})
    high = IntentPrediction(label="search", confidence=0.9, scores={})
    assert needs_clarification(low, 0.5) and not needs_clarification(high, 0.5)


def test_classifier_from_settings_uses_the_configured_model(tiny_model, tmp_path, hash_embedder):
    from assistant.config import Settings
    from assistant.intents.classifier import classifier_from_settings

    tiny_model.save(tmp_path / "model")
    settings = Settings(intent_model_path=tmp_path / "model", intent_data_path=tmp_path / "none")
    loaded = classifier_from_settings(settings, hash_embedder)
    assert hash_embedder.calls == 0
    assert _predictions(loaded) == _predictions(tiny_model)
