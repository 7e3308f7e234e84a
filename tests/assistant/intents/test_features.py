"""Feature extraction: deterministic, stable across processes, robust to odd input."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from pydantic import ValidationError

from assistant.intents.base import INTENT_LABELS, IntentContext
from assistant.intents.features import FeatureBuilder, FeatureConfig, char_ngrams, normalise_text

pytestmark = pytest.mark.unit


@pytest.fixture
def builder() -> FeatureBuilder:
    return FeatureBuilder(FeatureConfig())


def test_same_input_gives_identical_vectors_across_builders(builder):
    vector = np.random.default_rng(0).standard_normal(384).astype(np.float32)
    context = IntentContext(has_results=True, previous_intent="search")
    first = builder.build("Only HP, under $500 please 我想要", vector, context)
    second = FeatureBuilder(FeatureConfig()).build(
        "Only HP, under $500 please 我想要", vector, context
    )
    assert first.dtype == np.float32
    assert np.array_equal(first, second)


def test_hashing_is_pinned_so_the_shipped_model_stays_valid(builder):
    # crc32 buckets do not depend on PYTHONHASHSEED or the platform; if this digest changes,
    # the feature layout changed and the shipped model must be retrained (`shopbot intents train`).
    lexical = builder.lexical("Only HP, under $500 please")
    buckets = np.flatnonzero(lexical).tolist()
    assert len(buckets) > 40
    digest = hashlib.sha256(str(buckets).encode()).hexdigest()[:16]
    assert digest == PINNED_DIGEST


PINNED_DIGEST = "be7894dc35f13850"


def test_lexical_block_is_unit_length_and_empty_text_is_zero(builder):
    assert np.linalg.norm(builder.lexical("cheaper")) == pytest.approx(1.0, abs=1e-6)
    assert not builder.lexical("").any()
    assert not builder.lexical("\x00\x01\u200b").any()


def test_normalise_text_folds_case_digits_controls_and_spaces():
    assert normalise_text("  Under\t$1,299\x00 NOW ", 100) == "under $0,000 now"
    assert normalise_text("ＨＰ　ｌａｐｔｏｐ", 100) == "hp laptop"  # NFKC folds full-width forms
    assert len(normalise_text("x" * 5000, 400)) == 400


def test_char_and_word_ngrams():
    config = FeatureConfig(ngram_min=2, ngram_max=3, word_ngram_max=2)
    grams = char_ngrams("only HP", config)
    assert {" o", "on", "onl", "hp ", "|only", "|hp", "|only hp"} <= set(grams)
    assert "|only hp laptop" not in grams
    chinese = char_ngrams("我想退货", config)
    assert {"退货", "想退货"} <= set(chinese)


def test_context_block_one_hot(builder):
    config = builder.config
    none = builder.context(IntentContext())
    assert none[0] == 0 and none[1 + len(INTENT_LABELS)] == 1 and none.sum() == 1
    shown = builder.context(IntentContext(has_results=True, previous_intent="compare"))
    assert shown[0] == 1 and shown[1 + INTENT_LABELS.index("compare")] == 1 and shown.sum() == 2
    assert len(shown) == config.context_dim


def test_build_checks_the_embedding_size_and_tolerates_nan(builder):
    with pytest.raises(ValueError, match="384"):
        builder.build("hi", np.zeros(100, np.float32), IntentContext())
    vector = np.full(384, np.nan, dtype=np.float32)
    assert np.isfinite(builder.build("hi", vector, IntentContext())).all()


def test_build_batch_matches_build_and_checks_lengths(builder):
    vectors = np.random.default_rng(1).standard_normal((2, 384)).astype(np.float32)
    contexts = [IntentContext(), IntentContext(has_results=True)]
    batch = builder.build_batch(["cheaper", "hi"], vectors, contexts)
    assert np.array_equal(batch[1], builder.build("hi", vectors[1], contexts[1]))
    with pytest.raises(ValueError):
        builder.build_batch(["one"], vectors, contexts)


def test_config_is_validated():
    with pytest.raises(ValidationError):
        FeatureConfig(ngram_min=4, ngram_max=2)
    with pytest.raises(ValidationError):
        FeatureConfig(hash_buckets=0)
    with pytest.raises(ValueError):
        FeatureBuilder("not a config")  # type: ignore[arg-type]
