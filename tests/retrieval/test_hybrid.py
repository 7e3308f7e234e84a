from decimal import Decimal

import pytest

from retrieval.catalog.product import Product
from retrieval.filters import SearchFilters
from retrieval.hybrid import HybridRetriever, reciprocal_rank_fusion
from retrieval.lexical import LexicalRetriever
from retrieval.lexical_build import build_lexical_index
from retrieval.lexical_index import LexicalIndex
from retrieval.search import SearchQuery
from retrieval.tokenizer import ProductTokenizer
from retrieval.vector_store import VectorHit
from tests.retrieval.lexical_helpers import MemoryProducts


class FakeDense:
    """Returns fixed ids (best first) and records the queries it was given."""

    def __init__(self, ids: list[str]) -> None:
        self.ids = ids
        self.queries: list[SearchQuery] = []

    def hits(self, query: SearchQuery) -> list[VectorHit]:
        self.queries.append(query)
        return [
            VectorHit(product_id=pid, score=1.0 - i / 100)
            for i, pid in enumerate(self.ids[: query.k])
        ]


@pytest.mark.unit
def test_rrf_matches_hand_computed_scores() -> None:
    fused = dict(reciprocal_rank_fusion({"dense": ["a", "b"], "lexical": ["b", "c"]}, rrf_k=60))
    assert fused["b"] == pytest.approx(1 / 62 + 1 / 61)
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["c"] == pytest.approx(1 / 62)
    assert list(fused) == ["b", "a", "c"]


@pytest.mark.unit
def test_rrf_weights_and_repeats() -> None:
    fused = reciprocal_rank_fusion(
        {"dense": ["a", "a", "b"], "lexical": ["b"]}, rrf_k=0, weights={"dense": 1, "lexical": 3}
    )
    # "a" counts once at rank 1; "b" is rank 2 in dense (repeats collapse) and 1 in lexical.
    assert fused == [("b", pytest.approx(0.5 + 3.0)), ("a", pytest.approx(1.0))]
    with pytest.raises(ValueError):
        reciprocal_rank_fusion({"dense": ["a"]}, rrf_k=-1)


@pytest.fixture(scope="module")
def slice_index(catalog_slice: list[Product]) -> LexicalIndex:
    return build_lexical_index(catalog_slice, ProductTokenizer())


def _hybrid(
    catalog_slice: list[Product], index: LexicalIndex, dense_ids: list[str], **kwargs: object
) -> tuple[HybridRetriever, FakeDense, MemoryProducts]:
    products = MemoryProducts(catalog_slice)
    dense = FakeDense(dense_ids)
    lexical = LexicalRetriever(index, products)
    return HybridRetriever(dense, lexical, products, **kwargs), dense, products  # type: ignore[arg-type]


@pytest.mark.unit
def test_fusion_order_signals_and_one_hydration(
    catalog_slice: list[Product], slice_index: LexicalIndex
) -> None:
    keyboards = [p.id for p in catalog_slice if p.category == "keyboard"]
    monitors = [p.id for p in catalog_slice if p.category == "monitor"]
    dense_ids = [monitors[0], keyboards[5], monitors[1]]
    hybrid, _, products = _hybrid(catalog_slice, slice_index, dense_ids, depth=20)
    items = hybrid.retrieve(SearchQuery(text="keyboard", k=10)).items
    assert len(items) == 10 and products.get_many_calls == 1
    # Found by both retrievers -> first; then rank 1 of either list.
    assert items[0].product.id == keyboards[5]
    assert set(items[0].signals) == {"dense", "lexical"}
    assert items[0].signals["dense"].rank == 2
    assert monitors[0] in {c.product.id for c in items[1:3]}
    assert [c.score for c in items] == sorted((c.score for c in items), reverse=True)
    assert [c.rank for c in items] == list(range(1, 11))


@pytest.mark.unit
def test_exact_code_comes_first_whatever_dense_says(
    catalog_slice: list[Product], slice_index: LexicalIndex
) -> None:
    wanted = next(p for p in catalog_slice if p.attributes.get("part_number") == "C4920A")
    others = [p.id for p in catalog_slice if p.id != wanted.id][:30]
    hybrid, _, _ = _hybrid(catalog_slice, slice_index, others)
    items = hybrid.retrieve(SearchQuery(text="C4920A", k=5)).items
    assert items[0].product.id == wanted.id and items[0].exact_match


