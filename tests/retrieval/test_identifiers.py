from decimal import Decimal

import pytest

from retrieval.catalog.product import Product
from retrieval.identifiers import (
    build_key_table,
    identifier_key,
    lookup,
    product_keys,
    query_keys,
)

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(
    ("value", "key"),
    [
        ("CE285A", "ce285a"),
        ("ce-285a", "ce285a"),
        ("006R90321", "006r90321"),
        ("dv7-1211ea", "dv71211ea"),
        ("0884420005896", "0884420005896"),
        (884420005896, "884420005896"),
        ("16GB", None),  # a measurement, not a code
        ("13.3in", None),
        ("4300", None),  # too short a number to be an EAN
        ("3 ft Cat5e Patch Cable", None),  # a model name
        ("Expresiones", None),
        (True, None),
        (None, None),
    ],
)
def test_identifier_key(value: object, key: str | None) -> None:
    assert identifier_key(value) == key


def test_product_keys_include_ean_as_upc() -> None:
    product = Product(
        id="1",
        title="HP 85A toner",
        price=Decimal("50"),
        attributes={"part_number": "CE285A", "ean": "0884962780", "oem_code": "Q5949A"},
    )
    assert product_keys(product) == {"ce285a", "0884962780", "884962780", "q5949a"}


def test_query_keys_find_codes_among_words() -> None:
    assert query_keys("toner CE285A, or 006R90321? 16GB please") == ["ce285a", "006r90321"]


def test_shared_keys_beyond_the_limit_are_dropped() -> None:
    table = build_key_table([(0, {"abc123"}), (1, {"abc123"}), (2, {"xyz789"})], max_docs_per_key=1)
    assert table == {"xyz789": [2]}
    assert lookup(table, "need XYZ-789 or abc123") == [2]
