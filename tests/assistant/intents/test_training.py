"""Training: deterministic, class-weighted, context assignment, temperature fitting."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from assistant.intents.data import LabelledUtterance
from assistant.intents.training import (
    TrainingConfig,
    class_weights,
    fit_temperature,
    predict_logits,
    softmax,
    train_network,
    training_context,
)

pytestmark = pytest.mark.unit
FAST = TrainingConfig(epochs=5, hidden_dim=8, batch_size=8)


def _toy(n_per_class: int = 10, dim: int = 6, seed: int = 0):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((3, dim)) * 3
    y = np.repeat(np.arange(3), n_per_class)
    x = (centres[y] + rng.standard_normal((len(y), dim))).astype(np.float32)
    return x, y


def test_same_seed_gives_identical_weights_and_a_different_seed_does_not():
    x, y = _toy()
    first = train_network(x, y, 3, FAST)
    second = train_network(x, y, 3, FAST)
    other = train_network(x, y, 3, FAST.model_copy(update={"seed": 99}))
    for (name, a), b in zip(first.state_dict().items(), second.state_dict().values(), strict=True):
        assert torch.equal(a, b), name
    pairs = zip(first.parameters(), other.parameters(), strict=True)
    assert any(not torch.equal(a, c) for a, c in pairs)


def test_training_learns_separable_data_and_restores_threads():
    x, y = _toy(n_per_class=20)
    threads = torch.get_num_threads()
    net = train_network(x, y, 3, TrainingConfig(epochs=40, hidden_dim=0, learning_rate=0.05))
    assert torch.get_num_threads() == threads
    assert (predict_logits(net, x).argmax(axis=1) == y).mean() > 0.9


def test_training_rejects_misaligned_input():
    x, y = _toy()
    with pytest.raises(ValueError):
        train_network(x, y[:-1], 3, FAST)
    with pytest.raises(ValueError):
        train_network(x[:0], y[:0], 3, FAST)


def test_class_weights():
    y = np.array([0, 0, 0, 1])
    assert torch.allclose(class_weights(y, 2, 0.0), torch.ones(2))
    balanced = class_weights(y, 2, 1.0)
    assert balanced.tolist() == pytest.approx([4 / 6, 2.0])
    assert class_weights(y, 2, 0.5).tolist() == pytest.approx([(4 / 6) ** 0.5, 2**0.5])


def test_fit_temperature_recovers_a_known_temperature():
    rng = np.random.default_rng(3)
    logits = rng.standard_normal((4000, 5)).astype(np.float32) * 3
    probs = softmax(logits, temperature=2.0)
    y = np.array([rng.choice(5, p=p) for p in probs])
    assert fit_temperature(logits, y) == pytest.approx(2.0, rel=0.15)


def test_softmax_rows_sum_to_one_even_for_huge_logits():
    probs = softmax(np.array([[1e4, 0.0, -1e4]], dtype=np.float32))
    assert np.isfinite(probs).all() and probs.sum() == pytest.approx(1.0)


def _row(text: str, label: str, source: str = "store", **kw: object) -> LabelledUtterance:
    return LabelledUtterance(text=text, label=label, source=source, **kw)  # type: ignore[arg-type]


def test_training_context_is_deterministic_and_keeps_written_context():
    refine = _row("cheaper", "refine", has_results=True)
    assert training_context(refine) == training_context(refine)
    assert training_context(refine).has_results is True
    bare = _row("cheaper", "refine", has_results=False)
    assert training_context(bare).has_results is False
    follow_up = _row("and the third?", "product_question", previous_intent="product_question")
    assert training_context(follow_up).previous_intent == "product_question"


def test_training_context_varies_has_results_where_it_does_not_decide_the_label():
    bitext = [_row(f"where is order {i}", "order_status", source="bitext") for i in range(400)]
    share = np.mean([training_context(r).has_results for r in bitext])
    assert 0.2 < share < 0.4
    compare = [_row(f"compare {i} and {i + 1}", "compare", has_results=True) for i in range(400)]
    flipped = np.mean([not training_context(r).has_results for r in compare])
    assert 0.2 < flipped < 0.4
    search = [_row(f"laptop {i}", "search") for i in range(100)]
    assert not any(training_context(r).has_results for r in search)