@pytest.mark.unit
def test_dense_gets_the_corrected_text_filters_and_depth(
    catalog_slice: list[Product], slice_index: LexicalIndex
) -> None:
    hybrid, dense, _ = _hybrid(catalog_slice, slice_index, [], depth=40)
    filters = SearchFilters(category="laptop", price_max=Decimal("500"))
    items = hybrid.retrieve(SearchQuery(text="Labtop with dvd", k=10, filters=filters)).items
    (sent,) = dense.queries
    assert sent.text == "laptop with dvd" and sent.filters == filters and sent.k == 40
    assert items and all(c.product.category == "laptop" and c.product.price <= 500 for c in items)


@pytest.mark.unit
def test_dense_weight_zero_skips_the_encoder(
    catalog_slice: list[Product], slice_index: LexicalIndex
) -> None:
    hybrid, dense, _ = _hybrid(catalog_slice, slice_index, ["x"], dense_weight=0)
    assert hybrid.retrieve(SearchQuery(text="mouse", k=3)).items
    assert dense.queries == []


@pytest.mark.unit
@pytest.mark.parametrize(
    "kwargs",
    [{"rrf_k": -1}, {"depth": 0}, {"dense_weight": -1}, {"dense_weight": 0, "lexical_weight": 0}],
)
def test_configuration_is_validated(
    catalog_slice: list[Product], slice_index: LexicalIndex, kwargs: dict
) -> None:
    with pytest.raises(ValueError):
        _hybrid(catalog_slice, slice_index, [], **kwargs)


@pytest.mark.integration
def test_wired_hybrid_search_end_to_end(services) -> None:  # type: ignore[no-untyped-def]
    retriever = services.retriever
    assert isinstance(retriever, HybridRetriever)
    laptops = retriever.retrieve(SearchQuery(text="labtop", k=10)).items
    assert sum(c.product.category == "laptop" for c in laptops) >= 8
    cables = retriever.retrieve(
        SearchQuery(text="usb cable", k=30, filters=SearchFilters(brands=["APC", "HP"]))
    ).items
    assert cables and all(c.product.brand in ("APC", "HP") for c in cables)
    # Both retrievers contributed under the filter.
    assert any("dense" in c.signals for c in cables) and any("lexical" in c.signals for c in cables)
    code = retriever.retrieve(SearchQuery(text="HP C4920A", k=5)).items[0]
    assert code.exact_match and code.product.attributes["part_number"] == "C4920A"


@pytest.mark.integration
def test_index_build_covers_the_lexical_index(services) -> None:  # type: ignore[no-untyped-def]
    lexical_dir = services.settings.lexical_dir
    assert lexical_dir == services.settings.chroma_path.parent / "lexical"
    report = services.build_index(show_progress=False)
    assert report.lexical is not None and not report.lexical.rebuilt
    assert report.lexical.documents == services.products.count()
    assert report.total_seconds >= report.seconds
    # A changed product makes the next build rebuild the BM25 index, and search sees it.
    product = services.products.get_many(services.lexical_index.product_ids[:1])
    changed = next(iter(product.values())).model_copy(update={"title": "Zyxwvut special edition"})
    services.products.upsert_many([changed])
    assert services.build_index(show_progress=False).lexical.rebuilt
    first = services.retriever.retrieve(SearchQuery(text="zyxwvut", k=3)).items[0]
    assert first.product.id == changed.id


@pytest.mark.integration
def test_retrieval_mode_picks_the_retriever(settings) -> None:  # type: ignore[no-untyped-def]
    from assistant.wiring import Services
    from retrieval.search import DenseRetriever

    services = Services(settings.model_copy(update={"retrieval_mode": "dense"}))
    try:
        assert isinstance(services.retriever, DenseRetriever)
        services_lexical = Services(settings.model_copy(update={"retrieval_mode": "lexical"}))
        assert isinstance(services_lexical.retriever, LexicalRetriever)
        assert services_lexical.lexical_index.size == 0  # an empty store, built on first use
        services_lexical.close()
    finally:
        services.close()
