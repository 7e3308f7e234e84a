from decimal import Decimal

import pytest

from retrieval.catalog.product import Product
from retrieval.filters import SearchFilters
from retrieval.lexical import LexicalRetriever
from retrieval.lexical_build import build_lexical_index, lexical_text
from retrieval.lexical_index import LexicalIndex
from retrieval.search import SearchQuery
from retrieval.tokenizer import ProductTokenizer
from tests.retrieval.lexical_helpers import MemoryProducts

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def slice_index(catalog_slice: list[Product]) -> LexicalIndex:
    return build_lexical_index(catalog_slice, ProductTokenizer())


@pytest.fixture
def lexical(slice_index: LexicalIndex, catalog_slice: list[Product]) -> LexicalRetriever:
    return LexicalRetriever(slice_index, MemoryProducts(catalog_slice))


def _product(catalog_slice: list[Product], part_number: str) -> Product:
    return next(p for p in catalog_slice if p.attributes.get("part_number") == part_number)


def test_lexical_text_has_title_brand_category_and_codes(catalog_slice: list[Product]) -> None:
    product = _product(catalog_slice, "C4920A")
    text = lexical_text(product)
    for part in (product.title, "HP", "Ink", "C4920A", str(product.attributes["ean"])):
        assert part in text


@pytest.mark.parametrize("typed", ["C4920A", "c4920a", "C-4920A", "print head c4920a please"])
def test_part_number_puts_the_product_first(
    lexical: LexicalRetriever, catalog_slice: list[Product], typed: str
) -> None:
    wanted = _product(catalog_slice, "C4920A")
    items = lexical.retrieve(SearchQuery(text=typed, k=10)).items
    assert items[0].product.id == wanted.id
    assert items[0].exact_match and not any(c.exact_match for c in items[1:])


def test_ean_finds_the_product(lexical: LexicalRetriever, catalog_slice: list[Product]) -> None:
    wanted = _product(catalog_slice, "G83-6104")
    ean = str(wanted.attributes["ean"])
    for typed in (ean, ean.lstrip("0")):
        first = lexical.retrieve(SearchQuery(text=typed, k=5)).items[0]
        assert first.product.id == wanted.id and first.exact_match


def test_exact_match_still_obeys_filters(
    lexical: LexicalRetriever, catalog_slice: list[Product]
) -> None:
    wanted = _product(catalog_slice, "C4920A")
    query = SearchQuery(text="C4920A", k=10, filters=SearchFilters(category="toner"))
    assert wanted.id not in {c.product.id for c in lexical.retrieve(query).items}


@pytest.mark.parametrize(
    ("filters", "check"),
    [
        (SearchFilters(category="cable"), lambda p: p.category == "cable"),
        (SearchFilters(brands=["APC"]), lambda p: p.brand == "APC"),
        (SearchFilters(exclude_brands=["HP", "APC"]), lambda p: p.brand not in ("HP", "APC")),
        (SearchFilters(price_max=Decimal("20")), lambda p: p.price <= 20),
        (
            SearchFilters(price_min=Decimal("30"), price_max=Decimal("60")),
            lambda p: 30 <= p.price <= 60,
        ),
        (SearchFilters(color="black"), lambda p: "black" in p.color.lower()),
    ],
)
def test_filters_apply_to_every_hit(lexical: LexicalRetriever, filters, check) -> None:  # type: ignore[no-untyped-def]
    # k above the slice size: every matching product comes back.
    unfiltered = lexical.retrieve(SearchQuery(text="cable usb black hp", k=1000)).items
    items = lexical.retrieve(SearchQuery(text="cable usb black hp", k=1000, filters=filters)).items
    assert items, filters
    assert all(check(c.product) for c in items)
    # The filter removes products the unfiltered search returned, and keeps the others.
    assert len(items) < len(unfiltered)
    assert {c.product.id for c in items} == {c.product.id for c in unfiltered if check(c.product)}


