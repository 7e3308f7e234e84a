"""The store's category table: slug, shopper-facing label and the words shoppers use for it.

The query parser looks categories up in shopper messages through these synonyms, so each entry
lists singulars, plurals and everyday words (and a few Chinese ones), all lower-case.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from retrieval.catalog.phrase_table import parse_phrase_table


class Category(NamedTuple):
    """One category of the store taxonomy.

    Example:
        >>> Category("mouse", "Mouse", ("mouse", "mice")).label
        'Mouse'
    """

    slug: str
    label: str
    synonyms: tuple[str, ...]


# "slug / Label: synonym | synonym": main devices first, since the first category to claim a
# synonym keeps it. Words too ambiguous in a shopper's sentence ("memory", "storage", "display",
# "case", "windows") are left out on purpose; longer phrases ("laptop case") carry them.
_TABLE_TEXT = """
laptop / Laptop: laptop | laptops | notebook | notebooks | notebook pc | ultrabook
    | ultrabooks | chromebook | chromebooks | netbook | netbooks | macbook | 笔记本 | 笔记本电脑
desktop / Desktop PC: desktop | desktops | desktop pc | desktop computer | pc | pcs
    | computer tower | workstation | workstations | all-in-one | mini pc | thin client | 台式机
    | 电脑
server / Server: server | servers | rack server | nas | 服务器
tablet / Tablet: tablet | tablets | ipad | ipads | 平板 | 平板电脑
wearable / Smartwatch & wearable: smartwatch | smartwatches | smart watch | fitness tracker
    | activity tracker | 智能手表
handheld / Handheld computer: handheld | handhelds | pda | mobile computer
phone / Phone: phone | phones | smartphone | smartphones | mobile phone | mobile phones
    | cell phone | cellphone | telephone | iphone | 手机 | 电话
processor / Processor: processor | processors | cpu | cpus | 处理器
motherboard / Motherboard: motherboard | motherboards | mainboard | server board | 主板
memory / Memory (RAM): ram | ram stick | ram sticks | memory module | memory modules | dimm
    | sodimm | 内存
graphics-card / Graphics card: graphics card | graphics cards | video card | gpu | gpus | 显卡
storage / Storage: storage device | storage devices | ssd | ssds | hard drive | hard drives
    | hard disk | hdd | hdds | usb stick | usb sticks | flash drive | flash drives
    | memory card | memory cards | sd card | external drive | 硬盘 | 固态硬盘 | u盘
storage-media / Blank media: cd-r | dvd-r | blank dvd | blank dvds | blank cd | blank cds
    | blu-ray disc | data tape | tape cartridge | 光盘
computer-case / Computer case: computer case | pc case | chassis | 机箱
cooling / Cooling: fan | fans | cooler | coolers | heatsink | cooling pad | 散热器
power-supply / Power supply unit: power supply | power supplies | psu | 电源
expansion-card / Expansion card: expansion card | interface card | raid controller
    | sound card | pci card
monitor / Monitor: monitor | monitors | computer screen | lcd monitor | computer monitor
    | 显示器
tv / TV: tv | tvs | television | televisions | 电视
projector / Projector: projector | projectors | beamer | 投影仪
projector-lamp / Projector lamp: projector lamp | projector lamps | projector bulb
    | replacement lamp
screen-filter / Screen filter: privacy filter | privacy filters | screen protector
    | screen protectors | anti-glare filter
mount / Mount & stand: mount | mounts | wall mount | desk mount | monitor arm
    | monitor stand | tv mount | bracket | brackets | laptop stand | 支架
printer / Printer: printer | printers | multifunction printer | mfp | all-in-one printer
    | laser printer | inkjet printer | label printer | 打印机
scanner / Scanner: scanner | scanners | 扫描仪
toner / Toner: toner | toners | toner cartridge | toner cartridges | laser toner | 硒鼓 | 墨粉
ink / Ink: ink | inks | ink cartridge | ink cartridges | printer ink | ink tank | 墨盒
printer-supplies / Printer parts & supplies: printer drum | imaging drum | drum unit | fuser
    | maintenance kit | printer ribbon | ribbon | paper tray | transfer belt | staples
paper / Paper: paper | photo paper | printer paper | copy paper | large format paper | 纸
labels / Labels: label | labels | label tape | sticker | stickers | 标签
keyboard / Keyboard: keyboard | keyboards | keyboard and mouse | keypad | 键盘
mouse / Mouse: mouse | mice | trackball | wireless mouse | 鼠标
mouse-pad / Mouse pad: mouse pad | mouse pads | mousepad | mousepads | 鼠标垫
headset / Headset & headphones: headset | headsets | headphones | headphone | earphones
    | earphone | earbuds | earbud | earpiece | 耳机
speaker / Speaker: speaker | speakers | soundbar | loudspeaker | 音箱 | 音响
microphone / Microphone: microphone | microphones | mic | 麦克风
webcam / Webcam: webcam | webcams | web camera | 摄像头
camera / Camera: camera | cameras | digital camera | camcorder | security camera | dslr | 相机
camera-lens / Camera lens: lens | lenses | camera lens | 镜头
camera-accessory / Camera accessory: tripod | tripods | camera flash | lens cap
    | camera strap
media-player / Media player: mp3 player | media player | dvd player | blu-ray player
    | music player | radio | hi-fi
