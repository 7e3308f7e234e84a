"""The CTR modules: shapes, registry, masking of the history, position tower."""

from __future__ import annotations

import pytest
import torch

from ranking.models import MODELS, ModelConfig, TensorBatch, build_model
from ranking.models.deep import HistoryAttention

pytestmark = pytest.mark.unit

CONFIG = ModelConfig(numeric_dim=5, cardinalities=[3, 4, 5], max_position=10, vector_dim=8)


def _batch(rows: int = 6, history: int = 4, seed: int = 0) -> TensorBatch:
    g = torch.Generator().manual_seed(seed)
    mask = torch.zeros(rows, history, dtype=torch.bool)
    mask[:, :2] = True
    vectors = torch.cat([torch.randn(2 * rows + 2, 8, generator=g), torch.zeros(1, 8)])
    history_index = torch.full((rows, history), 2 * rows + 2)
    history_index[:, :2] = torch.tensor([2 * rows, 2 * rows + 1])
    return TensorBatch(
        numeric=torch.randn(rows, 5, generator=g),
        categorical=torch.randint(0, 3, (rows, 3), generator=g),
        positions=torch.randint(1, 11, (rows,), generator=g),
        cosine=torch.rand(rows, generator=g),
        vectors=vectors,
        query_index=torch.arange(rows),
        candidate_index=torch.arange(rows, 2 * rows),
        history_index=history_index,
        history_mask=mask,
    )


@pytest.mark.parametrize("name", sorted(MODELS))
def test_every_model_gives_one_finite_logit_per_row(name: str) -> None:
    torch.manual_seed(0)
    logits = build_model(name, CONFIG).eval()(_batch())
    assert logits.shape == (6,) and torch.isfinite(logits).all()


def test_unknown_model_name_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown CTR model"):
        build_model("gbdt", CONFIG)


def test_attention_ignores_padded_history_items() -> None:
    torch.manual_seed(0)
    attention = HistoryAttention(8, 16)
    batch = _batch()
    history = batch.vectors[batch.history_index]
    candidate = batch.vectors[batch.candidate_index]
    noisy = history.clone()
    noisy[:, 2:] = torch.randn_like(noisy[:, 2:]) * 100  # garbage where the mask is False
    a = attention(history, candidate, batch.history_mask)
    b = attention(noisy, candidate, batch.history_mask)
    torch.testing.assert_close(a, b)


def test_deep_model_uses_history_and_position() -> None:
    torch.manual_seed(0)
    model = build_model("deep", CONFIG).eval()
    with torch.no_grad():  # as after training: no zero-initialised layer left
        for parameter in model.parameters():
            parameter.normal_(0, 0.5)
    batch = _batch()
    base = model(batch)
    no_history = TensorBatch(
        **{**batch.__dict__, "history_mask": torch.zeros_like(batch.history_mask)}
    )
    moved = TensorBatch(**{**batch.__dict__, "positions": torch.ones_like(batch.positions)})
    assert not torch.allclose(base, model(no_history))
    assert not torch.allclose(base, model(moved))


def test_untrained_deep_model_starts_as_its_wide_logistic_part() -> None:
    torch.manual_seed(0)
    model = build_model("deep", CONFIG).eval()
    batch = _batch()
    wide = model.wide(batch.numeric).squeeze(-1)  # the one-hot and position weights start at 0
    torch.testing.assert_close(model(batch), wide)


def test_baseline_is_a_scaled_cosine() -> None:
    model = build_model("baseline", CONFIG)
    batch = _batch()
    torch.testing.assert_close(model(batch), model.scale * batch.cosine + model.bias)


def test_all_rows_over_the_own_table_score_as_gathered_minibatches() -> None:
    import numpy as np

    from ranking.features import FeatureBatch
    from ranking.models import BatchTensors

    rng = np.random.default_rng(1)
    rows, width = 7, 10
    history = np.full((rows, width), -1, dtype=np.int64)
    history[:, :3] = rng.integers(8, 11, size=(rows, 3))  # trailing columns are all padding
    history[2] = -1  # a row without history
    batch = FeatureBatch(
        numeric=rng.normal(size=(rows, 5)).astype(np.float32),
        categorical=rng.integers(0, 3, size=(rows, 3)),
        positions=rng.integers(1, 11, size=rows),
        cosine=rng.random(rows).astype(np.float32),
        vectors=rng.normal(size=(12, 8)).astype(np.float32),  # row 11 is used by no row
        query_index=np.zeros(rows, dtype=np.int64),
        candidate_index=np.arange(1, rows + 1, dtype=np.int64),
        history_index=history,
    )
    torch.manual_seed(0)
    model = build_model("deep", CONFIG).eval()
    tensors = BatchTensors(batch)
    whole, gathered = tensors.all(), tensors.rows(np.arange(rows))
    assert whole.history_index.shape == gathered.history_index.shape == (rows, 3)
    with torch.no_grad():
        torch.testing.assert_close(model(whole), model(gathered))
