"""Property-based tests: the classifier takes any text and always answers with a valid label."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.intents.base import INTENT_LABELS, IntentContext
from assistant.intents.classifier import SHIPPED_MODEL_DIR, TrainedIntentClassifier
from assistant.intents.features import FeatureBuilder, FeatureConfig, normalise_text

FRAGMENTS = [
    "😀", "👍🏽", "🇨🇳", "\x00", "\x07", "\x1b[31m", "\u200b", "\u202e", "\ufeff", "\r\n", "\t",
    "我想退货", "便宜一点的", "只要惠普", "Привет", "مرحبا", "שלום", "こんにちは", "한국어",
    "ñandú",
    "$500", "1k", "between 300 and 600", "only HP", "compare the first two", "'; DROP TABLE--",
    "<script>alert(1)</script>", "\\u0000", "%s%n", "ＨＰ", "e\u0301", "\U0001f9d1\u200d\U0001f4bb",
]  # fmt: skip
mixed_text = st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.text(max_size=20)), max_size=30).map(
    "".join
)
long_text = st.tuples(st.text(min_size=1, max_size=40), st.integers(50, 120)).map(
    lambda pair: (pair[0] * pair[1])[:2500]
)
any_text = st.one_of(st.text(), mixed_text, long_text)
contexts = st.builds(
    IntentContext,
    has_results=st.booleans(),
    previous_intent=st.one_of(st.none(), st.sampled_from(INTENT_LABELS)),
)
VECTOR = np.random.default_rng(7).standard_normal(384).astype(np.float32)
VECTOR /= np.linalg.norm(VECTOR)


@pytest.fixture(scope="module")
def shipped() -> TrainedIntentClassifier:
    return TrainedIntentClassifier.load(SHIPPED_MODEL_DIR)


def _check(prediction) -> None:
    assert prediction.label in INTENT_LABELS
    assert 0.0 <= prediction.confidence <= 1.0
    assert set(prediction.scores) == set(INTENT_LABELS)
    assert all(0.0 <= p <= 1.0 for p in prediction.scores.values())
    assert math.isclose(sum(prediction.scores.values()), 1.0, rel_tol=1e-6)


@pytest.mark.unit
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text, context=contexts)
def test_predict_never_raises_and_returns_a_valid_label(shipped, text, context):
    _check(shipped.predict(text, VECTOR, context))


@pytest.mark.unit
@settings(max_examples=50, deadline=None)
@given(text=any_text, scale=st.sampled_from([0.0, 1e-30, 1e30, float("nan"), float("inf")]))
def test_predict_survives_degenerate_vectors(shipped, text, scale):
    with np.errstate(all="ignore"):
        vector = (VECTOR * scale).astype(np.float32)
    _check(shipped.predict(text, vector, IntentContext()))


@pytest.mark.unit
@settings(max_examples=200, deadline=None)
@given(text=any_text)
def test_feature_text_is_bounded_and_printable(text):
    config = FeatureConfig()
    normalised = normalise_text(text, config.max_chars)
    assert len(normalised) <= config.max_chars
    assert not any(c in normalised for c in "\x00\x07\x1b\u200b\u202e\ufeff\n\t")
    assert np.isfinite(FeatureBuilder(config).lexical(text)).all()


@pytest.mark.integration
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text, context=contexts)
def test_predict_with_the_real_embedding(shipped, embedder, text, context):
    _check(shipped.predict(text, embedder.embed([text])[0], context))
