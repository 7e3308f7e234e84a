"""Pooling helpers: the baseline retrievers and the union of their top lists."""

import pytest

from retrieval.evaluation.pooling import (
    PlainBM25Retriever,
    TitleMatchRetriever,
    pool_candidates,
    reciprocal_rank_fusion,
)
from retrieval.search import SearchQuery
from tests.retrieval.evaluation.fakes import FixedRetriever, product

pytestmark = pytest.mark.unit

PRODUCTS = [
    product("1", "StarTech 4 Port USB Hub"),
    product("2", "HP LaserJet toner cartridge black"),
    product("3", "USB cable 2m"),
    product("4", "Kensington 7 Port USB 3.0 Hub with power adapter and LED lights"),
]


def test_plain_bm25_ranks_by_term_match() -> None:
    result = PlainBM25Retriever(PRODUCTS).retrieve(SearchQuery(text="usb hub", k=3))
    ids = [c.product.id for c in result.items]
    assert set(ids[:2]) == {"1", "4"}
    assert "2" not in ids
    assert PlainBM25Retriever(PRODUCTS).retrieve(SearchQuery(text="zzz", k=3)).items == []


def test_title_match_prefers_more_words_then_shorter_titles() -> None:
    result = TitleMatchRetriever(PRODUCTS).retrieve(SearchQuery(text="the usb hub", k=10))
    assert [c.product.id for c in result.items] == ["1", "4", "3"]
    assert [c.rank for c in result.items] == [1, 2, 3]


def test_rrf_orders_by_summed_reciprocal_ranks() -> None:
    fused = reciprocal_rank_fusion([["a", "b", "c"], ["b", "c"]], k=1)
    # a: 1/2; b: 1/3 + 1/2; c: 1/4 + 1/3
    assert fused == ["b", "c", "a"]
    with pytest.raises(ValueError):
        reciprocal_rank_fusion([["a"]], k=0)


def test_pool_is_the_union_of_top_lists_and_the_fused_list() -> None:
    one = FixedRetriever({"q": ["a", "b", "c"]})
    two = FixedRetriever({"q": ["c", "d"]})
    pool = pool_candidates({"one": one, "two": two}, {"q1": "q"}, depth=2)
    assert set(pool["q1"]) == {"a", "b", "c", "d"}
    assert pool["q1"]["a"] == ["one", "rrf"]
    assert "two" in pool["q1"]["c"]
    with pytest.raises(ValueError):
        pool_candidates({"one": one}, {"q1": "q"}, depth=0)
