"""Synthetic catalog variants (benchmarks/variants.py): counts, ids, determinism, and that a
variant is drawn from its original and its category, never passing for a real product."""

from __future__ import annotations

import random
import re
from collections import defaultdict
from decimal import Decimal

import pytest

from benchmarks.variants import (
    CAPACITIES,
    SYNTHETIC_SOURCE,
    VariantMaker,
    ean_check_digit,
    scaled_catalog,
    scaled_size,
    synthetic_ean,
)
from retrieval.catalog.product import Product

pytestmark = pytest.mark.unit


def test_scaled_size_rounds_and_refuses_non_positive_scales() -> None:
    assert scaled_size(19406, 10) == 194060
    assert scaled_size(19406, 0.05) == 970
    assert scaled_size(3, 0.01) == 1
    with pytest.raises(ValueError):
        scaled_size(10, 0)


def test_a_scale_below_one_is_a_seeded_sample_of_real_products(
    catalog_slice: list[Product],
) -> None:
    sample = list(scaled_catalog(catalog_slice, 0.25, seed=3))
    assert len(sample) == scaled_size(len(catalog_slice), 0.25)
    assert {p.id for p in sample} <= {p.id for p in catalog_slice}
    assert [p.id for p in sample] == [p.id for p in scaled_catalog(catalog_slice, 0.25, seed=3)]
    assert [p.id for p in sample] != [p.id for p in scaled_catalog(catalog_slice, 0.25, seed=4)]


def test_a_scale_above_one_keeps_every_real_product_and_adds_marked_variants(
    catalog_slice: list[Product],
) -> None:
    catalog = list(scaled_catalog(catalog_slice, 3, seed=0))
    real_ids = {p.id for p in catalog_slice}
    assert len(catalog) == 3 * len(catalog_slice)
    assert len({p.id for p in catalog}) == len(catalog)
    real = [p for p in catalog if p.id in real_ids]
    assert real == list(catalog_slice)
    variants = [p for p in catalog if p.id not in real_ids]
    by_original = defaultdict(list)
    for v in variants:
        original, _, k = v.id.rpartition("-v")
        assert original in real_ids and v.attributes["variant_of"] == original
        assert v.source == SYNTHETIC_SOURCE
        by_original[original].append(int(k))
    assert all(sorted(ks) == [1, 2] for ks in by_original.values())


def test_a_fractional_scale_spreads_the_extra_variants(catalog_slice: list[Product]) -> None:
    catalog = list(scaled_catalog(catalog_slice, 2.5, seed=0))
    assert len(catalog) == scaled_size(len(catalog_slice), 2.5)
    counts: defaultdict[str, int] = defaultdict(int)
    for p in catalog:
        counts[str(p.attributes.get("variant_of", p.id))] += 1
    assert set(counts.values()) == {2, 3}


def test_variants_are_deterministic_and_do_not_depend_on_product_order(
    catalog_slice: list[Product],
) -> None:
    shuffled = list(catalog_slice)
    random.Random(1).shuffle(shuffled)
    product = catalog_slice[5]
    a = VariantMaker(catalog_slice, seed=7).variant(product, 2)
    b = VariantMaker(shuffled, seed=7).variant(product, 2)
    assert a == b
    assert VariantMaker(catalog_slice, seed=8).variant(product, 2) != a


def test_a_variant_changes_codes_and_title_but_stays_a_sibling_of_its_original(
    catalog_slice: list[Product],
) -> None:
    maker = VariantMaker(catalog_slice, seed=0)
    real_eans = {p.attributes.get("ean") for p in catalog_slice}
    for product in catalog_slice:
        for k in (1, 9):
            v = maker.variant(product, k)
            assert v.id == f"{product.id}-v{k}"
            assert v.title != product.title and v.brand == product.brand
            assert v.category == product.category and v.description == product.description
            assert v.attributes["part_number"] != product.attributes.get("part_number")
            assert v.attributes["ean"] not in real_eans
            assert v.attributes["ean"] == synthetic_ean(0, product.id, k)
            assert v.content_hash() != product.content_hash()
            if product.price > 0:
                # jitter (sigma 0.08) and a capacity change (sqrt of the ratio, clamped 0.5-2.5)
                assert product.price * Decimal("0.3") <= v.price <= product.price * Decimal("4")


def test_colours_and_capacities_come_from_the_products_category(
    catalog_slice: list[Product],
) -> None:
    colours = defaultdict(set)
    values = defaultdict(set)
    for p in catalog_slice:
        colours[p.category].add(p.color)
        for name in CAPACITIES:
            if name in p.attributes:
                values[p.category, name].add(float(p.attributes[name]))
    maker = VariantMaker(catalog_slice, seed=0)
    recoloured = resized = 0
    for product in catalog_slice:
        for k in range(1, 6):
            v = maker.variant(product, k)
            if v.color != product.color:
                recoloured += 1
                assert v.color in colours[product.category]
            for name in CAPACITIES:
                if name in v.attributes and v.attributes[name] != product.attributes.get(name):
                    resized += 1
                    assert float(v.attributes[name]) in values[product.category, name]
    assert recoloured > 0 and resized > 0


def test_a_capacity_in_the_title_is_rewritten() -> None:
    cable = Product(
        id="1", title="Acme patch cable 2 m black", brand="Acme", category="cable",
        price=Decimal("9.95"), attributes={"cable_length": 2.0, "part_number": "AC-2"},
    )  # fmt: skip
    other = cable.model_copy(update={"id": "2", "attributes": {"cable_length": 5.0}})
    maker = VariantMaker([cable, other], seed=0)
    resized = [
        v
        for v in (maker.variant(cable, k) for k in range(1, 40))
        if v.attributes["cable_length"] == 5.0
    ]
    assert resized, "no variant drew the category's other cable length"
    assert all(re.search(r"\b5 m\b", v.title) and "2 m" not in v.title for v in resized)


def test_synthetic_eans_are_valid_restricted_circulation_codes() -> None:
    assert ean_check_digit("400638133393") == "1"  # a real EAN-13: 4006381333931
    for k in range(1, 50):
        code = synthetic_ean(0, "69340", k)
        assert re.fullmatch(r"2\d{12}", code)
        assert ean_check_digit(code[:12]) == code[12]


def test_variant_maker_refuses_bad_input(catalog_slice: list[Product]) -> None:
    with pytest.raises(ValueError):
        VariantMaker([], seed=0)
    with pytest.raises(ValueError):
        VariantMaker(catalog_slice).variant(catalog_slice[0], 0)
