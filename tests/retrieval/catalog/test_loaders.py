"""The loaders on small files: good rows, bad rows, unreadable files."""

from __future__ import annotations

import json
import zipfile
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest

from retrieval.catalog.errors import CatalogError
from retrieval.catalog.loading import (
    ColumnMapping,
    LoadReport,
    format_category_report,
    guess_format,
    load_catalog,
)

pytestmark = pytest.mark.unit

ICECAT_ROWS: list[object] = [
    {
        "id": "3920564",
        "name": "006R90321",
        "title": "Xerox 006R90321 toner cartridge Original Black 6 pc(s)",
        "ean": ["0095205603217", "0095205603218"],
        "short_description": "Toner (6 Per Box) for CopyCentre C65 Digital Copier",
        "img_500x500": "http://images.icecat.biz/img/3920564.jpg",
        "date_released": "2009-12-10T00:00:00Z",
        "supplier": "Xerox",
        "price": 4995,
        "attr_t_product_colour": "Black",
        "attr_t_printing_colours": "Black",
        "attr_n_black_toner_page_yield": 23000.0,
        "attr_b_colour": False,
    },
    {
        "id": "2",
        "title": "HP 85 Original Light magenta",
        "supplier": "HP",
        "price": "1999",
        "attr_t_ink_type": "Dye-based ink",
        "ean": [],
    },
    {"id": "3", "title": "", "price": 100},  # no title
    {"id": "4", "title": "Cable", "price": "abc"},  # unparsable price
    {"id": "5", "title": "Cable", "price": -5},  # negative price
    {"title": "Cable", "price": 100},  # missing id
    {"id": "3920564", "title": "Duplicate", "price": 100},  # duplicate id
    ["not", "a", "dict"],  # not an object
    {"id": "9", "title": "Cable", "price": None},  # missing price
]


def _write_zip(path: Path, rows: list[object], member: str = "1.json") -> Path:
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr(member, json.dumps(rows))
    return path


def test_icecat_zip_maps_fields_and_skips_bad_rows(tmp_path: Path) -> None:
    load = load_catalog(_write_zip(tmp_path / "1.json.zip", ICECAT_ROWS))
    assert [p.id for p in load.products] == ["3920564", "2"]
    toner, ink = load.products
    assert toner.price == Decimal("49.95")
    assert ink.price == Decimal("19.99")
    assert (toner.brand, toner.category, toner.color) == ("Xerox", "toner", "Black")
    assert toner.description.startswith("Toner (6 Per Box)")
    assert toner.image_url.endswith("3920564.jpg")
    assert toner.source == "icecat"
    assert toner.attributes["part_number"] == "006R90321"
    assert toner.attributes["ean"] == "0095205603217"
    assert toner.attributes["date_released"] == "2009-12-10T00:00:00Z"
    assert toner.attributes["black_toner_page_yield"] == 23000.0
    assert toner.attributes["colour"] is False
    assert "ean" not in ink.attributes
    assert ink.category == "ink"
    report = load.report
    assert report.rows_read == len(ICECAT_ROWS)
    assert report.loaded == 2
    assert report.skipped == {
        "duplicate_id": 1,
        "missing_id": 1,
        "missing_price": 1,
        "missing_title": 1,
        "negative_price": 1,
        "not_an_object": 1,
        "unparsable_price": 1,
    }
    assert report.category_counts == {"ink": 1, "toner": 1}


def test_icecat_directory_and_json_file(tmp_path: Path) -> None:
    _write_zip(tmp_path / "1.json.zip", ICECAT_ROWS[:1])
    _write_zip(tmp_path / "2.json.zip", ICECAT_ROWS[1:2])
    assert [p.id for p in load_catalog(tmp_path).products] == ["3920564", "2"]
    single = tmp_path / "one.json"
    single.write_text(json.dumps(ICECAT_ROWS[:2]))
    assert guess_format(single) == "icecat"
    assert load_catalog(single).report.loaded == 2


