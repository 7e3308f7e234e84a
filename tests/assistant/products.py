"""Hand-made catalog products for unit tests (shaped like real Icecat rows)."""

from decimal import Decimal

from retrieval.catalog.product import Product


def product(pid: str, title: str, price: str, **fields: object) -> Product:
    values: dict[str, object] = {"brand": title.split()[0], "category": "laptop"}
    values.update(fields)
    return Product(id=pid, title=title, price=Decimal(price), **values)  # type: ignore[arg-type]


HP_LAPTOP = product(
    "1",
    'HP ProBook 4320s Notebook PC Black 33.8 cm (13.3") Intel Core i3 3 GB',
    "649.00",
    color="Black",
    attributes={
        "display_diagonal": 13.3,
        "internal_memory": 3.0,
        "hdmi_ports_quantity": 1.0,
        "product_colour": "Black",
        "weight": 2000.0,
        "total_storage_capacity": 320.0,
        "bluetooth": True,
        "ean": "0884962565131",
    },
)
LENOVO_LAPTOP = product(
    "2",
    'Lenovo IdeaPad S340 Notebook Gray 35.6 cm (14") 8 GB',
    "496.95",
    color="Grey",
    attributes={"display_diagonal": 14.0, "internal_memory": 8.0, "hdmi_ports_quantity": 0.0},
)
BIG_LAPTOP = product(
    "3",
    'HP Compaq 6820s Notebook Black 43.2 cm (17") 2 GB',
    "49.95",
    attributes={},
)
CABLE = product(
    "4",
    "StarTech.com 10 ft DB25 to Centronics 36 Parallel Printer Cable - M/M",
    "7.95",
    brand="StarTech.com",
    category="cable",
    attributes={"cable_length": 3.05, "connector_1": "DB-25", "connector_2": "Centronics 36"},
)
TONER = product(
    "5",
    "Lexmark 08A0476 toner cartridge Original Black 1 pc(s)",
    "124.95",
    category="toner",
    attributes={"compatibility": "Lexmark E320, E322, E322n", "printing_colours": "Black"},
)
MEMORY_MB = product(
    "6",
    "Kingston 1GB DDR2 memory module",
    "20.00",
    brand="Kingston Technology",
    category="memory",
    attributes={"internal_memory": 1024.0},
)
