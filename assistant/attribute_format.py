"""Human labels and values for catalog attributes, and the key attributes of each category."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from assistant.product_facts import cable_length_m, memory_gb, screen_inches
from retrieval.catalog.product import AttributeValue, Product

KEY_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "laptop": ("display_diagonal", "internal_memory", "total_storage_capacity",
               "processor_family", "display_resolution", "weight", "operating_system_installed"),
    "desktop": ("internal_memory", "total_storage_capacity", "processor_family",
                "form_factor", "operating_system_installed"),
    "monitor": ("display_diagonal", "display_resolution", "response_time",
                "display_brightness__typical_", "hdmi_ports_quantity"),
    "tv": ("display_diagonal", "display_resolution", "hd_type", "hdmi_ports_quantity"),
    "cable": ("cable_length", "connector_1", "connector_2", "cable_standard", "cable_colour"),
    "adapter": ("connector_1", "connector_2", "cable_length", "product_colour"),
    "toner": ("printing_colours", "black_toner_page_yield", "colour_toner_page_yield", "type",
              "compatibility"),
    "ink": ("printing_colours", "ink_type", "type", "compatibility"),
    "mouse": ("device_interface", "movement_detection_technology", "movement_resolution",
              "buttons_quantity", "product_colour"),
    "keyboard": ("device_interface", "connectivity_technology", "keyboard_layout",
                 "numeric_keypad", "product_colour"),
    "printer": ("print_technology", "maximum_resolution",
                "print_speed__black__normal_quality__a4_us_letter_", "colour", "ethernet_lan"),
    "headset": ("connectivity_technology", "wearing_style", "headphone_frequency",
                "cable_length"),
    "bag": ("maximum_screen_size_compatibility", "case_type", "material", "product_colour"),
    "phone": ("display_diagonal", "internal_storage_capacity", "battery_capacity",
              "rear_camera_resolution__numeric_"),
    "memory": ("internal_memory", "internal_memory_type", "memory_clock_speed",
               "memory_form_factor"),
    "storage": ("capacity", "hdd_capacity", "interface", "read_speed", "write_speed"),
}  # fmt: skip

_LABELS = {
    "display_diagonal": "Screen size",
    "internal_memory": "Memory (RAM)",
    "total_storage_capacity": "Storage",
    "product_colour": "Colour",
    "print_speed__black__normal_quality__a4_us_letter_": "Print speed (black)",
    "display_brightness__typical_": "Brightness",
    "rear_camera_resolution__numeric_": "Rear camera",
    "movement_resolution": "Resolution (DPI)",
}
_UNITS = {
    "total_storage_capacity": " GB", "internal_storage_capacity": " GB", "weight": " g",
    "response_time": " ms", "display_brightness__typical_": " cd/m²", "battery_capacity": " mAh",
    "black_toner_page_yield": " pages", "colour_toner_page_yield": " pages", "page_yield": " pages",
    "print_speed__black__normal_quality__a4_us_letter_": " ppm", "processor_frequency": " GHz",
    "maximum_screen_size_compatibility": '"', "memory_clock_speed": " MHz", "width": " mm",
    "depth": " mm", "height": " mm", "rear_camera_resolution__numeric_": " MP",
    "hdd_capacity": " GB", "headphone_frequency": " Hz",
}  # fmt: skip
# Logistics and identifiers: never "key" attributes of a product.
_NOISE = (
    "package", "pallet", "master__", "ean", "part_number", "date_released", "quantity_per",
    "harmonized", "country_of", "operating_temp", "storage_temp", "operating_rel",
    "storage_rel", "last_change", "status", "certification", "rohs", "oem_code", "hp_segment",
    "euro_pallet", "number_of_cartons", "number_of_layers", "minimum_order",
)  # fmt: skip
_MAX_VALUE_CHARS = 160


def attribute_label(key: str) -> str:
    """ "display_diagonal" -> "Screen size", "hdmi_ports_quantity" -> "Hdmi ports quantity"."""
    if key in _LABELS:
        return _LABELS[key]
    words = " ".join(key.replace("__", " ").replace("_", " ").split())
    return words[:1].upper() + words[1:]


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def format_value(product: Product, key: str, value: AttributeValue) -> str:
    """An attribute value with its unit, in the units shoppers use."""
    if key == "display_diagonal" and (inches := screen_inches(product)) is not None:
        return f'{_number(inches)}"'
    if key == "internal_memory" and (gb := memory_gb(product)) is not None:
        return f"{_number(gb)} GB"
    if key == "cable_length" and (metres := cable_length_m(product)) is not None:
        return f"{_number(metres)} m ({metres / 0.3048:.1f} ft)"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int | float):
        return _number(float(value)) + _UNITS.get(key, "")
    text = " ".join(str(value).replace("\\n", ", ").split())
    return text if len(text) <= _MAX_VALUE_CHARS else text[: _MAX_VALUE_CHARS - 1] + "…"


def is_noise(key: str) -> bool:
    return key.startswith(_NOISE)


def key_attributes(products: Sequence[Product], limit: int = 6) -> list[str]:
    """The attributes worth comparing for these products: the category's key attributes
    that at least one of them has, topped up with the attributes most of them share."""
    keys: list[str] = []
    for product in products:
        for key in KEY_ATTRIBUTES.get(product.category, ()):
            if key not in keys and any(key in p.attributes for p in products):
                keys.append(key)
    shared = Counter(k for p in products for k in p.attributes if not is_noise(k))
    for key, count in shared.most_common():
        if len(keys) >= limit:
            break
        if key not in keys and count >= max(2, len(products) // 2 + 1):
            keys.append(key)
    return keys[:limit]


def attribute_value(product: Product, key: str) -> str | None:
    """The formatted value of ``key`` for ``product`` (title fallbacks for screen size and
    cable length), or ``None`` when the product data does not say."""
    if key in product.attributes:
        return format_value(product, key, product.attributes[key])
    if key == "display_diagonal" and (inches := screen_inches(product)) is not None:
        return f'{_number(inches)}"'
    if key == "cable_length" and (metres := cable_length_m(product)) is not None:
        return f"{_number(metres)} m ({metres / 0.3048:.1f} ft)"
    return None