def _write_bytes(path: Path, blob: bytes) -> Path:
    path.write_bytes(blob)
    return path


@pytest.mark.parametrize(
    "setup",
    [
        lambda d: d / "missing",  # no such path
        lambda d: d,  # empty directory
        lambda d: _write_bytes(d / "bad.json.zip", b"not a zip"),
        lambda d: _write_bytes(d / "empty.zip", b""),
        lambda d: _write_zip(d / "x.zip", {"not": "a list"}),  # type: ignore[arg-type]
        lambda d: _write_zip(d / "x.zip", [], member="readme.txt"),  # no .json inside
    ],
)
def test_icecat_unreadable_raises(tmp_path: Path, setup: Callable[[Path], Path]) -> None:
    with pytest.raises(CatalogError):
        load_catalog(setup(tmp_path), "icecat")


def test_icecat_zip_with_invalid_json_raises(tmp_path: Path) -> None:
    path = tmp_path / "x.json.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("1.json", "[{oops")
    with pytest.raises(CatalogError):
        load_catalog(path)


DUMMY_ROWS: list[object] = [
    {
        "id": 1,
        "title": "Essence Mascara Lash Princess",
        "category": "beauty",
        "price": 9.99,
        "rating": 2.56,
        "stock": 99,
        "brand": "Essence",
        "sku": "BEA-ESS-ESS-001",
        "warrantyInformation": "1 week warranty",
        "returnPolicy": "No return policy",
        "tags": ["beauty", "mascara"],
        "dimensions": {"width": 15.14, "height": 13.08, "depth": 22.99},
        "images": ["https://cdn.example/1.webp"],
    },
    {"id": 2, "title": "MacBook Pro 14", "category": "laptops", "price": 1999.49},
    {"id": 3, "title": "iPhone 9", "category": "smartphones", "price": "549"},
    {"id": 4, "title": "Apple AirPods Max Silver", "category": "mobile-accessories", "price": 549},
    {"id": 5, "title": "No price", "category": "laptops"},
    {"id": 2, "title": "Duplicate", "category": "laptops", "price": 1},
    "junk",
]


@pytest.mark.parametrize("wrapped", [True, False])
def test_dummyjson(tmp_path: Path, wrapped: bool) -> None:
    path = tmp_path / "products.json"
    path.write_text(json.dumps({"products": DUMMY_ROWS} if wrapped else DUMMY_ROWS))
    assert guess_format(path) == "dummyjson"
    load = load_catalog(path)
    by_id = {p.id: p for p in load.products}
    assert [by_id[i].category for i in ("1", "2", "3", "4")] == [
        "beauty",
        "laptop",
        "phone",
        "headset",
    ]
    mascara = by_id["1"]
    assert mascara.source == "dummyjson"
    assert mascara.price == Decimal("9.99")
    assert mascara.image_url == "https://cdn.example/1.webp"
    assert {k: mascara.attributes[k] for k in ("rating", "stock", "warranty", "sku")} == {
        "rating": 2.56,
        "stock": 99,
        "warranty": "1 week warranty",
        "sku": "BEA-ESS-ESS-001",
    }
    assert mascara.attributes["return_policy"] == "No return policy"
    assert mascara.attributes["tags"] == "beauty, mascara"
    assert load.report.skipped == {"duplicate_id": 1, "missing_price": 1, "not_an_object": 1}


def test_dummyjson_unreadable(tmp_path: Path) -> None:
    path = tmp_path / "products.json"
    path.write_text('{"products": 3}')
    with pytest.raises(CatalogError):
        load_catalog(path, "dummyjson")
    path.write_text("{not json")
    with pytest.raises(CatalogError):
        load_catalog(path, "dummyjson")


CSV_TEXT = """sku,name,cost_cents,maker,kind,rating,part
A1,Logitech M185 wireless mouse,1999,Logitech,,4.5,00123
A2,Dell 24 inch monitor,14999,Dell,Monitors,,
A3,,500,NoTitle,,,
A4,Cable,abc,,,,
A5,Cable,-1,,,,
,Cable,100,,,,
A1,Duplicate,100,,,,
A6,HP 62 ink cartridge,"2,599",HP,,,
"""


def test_csv_with_mapping(tmp_path: Path) -> None:
    path = tmp_path / "shop.csv"
    path.write_text(CSV_TEXT, encoding="utf-8")
    mapping = ColumnMapping(
        id="sku",
        title="name",
        price="cost_cents",
        price_unit="cents",
        brand="maker",
        category="kind",
        source="myshop",
    )
    load = load_catalog(path, mapping=mapping)
    by_id = {p.id: p for p in load.products}
    assert list(by_id) == ["A1", "A2", "A6"]
    mouse = by_id["A1"]
    assert (mouse.price, mouse.brand, mouse.category, mouse.source) == (
        Decimal("19.99"),
        "Logitech",
        "mouse",
        "myshop",
    )
    assert mouse.attributes == {"rating": 4.5, "part": "00123"}
    assert by_id["A2"].category == "monitor"
    assert by_id["A6"].price == Decimal("25.99")
    assert by_id["A6"].category == "ink"
    assert load.report.skipped == {
        "duplicate_id": 1,
        "missing_id": 1,
        "missing_title": 1,
        "negative_price": 1,
        "unparsable_price": 1,
    }


def test_csv_missing_required_column_raises(tmp_path: Path) -> None:
    path = tmp_path / "shop.csv"
    path.write_text("id,title\n1,Mouse\n")
    with pytest.raises(CatalogError, match="price"):
        load_catalog(path)


def test_jsonl_defaults(tmp_path: Path) -> None:
    lines = [
        json.dumps(
            {
                "id": 1,
                "title": "USB-C cable 2m",
                "price": 9.5,
                "colour": "red",
                "currency": "eur",
                "specs": {"length_m": 2},
            }
        ),
        "",
        "{broken",
        json.dumps([1, 2]),
        json.dumps({"id": 2, "title": "Widget", "price": 1e30}),
        json.dumps({"id": 3, "title": "Gizmo", "price": True}),
        json.dumps({"id": 4, "title": "Odd currency", "price": 1, "currency": "EURO"}),
    ]
    path = tmp_path / "shop.jsonl"
    path.write_text("\n".join(lines), encoding="utf-8")
    load = load_catalog(path)
    assert [p.id for p in load.products] == ["1"]
    cable = load.products[0]
    assert (cable.category, cable.currency, cable.price, cable.source) == (
        "cable",
        "EUR",
        Decimal("9.50"),
        "jsonl",
    )
    assert cable.attributes == {"colour": "red", "specs": '{"length_m": 2}'}
    assert load.report.rows_read == 6
    assert load.report.skipped == {
        "invalid": 2,
        "invalid_json": 1,
        "not_an_object": 1,
        "unparsable_price": 1,
    }


def test_guess_format_and_unknown(tmp_path: Path) -> None:
    assert guess_format(Path("x.csv")) == "csv"
    assert guess_format(Path("x.ndjson")) == "jsonl"
    assert guess_format(tmp_path) == "icecat"
    with pytest.raises(CatalogError):
        guess_format(tmp_path / "x.parquet")
    other = tmp_path / "catalog.xml"
    other.write_text("<x/>")
    with pytest.raises(CatalogError):
        load_catalog(other)


def test_format_category_report() -> None:
    report = LoadReport(
        source="icecat",
        rows_read=4,
        loaded=3,
        skipped={"missing_title": 1},
        category_counts={"cable": 2, "graphics-card": 1},
    )
    text = format_category_report(report)
    assert "rows read: 4" in text and "skipped missing_title: 1" in text
    assert "graphics-card  Graphics card" in text
    assert text.splitlines()[-1].endswith("1")
