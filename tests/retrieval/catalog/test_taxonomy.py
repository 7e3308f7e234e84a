"""Category derivation on real Icecat titles, and the taxonomy tables."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from retrieval.catalog.categories import canonical_category
from retrieval.catalog.taxonomy import (
    CATEGORIES,
    CATEGORY_SYNONYMS,
    category_label,
    derive_category,
)

pytestmark = pytest.mark.unit

# Real titles from the bundled catalog, with the category a shop assistant would give them.
REAL_TITLES = [
    (
        'HP Pavilion dv7-1211ea Notebook Silver 43.2 cm (17") 1440 x 900 pixels Intel® Core™2 '
        "Duo 4 GB DDR2-SDRAM 250 GB HDD NVIDIA® GeForce® 9200M GS Windows Vista Home Premium",
        "laptop",
    ),
    ("Xerox 006R90321 toner cartridge Original Black 6 pc(s)", "toner"),
    ("Xerox Waste Toner Container 31000 pages", "toner"),
    ("Lexmark 14N1070 ink cartridge Original Magenta 1 pc(s)", "ink"),
    ("Canon BCI-6Y Original", "ink"),
    ("Epson Singlepack Cyan T502011", "ink"),
    ("KYOCERA TK-420 Original Black", "toner"),
    ("Brother DR2100 Original", "printer-supplies"),
    ("HP LaserJet Color CP3505n skrivare Colour 1200 x 600 DPI A4", "printer"),
    ("Origin Storage AC Adapter (90W PA-10) for Dell Lat/Insp/PWS - UK", "adapter"),
    (
        "StarTech.com 3 ft Cat5e Purple Molded RJ45 UTP Cat 5e Patch Cable - 3ft Patch Cord",
        "cable",
    ),
    ("StarTech.com 35 ft Coax High Resolution VGA Monitor Extension Cable - HD15 M/F", "cable"),
    ("StarTech.com 10 ft DB25 to Centronics 36 Parallel Printer Cable - M/M", "cable"),
    (
        "C2G 2ft USB 2.0 A Female to B Male Panel Mount Cable USB cable 0.6 m USB A USB B Black",
        "cable",
    ),
    ('Targus 15.6" Crave Laptop Slipcase notebook case 39.6 cm (15.6") Sleeve case Blue', "bag"),
    ('HP Basic Backpack notebook case 39.6 cm (15.6") Backpack case Black', "bag"),
    ("HP NS09 Notebook Battery", "battery"),
    ("APC RBC5 UPS battery Sealed Lead Acid (VRLA)", "battery"),
    ("Logitech MK710 keyboard RF Wireless AZERTY French Black", "keyboard"),
    ("Acer EC.J6000.001 projector lamp 230 W P-VIP", "projector-lamp"),
    ("Sony Spare Lamp f VPL-PX1 projector lamp 120 W UHP", "projector-lamp"),
    ("Kingston Technology System Specific Memory 256MB memory module 100 MHz", "memory"),
    ("HP 256 MB DDR2 144-pin DIMM", "memory"),
    ("Intel Xeon E5320 processor 1.86 GHz Box 8 MB L2", "processor"),
    ("Origin Storage 1TB Desktop 3.5in SATA HD kit 7200Rpm Dell Wkstn Chassis", "storage"),
    (
        "Lenovo ThinkCentre M75s AMD Ryzen 3 PRO 3200G 8 GB DDR4-SDRAM 256 GB SSD SFF Black PC "
        "Windows 10 Pro",
        "desktop",
    ),
    (
        "APC Smart-UPS RT 3000VA Rack Tower 120V uninterruptible power supply (UPS) 2100 W",
        "ups",
    ),
    ("Leitz WOW Notebook A4 squared with hardcover", "office-supplies"),
    (
        'Samsung Galaxy A40 SM-A405F 15 cm (5.9") 4 GB 64 GB Dual SIM 4G USB Type-C Black '
        "Android 9.0 3100 mAh",
        "phone",
    ),
    (
        "TP-LINK TL-WA860RE PowerLine network adapter 300 Mbit/s Ethernet LAN Wi-Fi White",
        "networking",
    ),
    ("Canon EF 75-300mm f/4.0-5.6 III USM SLR Telephoto lens Black", "camera-lens"),
    ("Case Logic TBC302P camera case Pink", "bag"),
    ("Urban Factory Mouse Small Jerry's, Retractable USB cable, 800dpi, Pink", "mouse"),
    ("PAW Patrol , Rocky's Total Team Rescue Recycling Truck with 6 Pups", "toy"),
    ("Lexmark 08A0476 toner cartridge Original Black 1 pc(s)", "toner"),
]

# Titles that name no category: the attributes decide.
ATTRIBUTE_CASES = [
    (
        "HP 85 Original Light magenta",
        {"type": "Original", "ink_type": "Dye-based ink", "printing_colours": "Light magenta"},
        "ink",
    ),
    (
        "HP 124A Original Black 1 pc(s)",
        {"type": "Original", "printing_colours": "Black", "black_toner_page_yield": 2500.0},
        "toner",
    ),
    (
        "Brother LC600C Original Cyan",
        {"type": "Original", "printing_colours": "Cyan", "maximum_duty_cycle": 450.0},
        "ink",
    ),
    (
        "ASUS Crosshair III Formula Socket AM3 ATX",
        {"processor_socket": "Socket AM3", "motherboard_form_factor": "ATX"},
        "motherboard",
    ),
    (
        'DELL SE2417HGX 61 cm (24") 1920 x 1080 pixels Full HD LCD Black',
        {"display_diagonal": 24.0, "tv_tuner_integrated": False, "response_time": 5.0},
        "monitor",
    ),
    ("Canon TS-E 24mm f/3.5L Black", {"fixed_focal_length": 24.0}, "camera-lens"),
    ("Some Gadget X1", {"product_type": "Notebook"}, "laptop"),
]


@pytest.mark.parametrize(("title", "expected"), REAL_TITLES)
def test_derive_category_on_real_titles(title: str, expected: str) -> None:
    assert derive_category(title) == expected


@pytest.mark.parametrize(("title", "attributes", "expected"), ATTRIBUTE_CASES)
def test_attributes_decide_when_the_title_names_no_category(
    title: str, attributes: dict[str, object], expected: str
) -> None:
    assert derive_category(title, attributes) == expected


def test_title_beats_attributes() -> None:
    assert derive_category("Xerox toner cartridge", {"product_type": "Notebook"}) == "toner"


@pytest.mark.parametrize("title", ["", "   ", "Sony 50CDQ80SP", "???", "™®"])
def test_unknown_titles_are_other(title: str) -> None:
    assert derive_category(title) == "other"


def test_bad_inputs_do_not_raise() -> None:
    assert derive_category(None) == "other"  # type: ignore[arg-type]
    assert derive_category("Widget", {1: "x", "type": None}) == "other"  # type: ignore[dict-item]


@settings(max_examples=300, deadline=None)
@given(
    title=st.text(max_size=300),
    attributes=st.dictionaries(
        st.sampled_from(["type", "product_type", "printing_colours", "display_diagonal", "x"]),
        st.one_of(st.none(), st.booleans(), st.floats(allow_nan=True), st.text(max_size=20)),
        max_size=4,
    ),
)
def test_derive_category_always_returns_a_known_slug(
    title: str, attributes: dict[str, object]
) -> None:
    assert derive_category(title, attributes) in CATEGORIES
    assert derive_category(title) in CATEGORIES


def test_categories_table() -> None:
    required = {
        "laptop",
        "monitor",
        "printer",
        "toner",
        "ink",
        "cable",
        "adapter",
        "memory",
        "battery",
        "keyboard",
        "mouse",
        "projector",
        "bag",
        "headset",
        "camera",
        "storage",
    }
    assert required <= set(CATEGORIES)
    assert CATEGORIES[-1] == "other"
    assert len(set(CATEGORIES)) == len(CATEGORIES)
    assert all(category_label(slug) for slug in CATEGORIES)


@pytest.mark.parametrize(
    ("word", "slug"),
    [
        ("laptops", "laptop"),
        ("notebook", "laptop"),
        ("chromebook", "laptop"),
        ("cords", "cable"),
        ("lead", "cable"),
        ("ink cartridge", "ink"),
        ("toner cartridge", "toner"),
        ("headphones", "headset"),
        ("usb stick", "storage"),
        ("笔记本", "laptop"),
        ("鼠标", "mouse"),
        ("数据线", "cable"),
    ],
)
def test_synonyms(word: str, slug: str) -> None:
    assert CATEGORY_SYNONYMS[word] == slug


def test_synonyms_are_lower_case_and_point_to_categories() -> None:
    assert all(word == word.lower() for word in CATEGORY_SYNONYMS)
    assert set(CATEGORY_SYNONYMS.values()) <= set(CATEGORIES)


def test_category_label() -> None:
    assert category_label("laptop") == "Laptop"
    assert category_label("kitchen-accessories") == "Kitchen accessories"
    assert category_label("") == "Other"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Laptops", "laptop"),
        ("smartphones", "phone"),
        ("Home Decoration", "home-decoration"),
        ("--", None),
        ("toner", "toner"),
    ],
)
def test_canonical_category(raw: str, expected: str | None) -> None:
    assert canonical_category(raw) == expected
