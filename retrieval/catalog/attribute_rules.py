"""When a title names no category: what Icecat's attributes say.

Two kinds of evidence, tried in this order: attribute *values* that name a category outright
(``product_type: Notebook``), then attribute *keys* that betray one (a toner page yield, a
processor socket, a lens mount). Keys are Icecat's, with the ``attr_t_``/``attr_n_``/``attr_b_``
prefix stripped.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

from retrieval.catalog.phrase_table import parse_phrase_table
from retrieval.catalog.title_phrases import CARTRIDGE

ATTRIBUTE_VALUES: dict[str, dict[str, str]] = {
    attribute: dict(pair.split(" -> ") for pair in pairs)
    for attribute, pairs in parse_phrase_table(
        """
product_type: processor -> processor | notebook -> laptop | headphones -> headset
    | headset -> headset | desktop board -> motherboard | pc -> desktop
    | workstation -> desktop | network interface card -> networking | system -> server
    | maintenance kit -> printer-supplies | server/workstation board -> motherboard
    | hybrid (2-in-1) -> laptop | chromebook -> laptop | netbook -> laptop
    | battery -> battery | drip coffee maker -> kitchen-appliance | raid -> expansion-card
    | keyboard cover -> keyboard | filter kit -> home-appliance | chassis -> computer-case
    | pod coffee machine -> kitchen-appliance | transfer kit -> printer-supplies
    | stereo portable speaker -> speaker | all-in-one pc -> desktop
    | mobile workstation -> laptop | tabletop router -> networking
    | roller kit -> printer-supplies | espresso machine -> kitchen-appliance
    | desktop projector -> projector | flat panel mount arm -> mount
    | portable router -> networking | adapter -> adapter | mini pc (<= 3l) -> desktop
    | mini pc (<= 3l) barebone -> desktop
type: original -> cartridge | compatible -> cartridge | hdd -> storage | battery -> battery
    | pc -> desktop | cd-r -> storage-media | dvd-r -> storage-media
    | dvd+r -> storage-media | dvd-rw -> storage-media | cd-rw -> storage-media
    | dvd+r dl -> storage-media | dvd+rw -> storage-media | jigsaw puzzle -> toy
    | freestanding rack -> rack | wall mounted rack -> rack | fan -> cooling
    | cooler -> cooling | radiator -> cooling | server -> server
    | mp3 player -> media-player | mp4 player -> media-player | pos printer -> printer
    | fax ribbon -> printer-supplies | keyboard -> keyboard | roller -> printer-supplies
    | on-site -> warranty | pick-up&return -> warranty
    | scientific calculator -> office-supplies | financial calculator -> office-supplies
    | basic calculator -> office-supplies | printing calculator -> office-supplies
    | dect telephone -> phone | paper tray -> printer-supplies | nas -> server
    | storage server -> server
device_type: keyboard -> keyboard | dvd player -> media-player | full-size tablet -> tablet
    | portable cd player -> media-player | dvd recorder -> media-player
    | mobile phone/smartphone -> phone | wristband activity tracker -> wearable
    | handheld garment steamer -> home-appliance | mini tablet -> tablet
    | tablet computer -> tablet | hdd -> storage | joystick -> gaming | gamepad -> gaming
    | steering wheel -> gaming | steering wheel + pedals -> gaming | flight sim -> gaming
    | mp3/mp4 player -> media-player | external floppy drive -> storage | pc -> desktop
form_factor: slate -> tablet | clamshell -> laptop | convertible (folder) -> laptop
    | convertible (swivel) -> laptop | 240-pin dimm -> memory | 200-pin sodimm -> memory
    | 204-pin sodimm -> memory | 184-pin dimm -> memory | 288-pin dimm -> memory
    | 260-pin sodimm -> memory
label_type: self-adhesive printer label -> labels | dk -> labels | tx -> labels
    | m -> labels | tc -> labels | pvc -> labels | non-adhesive printer label -> labels