gaming / Gaming: game console | games console | video game | video games | gamepad
    | controller | playstation | xbox | nintendo | 游戏机
kvm / KVM switch: kvm | kvm switch | kvm switches | kvm console
cable / Cable: cable | cables | cord | cords | lead | leads | patch cable | network cable
    | ethernet cable | usb cable | hdmi cable | power cord | 数据线 | 线缆 | 电缆
adapter / Adapter & charger: adapter | adapters | adaptor | adaptors | power adapter
    | ac adapter | charger | chargers | converter | dongle | 适配器 | 充电器 | 转换器
video-switch / Video splitter & extender: video splitter | hdmi splitter | video switch
    | av extender | hdmi extender | av transmitter
dock / Dock & hub: docking station | docking stations | dock | docks | usb hub | hub | hubs
    | port replicator | 扩展坞
networking / Networking: router | routers | switch | network switch | access point | wifi
    | wi-fi | modem | network card | network adapter | powerline | transceiver | sfp
    | media converter | repeater | 路由器 | 交换机
battery / Battery: battery | batteries | laptop battery | rechargeable batteries
    | aa batteries | aaa batteries | 电池
ups / UPS: ups | uninterruptible power supply | battery backup
power / Power distribution: pdu | surge protector | power strip | extension socket
    | power distribution | 插线板 | 排插
bag / Bag & case: bag | bags | laptop bag | laptop case | notebook bag | notebook case
    | backpack | backpacks | sleeve | briefcase | camera bag | carrying case | 包 | 背包
phone-case / Phone & tablet case: phone case | phone cases | tablet case | phone cover
    | tablet cover | 手机壳
security-lock / Security lock: cable lock | laptop lock | notebook lock | security lock
    | kensington lock
rack / Rack & accessories: rack | racks | rack cabinet | server rack | rack shelf | 机柜
software / Software: software | licence | license | operating system | microsoft office
    | antivirus | 软件
warranty / Warranty & service: warranty | warranties | care pack | service plan
    | extended warranty | 保修
office-supplies / Office supplies: office supplies | calculator | calculators | stationery
    | binder | folder | notepad | 计算器
toy / Toy: toy | toys | doll | dolls | puzzle | puzzles | board game | 玩具
kitchen-appliance / Kitchen appliance: coffee maker | coffee machine | espresso machine
    | kettle | blender | fryer | toaster | 咖啡机
home-appliance / Home appliance: vacuum | vacuum cleaner | steam iron | air purifier
    | heater | 吸尘器
personal-care / Personal care: shaver | shavers | trimmer | hair clipper | hair dryer
    | toothbrush | epilator | 剃须刀 | 吹风机
lighting / Lighting: light bulb | light bulbs | bulb | bulbs | led bulb | lamp | lamps
    | flashlight | torch | 灯
other / Other:
"""


def _parse_categories(text: str) -> tuple[Category, ...]:
    categories = []
    for key, synonyms in parse_phrase_table(text).items():
        slug, _, label = key.partition(" / ")
        categories.append(Category(slug.strip(), label.strip(), synonyms))
    return tuple(categories)


_TABLE: tuple[Category, ...] = _parse_categories(_TABLE_TEXT)

CATEGORIES: tuple[str, ...] = tuple(c.slug for c in _TABLE)
"""Every category slug, ``other`` last."""

_LABELS: dict[str, str] = {c.slug: c.label for c in _TABLE}


def _build_synonyms() -> dict[str, str]:
    synonyms: dict[str, str] = {}
    for category in _TABLE:
        for word in category.synonyms:
            # The first category to claim a word keeps it: the table lists main devices first.
            synonyms.setdefault(word.lower(), category.slug)
    return synonyms


CATEGORY_SYNONYMS: dict[str, str] = _build_synonyms()
"""Lower-case word or phrase a shopper may type -> category slug."""


def category_label(slug: str) -> str:
    """The human label of a category slug.

    Unknown slugs (a source's own category kept as is) are turned into a readable label.

    Args:
        slug: A category slug such as ``"graphics-card"``.

    Returns:
        The label, e.g. ``"Graphics card"``.

    Example:
        >>> category_label("laptop")
        'Laptop'
        >>> category_label("home-decoration")
        'Home decoration'
    """
    label = _LABELS.get(slug)
    if label is not None:
        return label
    text = slug.replace("-", " ").replace("_", " ").strip()
    return text[:1].upper() + text[1:] if text else "Other"


def canonical_category(raw: str) -> str | None:
    """A source's own category name as one of our slugs, or as a clean slug of its own.

    Args:
        raw: A category as a source spells it ("Laptops", "smartphones", "Home Decoration").

    Returns:
        Our slug when the name is one of our slugs or synonyms, else the name slugified
        (lower-case, words joined by ``-``); ``None`` when nothing usable is left.

    Example:
        >>> canonical_category("Smartphones")
        'phone'
        >>> canonical_category("Home Decoration")
        'home-decoration'
    """
    text = " ".join(raw.lower().split())
    if text in _LABELS:
        return text
    if text in CATEGORY_SYNONYMS:
        return CATEGORY_SYNONYMS[text]
    spaced = text.replace("-", " ").replace("_", " ")
    if spaced in CATEGORY_SYNONYMS:
        return CATEGORY_SYNONYMS[spaced]
    slug = re.sub(r"[^\w]+", "-", text, flags=re.UNICODE).strip("-_")[:64]
    return slug or None
