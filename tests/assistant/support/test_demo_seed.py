"""The demo orders file: valid, relative dates, and every line a real bundled-catalog product."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from assistant.support.demo_seed import DEMO_ORDERS_PATH, DemoSeedError, load_demo_data

REPO = Path(__file__).resolve().parents[3]


@pytest.mark.unit
def test_demo_data_covers_the_states_the_issue_asks_for() -> None:
    data = load_demo_data()
    statuses = Counter(order.status for order in data.orders)
    assert {"processing", "shipped", "delivered", "returned"} <= set(statuses)
    customers = {c.id for c in data.customers}
    assert {order.customer for order in data.orders} <= customers
    assert len({order.number for order in data.orders}) == len(data.orders)
    ages = sorted(order.delivered_days_ago or 0 for order in data.orders)
    assert ages[-1] > 365 and any(0 < age <= 14 for age in ages)  # old and fresh orders
    categories = {line.category for order in data.orders for line in order.lines}
    assert {"laptop", "printer", "toner", "phone", "monitor", "cable"} <= categories


@pytest.mark.unit
def test_broken_file_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "orders.json"
    bad.write_text('{"customers": [], "orders": [{"number": "1"}]}')
    with pytest.raises(DemoSeedError):
        load_demo_data(bad)


@pytest.mark.slow
def test_every_line_is_a_bundled_catalog_product() -> None:
    from retrieval.catalog.loading import load_catalog

    catalog = {p.id: p for p in load_catalog(REPO / "data" / "icecat").products}
    for order in load_demo_data(DEMO_ORDERS_PATH).orders:
        for line in order.lines:
            product = catalog[line.product_id]
            assert (line.title, line.category) == (product.title, product.category)
            assert line.unit_price == product.price