supply_type: multi pack -> ink | single pack -> ink
"""
    ).items()
}
"""Attribute -> lower-case value -> category (or :data:`CARTRIDGE`)."""

# "category <- key key -veto": the first line whose keys are present (with a value other than
# False) and whose vetoes are absent wins. Indented lines continue the line above.
_SIGNALS_TEXT = """
toy <- recommended_age__min_ recommended_age__max_
printer <- print_speed__black__normal_quality__a4_us_letter_ maximum_duty_cycle
    paper_tray_media_types number_of_print_cartridges printing
scanner <- scanner_type scanning
toner <- black_toner_page_yield colour_toner_page_yield toner_type
ink <- ink_type black_ink_page_yield colour_ink_page_yield
printer-supplies <- drum_page_yield drum_type
toner <- page_yield -print_technology
tv <- tv_tuner_integrated -processor_frequency
monitor <- display_diagonal -processor_frequency -internal_memory
motherboard <- motherboard_form_factor number_of_memory_slots motherboard_ark_id
networking <- switch_layer switch_type basic_switching_rj_45_ethernet_ports_quantity
camera-lens <- fixed_focal_length focal_length_range__f_f_ lens_structure__elements_groups_
    lens_mount_interface lens_type minimum_aperture_number -megapixel -total_megapixels
processor <- processor_socket processor_cores processor_ark_id -internal_memory
    -display_diagonal
memory <- memory_form_factor memory_layout__modules_x_size_
storage <- hdd_capacity ssd_capacity hdd_interface ssd_form_factor
phone <- sim_card_capability mobile_network_generation talk_time__3g_
memory <- memory_clock_speed -processor_frequency -display_diagonal
labels <- labels_per_pack labels_per_sheet label_size
paper <- media_sheets_per_package paper_weight media_weight
cable <- cable_length
battery <- battery_capacity battery_voltage -display_diagonal
"""


class AttributeSignal(NamedTuple):
    """Attribute keys that betray a category unless one of the veto keys is present too."""

    category: str
    any_of: frozenset[str]
    none_of: frozenset[str]


def _parse_signals(text: str) -> tuple[AttributeSignal, ...]:
    lines: list[str] = []
    for line in text.splitlines():
        if line[:1].isspace() and lines:
            lines[-1] += " " + line.strip()
        elif line.strip():
            lines.append(line.strip())
    signals = []
    for line in lines:
        category, _, keys = line.partition(" <- ")
        words = keys.split()
        signals.append(
            AttributeSignal(
                category.strip(),
                frozenset(w for w in words if not w.startswith("-")),
                frozenset(w[1:] for w in words if w.startswith("-")),
            )
        )
    return tuple(signals)


ATTRIBUTE_SIGNALS: tuple[AttributeSignal, ...] = _parse_signals(_SIGNALS_TEXT)


def ink_or_toner(attributes: Mapping[str, object]) -> str:
    """Whether a cartridge the title does not qualify holds ink or toner (ink unless told)."""
    if any(key.endswith("toner_page_yield") or key == "toner_type" for key in attributes):
        return "toner"
    if any(key.startswith("ink_") or key.endswith("ink_page_yield") for key in attributes):
        return "ink"
    technology = attributes.get("print_technology")
    if isinstance(technology, str) and "laser" in technology.lower():
        return "toner"
    return "ink"


def category_from_attributes(attributes: Mapping[str, object]) -> str | None:
    """The category the attributes point to, :data:`CARTRIDGE`, or ``None`` if they don't.

    Example:
        >>> category_from_attributes({"product_type": "Notebook"})
        'laptop'
    """
    for key, table in ATTRIBUTE_VALUES.items():
        value = attributes.get(key)
        if isinstance(value, str) and value.strip().lower() in table:
            return table[value.strip().lower()]
    # A key whose value is False ("TV tuner integrated: no") is no signal.
    present = {key for key, value in attributes.items() if value is not False}
    for signal in ATTRIBUTE_SIGNALS:
        if not signal.any_of.isdisjoint(present) and signal.none_of.isdisjoint(present):
            return signal.category
    if "printing_colours" in attributes:
        return CARTRIDGE
    return None
