"""Personal reasons are true: each one is checked against the features it claims."""

from __future__ import annotations

import re
from decimal import Decimal

import numpy as np
import pytest

from ranking.features import HistoryItem, RankInputs, SessionHistory, raw_features
from ranking.popularity import PopularityTable, ProductCounts
from ranking.reasons import ReasonSettings, personal_reasons
from retrieval.catalog.product import Product
from retrieval.search import Candidate

pytestmark = pytest.mark.unit

RNG = np.random.default_rng(3)
DIM = 32


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v)).astype(np.float32)


def _product(pid: str, brand: str, category: str = "laptop") -> Product:
    return Product(id=pid, title=f"{brand} {pid}", brand=brand, category=category,
                   price=Decimal("600"))  # fmt: skip


def _world() -> tuple[list[Product], np.ndarray, SessionHistory, np.ndarray, PopularityTable]:
    opened = _unit(RNG.normal(size=DIM))
    products = [
        _product("near", "Acer"),  # close to the opened Lenovo, other brand
        _product("same-brand", "Lenovo"),  # far in meaning, but the brand was opened
        _product("opened", "Lenovo"),  # the opened product itself
        _product("popular", "Asus"),  # clicked a lot by others
        _product("plain", "Dell"),  # nothing personal
        _product("mouse", "Logitech", "mouse"),
    ]
    vectors = np.stack(
        [
            _unit(opened + 0.05 * RNG.normal(size=DIM)),
            _unit(RNG.normal(size=DIM)),
            opened,
            _unit(RNG.normal(size=DIM)),
            _unit(RNG.normal(size=DIM)),
            _unit(RNG.normal(size=DIM)),
        ]
    )
    history = SessionHistory(
        items=[HistoryItem(product_id="opened", brand="Lenovo", category="laptop", price=799,
                           event="click")],
        shown_prices=[600.0, 799.0],
    )  # fmt: skip
    table = PopularityTable.from_counts(
        {"popular": ProductCounts("laptop", 200, 60), "plain": ProductCounts("laptop", 200, 4),
         "near": ProductCounts("laptop", 5, 5), "same-brand": ProductCounts("laptop", 200, 10)},
    )  # fmt: skip
    return products, vectors, history, vectors[2:3], table


def test_each_reason_holds_for_the_features_of_its_product() -> None:
    products, vectors, history, history_vectors, table = _world()
    settings = ReasonSettings(similarity=0.8, min_impressions=20, max_reasons=3)
    reasons = personal_reasons(products, vectors, history, history_vectors, table, settings)
    inputs = RankInputs(
        query_vector=vectors[0],
        candidates=[Candidate(product=p, score=1.0, rank=i + 1) for i, p in enumerate(products)],
        product_vectors=vectors,
        history=history,
        history_vectors=history_vectors,
    )
    features = raw_features(inputs).reasons
    for i, (product, said) in enumerate(zip(products, reasons, strict=True)):
        for reason in said:
            if reason.startswith("similar to the "):
                assert reason == "similar to the Lenovo laptop you opened"
                assert product.id != "opened"
                assert features["history_similarity"][i] >= settings.similarity
            elif reason.startswith("you've been looking at "):
                assert reason.endswith(product.brand)
                assert features["brand_clicked"][i] >= 1
            elif reason.startswith("popular with "):
                assert table.impressions_of(product.id) >= settings.min_impressions
                median = table.category_median(product.category, settings.min_impressions)
                assert median is not None and table.product_ctr(product.id) > median
            else:
                assert reason == "you opened it earlier" and product.id == "opened"
    by_id = dict(zip([p.id for p in products], reasons, strict=True))
    assert by_id["near"] == ["similar to the Lenovo laptop you opened"]  # 5 impressions: too few
    assert by_id["same-brand"] == ["you've been looking at Lenovo"]
    assert by_id["opened"] == ["you opened it earlier", "you've been looking at Lenovo"]
    assert by_id["popular"] == ["popular with laptop shoppers"]
    assert by_id["plain"] == [] and by_id["mouse"] == []


def test_no_history_and_no_log_give_no_personal_reasons() -> None:
    products, vectors, _, _, _ = _world()
    reasons = personal_reasons(
        products, vectors, SessionHistory(), np.zeros((0, DIM), np.float32), PopularityTable()
    )
    assert reasons == [[] for _ in products]


def test_at_most_max_reasons_and_short() -> None:
    products, vectors, history, history_vectors, table = _world()
    reasons = personal_reasons(
        products, vectors, history, history_vectors, table, ReasonSettings(max_reasons=1)
    )
    assert all(len(r) <= 1 for r in reasons)
    assert all(len(text) < 60 and not re.search(r"[.!]$", text) for r in reasons for text in r)
