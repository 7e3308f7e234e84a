"""Pair mining from catalog products, and batching for in-batch negatives."""

import random
import re
from decimal import Decimal

import pytest

from retrieval.catalog.product import Product
from retrieval.finetune import phrasings
from retrieval.finetune.pairs import PairMiner, TrainingPair, batches, split_pairs
from retrieval.index import document_text

pytestmark = pytest.mark.unit

CABLE = Product(
    id="1",
    title="StarTech.com 10 ft Cat 6 Blue Molded RJ45 UTP Gigabit Cat6 Patch Cable",
    brand="StarTech.com",
    category="cable",
    price=Decimal("8.94"),
    attributes={"cable_length": 3.05, "connector_1": "RJ-45", "part_number": "C6PATCH10BL"},
)
TONER = Product(
    id="2",
    title="Lexmark 12A7460 toner cartridge Original Black 1 pc(s)",
    brand="Lexmark",
    category="toner",
    price=Decimal("164.95"),
    attributes={
        "printing_colours": "Black",
        "compatibility": "Lexmark E230, E232, E330",
        "part_number": "12A7460",
    },
)
LAPTOP = Product(
    id="3",
    title='HP ProBook 450 G7 Notebook 39.6 cm (15.6") Intel Core i5 8 GB 256 GB SSD',
    brand="HP",
    category="laptop",
    price=Decimal("700"),
    attributes={"display_diagonal": 15.6, "part_number": "ProBook 450 G7 Notebook PC"},
)


def _all(product: Product, seed: int = 0) -> dict[str, str]:
    return dict(phrasings.phrasings_for(product, random.Random(seed)))


def test_attribute_phrasings_come_from_the_product_itself() -> None:
    cable = _all(CABLE)
    # 3.05 m is said either as 10 ft or as 3m (rounded to 0.1 m)
    assert re.match(r"^(10 ft|3\.1m|3m) rj-45 ", cable["cable_length"])
    assert cable["part_number"].endswith("C6PATCH10BL")
    toner = _all(TONER)
    assert toner["printing_colour"].startswith("black Lexmark")
    assert toner["compatible_with"].endswith("for Lexmark E230")
    assert "15.6" in _all(LAPTOP)["screen_size"]


def test_title_fragments_leave_the_brand_out_and_skip_filler() -> None:
    for seed in range(20):
        fragment = phrasings.title_fragment(TONER, random.Random(seed))
        assert fragment is not None
        assert "Lexmark" not in fragment
        assert "pc(s)" not in fragment and "Original" not in fragment


def test_part_numbers_that_are_not_codes_are_skipped() -> None:
    assert "part_number" not in _all(LAPTOP)


def test_multi_word_category_words_need_support_in_the_text() -> None:
    words = {phrasings.category_word(TONER, random.Random(s)) for s in range(50)}
    assert "laser toner" not in words  # "laser" is not in the toner's text
    assert "toner cartridge" in words or "toner" in words


def test_miner_is_deterministic_bounded_and_unique() -> None:
    products = [CABLE, TONER, LAPTOP]
    pairs = PairMiner(max_pairs=100, per_product=2, seed=7).mine(products)
    assert pairs == PairMiner(max_pairs=100, per_product=2, seed=7).mine(products)
    assert len({p.query.lower() for p in pairs}) == len(pairs)
    assert all(sum(p.product_id == x.id for p in pairs) <= 2 for x in products)
    assert {p.document for p in pairs if p.product_id == "2"} == {document_text(TONER)}
    assert len(PairMiner(max_pairs=2, per_product=2).mine(products)) == 2
    with pytest.raises(ValueError):
        PairMiner(max_pairs=0)


def _pairs(n_products: int, per: int) -> list[TrainingPair]:
    return [
        TrainingPair(query=f"q{i}-{j}", document=f"d{i}", product_id=str(i), kind="t")
        for i in range(n_products)
        for j in range(per)
    ]


def test_batches_never_repeat_a_product_and_cover_every_pair() -> None:
    pairs = _pairs(10, 3)
    seen = []
    for batch in batches(pairs, 4, random.Random(1)):
        ids = [p.product_id for p in batch]
        assert len(ids) == len(set(ids)) and 2 <= len(batch) <= 4
        seen.extend(batch)
    assert sorted(p.query for p in seen) == sorted(p.query for p in pairs)
    with pytest.raises(ValueError):
        list(batches(pairs, 1, random.Random(1)))


def test_held_out_products_are_not_trained_on() -> None:
    train, valid = split_pairs(_pairs(20, 2), holdout=6, seed=3)
    assert len(valid) >= 6
    assert not {p.product_id for p in train} & {p.product_id for p in valid}
    assert len(train) + len(valid) == 40
