from decimal import Decimal

import pytest

from ranking.rerank import DiversifiedRanker, RankingContext
from retrieval.catalog.product import Product
from retrieval.search import Candidate, Candidates, SearchQuery

pytestmark = pytest.mark.unit


def _cands(rows: list[tuple[str, str, str]]) -> Candidates:
    items = [
        Candidate(
            product=Product(id=pid, title=title, brand=brand, price=Decimal("1")),
            score=1 - i / 100,
            rank=i + 1,
        )
        for i, (pid, brand, title) in enumerate(rows)
    ]
    return Candidates(query=SearchQuery(text="x"), items=items)


def test_caps_brands_and_folds_near_duplicates_without_losing_items() -> None:
    cands = _cands(
        [
            ("1", "HP", "HP 305 Black ink cartridge 2 ml"),
            ("2", "HP", "HP 305 Black ink cartridge 2 ml pack of 2"),  # near duplicate of 1
            ("3", "HP", "HP 304 Colour ink"),
            ("4", "HP", "HP 302 XL ink"),
            ("5", "Canon", "Canon PG-545 ink"),
        ]
    )
    ranked = DiversifiedRanker(max_per_brand=2).rank(cands, RankingContext(), k=5)
    assert [c.product.id for c in ranked.items] == ["1", "3", "5", "2", "4"]
    assert ranked.has_more is False


def test_offset_pages_and_excludes() -> None:
    cands = _cands([(str(i), f"B{i}", f"Product number {i}") for i in range(10)])
    ranker = DiversifiedRanker()
    page2 = ranker.rank(cands, RankingContext(offset=3, exclude_ids=["0"]), k=3)
    assert [c.product.id for c in page2.items] == ["4", "5", "6"]
    assert page2.has_more and page2.total_candidates == 9


def test_validation() -> None:
    with pytest.raises(ValueError):
        DiversifiedRanker(max_per_brand=0)
    with pytest.raises(ValueError):
        DiversifiedRanker().rank(_cands([]), RankingContext(), k=0)


def test_diversify_stopping_early_gives_the_same_page() -> None:
    from ranking.rerank import diversify

    rows = [(str(i), f"B{i % 3}", f"Product {i % 7} variant") for i in range(30)]
    pool = _cands(rows).items
    for needed in (1, 5, 12, 30):
        full = diversify(pool, max_per_brand=2)
        early = diversify(pool, max_per_brand=2, needed=needed)
        assert early[:needed] == full[:needed] and len(early) == len(full) == 30
