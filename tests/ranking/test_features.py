"""Skip features: products the session was shown and did not act on (negative feedback)."""

from __future__ import annotations

from decimal import Decimal

import numpy as np
import pytest

from ranking.features import (
    NUMERIC_FEATURES,
    HistoryItem,
    RankInputs,
    SessionHistory,
    ShownBefore,
    raw_features,
)
from retrieval.catalog.product import Product
from retrieval.search import Candidate

pytestmark = pytest.mark.unit

DIM = 3


def _candidate(pid: str, brand: str, rank: int) -> Candidate:
    product = Product(id=pid, title=f"{brand} {pid}", brand=brand, category="laptop",
                      price=Decimal("500"))  # fmt: skip
    return Candidate(product=product, score=1.0 / rank, rank=rank)


def _shown(pid: str, brand: str, position: int) -> ShownBefore:
    return ShownBefore(product_id=pid, brand=brand, position=position)


def _column(raw_numeric: np.ndarray, name: str) -> list[float]:
    return [round(float(v), 6) for v in raw_numeric[:, NUMERIC_FEATURES.index(name)]]


def test_skipped_products_are_shown_ones_never_acted_on_counted_with_their_best_position() -> None:
    history = SessionHistory(
        items=[HistoryItem(product_id="b", brand="HP", category="laptop", price=1.0,
                           event="click")],
        shown=[_shown("a", "Acer", 4), _shown("b", "HP", 1), _shown("c", "Acer", 2),
               _shown("a", "Acer", 2), _shown("b", "HP", 3)],
    )  # fmt: skip
    skipped = history.skipped()
    assert [(s.product_id, s.times, s.best_position) for s in skipped] == [("a", 2, 2), ("c", 1, 2)]
    assert SessionHistory().skipped() == []


def test_skip_columns_measure_own_skips_brand_skips_and_similarity_to_other_skips() -> None:
    x, y, z = np.eye(DIM, dtype=np.float32)
    diagonal = (x + y) / np.linalg.norm(x + y)
    history = SessionHistory(
        shown=[_shown("seen", "Acer", 1), _shown("seen", "Acer", 5), _shown("other", "Dell", 4)]
    )
    candidates = [_candidate("seen", "Acer", 1), _candidate("new", "Acer", 2),
                  _candidate("far", "Asus", 3)]  # fmt: skip
    inputs = RankInputs(
        query_vector=z,
        candidates=candidates,
        product_vectors=np.stack([x, diagonal, z]),
        history=history,
        skipped_vectors=np.stack([x, y]),  # "seen", "other": the order of history.skipped()
    )
    numeric = raw_features(inputs).numeric
    assert _column(numeric, "seen_skipped") == [round(np.log1p(2), 6), 0.0, 0.0]
    assert _column(numeric, "seen_skipped_top") == [1.0, 0.0, 0.0]
    assert _column(numeric, "brand_skipped") == [round(np.log1p(1), 6)] * 2 + [0.0]
    s = round(float(diagonal @ x), 6)
    # "seen" is compared with "other" only (not with itself); "new" with both.
    assert _column(numeric, "skipped_max_sim") == [0.0, s, 0.0]
    assert _column(numeric, "skipped_mean_sim") == [0.0, s, 0.0]
    assert _column(numeric, "skipped_count") == [round(np.log1p(2), 6)] * 3


def test_without_skips_the_columns_are_zero_and_missing_vectors_are_an_error() -> None:
    x, y, _ = np.eye(DIM, dtype=np.float32)
    candidates = [_candidate("a", "Acer", 1)]
    empty = RankInputs(query_vector=x, candidates=candidates, product_vectors=x[None, :])
    skip_names = [n for n in NUMERIC_FEATURES if "skip" in n]
    assert len(skip_names) == 6
    assert all(_column(raw_features(empty).numeric, n) == [0.0] for n in skip_names)
    history = SessionHistory(shown=[_shown("b", "Dell", 1)])
    missing = empty.model_copy(update={"history": history})
    with pytest.raises(ValueError, match="skipped_vectors"):
        raw_features(missing)
    found = missing.model_copy(update={"skipped_vectors": y[None, :]})
    assert _column(raw_features(found).numeric, "skipped_count") == [round(np.log1p(1), 6)]