def test_hits_are_ordered_by_score_with_signals(lexical: LexicalRetriever) -> None:
    items = lexical.retrieve(SearchQuery(text="wireless laser mouse", k=20)).items
    scores = [c.score for c in items]
    assert scores == sorted(scores, reverse=True) and scores[0] > 0
    assert [c.rank for c in items] == list(range(1, len(items) + 1))
    assert all(c.signals["lexical"].rank == c.rank for c in items)
    assert items[0].product.category == "mouse"


@pytest.mark.parametrize(
    ("typed", "corrected", "category"),
    [
        ("keybaord", "keyboard", "keyboard"),
        ("labtop", "laptop", "laptop"),
        ("tonner", "toner", "toner"),
    ],
)
def test_misspellings_are_corrected(
    lexical: LexicalRetriever, typed: str, corrected: str, category: str
) -> None:
    terms = lexical.analyze(f"{typed} for office")
    assert terms.corrections == {typed: corrected}
    assert terms.corrected_text == f"{corrected} for office"
    items = lexical.retrieve(SearchQuery(text=typed, k=5)).items
    assert [c.product.category for c in items] == [category] * 5


def test_typo_tolerance_can_be_switched_off(
    slice_index: LexicalIndex, catalog_slice: list[Product]
) -> None:
    strict = LexicalRetriever(slice_index, MemoryProducts(catalog_slice), typo_tolerance=False)
    assert strict.retrieve(SearchQuery(text="keybaord", k=5)).items == []


def test_known_words_are_not_corrected(
    slice_index: LexicalIndex, catalog_slice: list[Product]
) -> None:
    lexical = LexicalRetriever(slice_index, MemoryProducts(catalog_slice), known_words={"mouses"})
    assert lexical.analyze("mouses").corrections == {}


def test_synonyms_find_products_without_the_word(
    slice_index: LexicalIndex, catalog_slice: list[Product]
) -> None:
    with_synonyms = LexicalRetriever(slice_index, MemoryProducts(catalog_slice))
    without = LexicalRetriever(slice_index, MemoryProducts(catalog_slice), synonym_weight=0)
    found = {c.product.id for c in with_synonyms.retrieve(SearchQuery(text="cord", k=1000)).items}
    plain = {c.product.id for c in without.retrieve(SearchQuery(text="cord", k=1000)).items}
    assert plain < found
    # Cables that never say "cord" are found through "cable", the taxonomy's synonym.
    tokenizer = ProductTokenizer()
    extra = [p for p in catalog_slice if p.id in found - plain]
    assert all("cord" not in tokenizer.tokenize(lexical_text(p)) for p in extra)
    assert sum(p.category == "cable" for p in extra) >= 30


def test_nothing_matches_nothing(lexical: LexicalRetriever) -> None:
    assert lexical.retrieve(SearchQuery(text="", k=5)).items == []
    assert lexical.retrieve(SearchQuery(text="the and of", k=5)).items == []
    assert lexical.retrieve(SearchQuery(text="zzqxv", k=5)).items == []


def test_a_different_tokenizer_is_refused(
    slice_index: LexicalIndex, catalog_slice: list[Product]
) -> None:
    with pytest.raises(ValueError, match="tokenizer"):
        LexicalRetriever(
            slice_index, MemoryProducts(catalog_slice), tokenizer=ProductTokenizer(stem=False)
        )
    with pytest.raises(ValueError):
        LexicalRetriever(slice_index, MemoryProducts(catalog_slice), synonym_weight=2)


def test_vanished_products_are_dropped(
    slice_index: LexicalIndex, catalog_slice: list[Product]
) -> None:
    products = MemoryProducts(catalog_slice)
    lexical = LexicalRetriever(slice_index, products)
    first = lexical.retrieve(SearchQuery(text="keyboard", k=5)).items[0].product
    del products.products[first.id]
    items = lexical.retrieve(SearchQuery(text="keyboard", k=5)).items
    assert first.id not in {c.product.id for c in items}
    assert [c.rank for c in items] == list(range(1, len(items) + 1))
