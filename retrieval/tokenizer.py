"""A tokenizer for product text: part numbers, measurements, hyphens and case.

The same tokenizer is used for documents and queries, so whatever it does to one it does to
the other. Steps: Unicode NFKC and lower case; measurements glued to canonical units
(:func:`retrieval.units.normalize_units`); words and compound codes found; a compound such as
``dv7-1211ea`` or ``usb-c`` is kept whole, joined (``dv71211ea``) and split into its pieces
(``dv7``, ``1211ea``); stop words dropped; plural ``-s`` stripped from plain words.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator

from retrieval.units import normalize_units

# Words and compounds: runs of word characters joined by - / _ + or a dot. The dot between
# two digits is part of a number ("13.3in"), elsewhere it joins a compound ("v1.2b").
_RAW_TOKEN = re.compile(r"\w+(?:[-/_+.]\w+)*")
# Where a compound is split into pieces: any joiner but a dot between two digits.
_PIECE_SPLIT = re.compile(r"[-/_+]|(?<!\d)\.|\.(?!\d)")
_JOINERS = re.compile(r"[-/_+.]")
_PLAIN_WORD = re.compile(r"[^\W\d_]+")

STOP_WORDS: frozenset[str] = frozenset(
    """a an and are as at be by for from has have i in into is it its me my of on or our s t
    that the their this these those to was we were will with you your""".split()
)

TOKENIZER_VERSION = "1"
"""Bumped whenever tokenisation changes, so a persisted index built with another is rebuilt."""


def light_stem(word: str) -> str:
    """Strip an English plural from a plain lower-case word (Harman's S-stemmer, extended).

    Only alphabetic words longer than three letters are touched, so ``ups``, ``bus`` and codes
    stay as they are.

    Example:
        >>> [light_stem(w) for w in ["cables", "batteries", "switches", "wireless", "glasses"]]
        ['cable', 'battery', 'switch', 'wireless', 'glass']
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and not word.endswith(("eies", "aies")):
        return word[:-3] + "y"
    if word.endswith(("sses", "ches", "shes", "xes", "zes")):
        return word[:-2]
    if word.endswith("es") and not word.endswith(("aes", "ees", "oes")):
        return word[:-1]
    if word.endswith("s") and not word.endswith(("us", "ss", "is")):
        return word[:-1]
    return word


class ProductTokenizer:
    """Turns product or query text into index terms.

    Args:
        stem: Strip plurals from plain words (``cables`` -> ``cable``).
        stop_words: Words dropped when they stand alone (pieces of a compound are kept).

    Example:
        >>> ProductTokenizer().tokenize('HP dv7-1211ea 17.3" laptops, 4 GB')
        ['hp', 'dv7-1211ea', 'dv71211ea', 'dv7', '1211ea', '17.3in', 'laptop', '4gb']
    """

    _CACHE_LIMIT = 500_000

    def __init__(self, *, stem: bool = True, stop_words: Iterable[str] = STOP_WORDS) -> None:
        self.stem = stem
        self.stop_words = frozenset(w.lower() for w in stop_words)
        # Catalog text repeats the same words and codes endlessly: remember each one's terms.
        self._cache: dict[str, tuple[str, ...]] = {}

    @property
    def signature(self) -> str:
        """Identifies the tokenisation; a persisted index with another signature is rebuilt."""
        return f"v{TOKENIZER_VERSION}-stem{int(self.stem)}-stop{len(self.stop_words)}"

    def tokenize(self, text: str) -> list[str]:
        """Index terms of ``text``, in order of appearance (repeats kept)."""
        return [term for raw in raw_tokens(text) for term in self.terms(raw)]

    def terms(self, raw: str) -> tuple[str, ...]:
        """The index terms of one raw token (a word or compound from :func:`raw_tokens`)."""
        cached = self._cache.get(raw)
        if cached is None:
            if len(self._cache) >= self._CACHE_LIMIT:
                self._cache.clear()
            cached = self._cache[raw] = tuple(self._terms(raw))
        return cached

    def _terms(self, raw: str) -> Iterator[str]:
        pieces = [p for p in _PIECE_SPLIT.split(raw) if p]
        if len(pieces) <= 1:
            if raw not in self.stop_words:
                yield self.normalize_word(raw)
            return
        yield raw
        joined = _JOINERS.sub("", raw)
        if joined != raw:
            yield joined
        for piece in pieces:
            yield self.normalize_word(piece)

    def normalize_word(self, word: str) -> str:
        """One plain word as an index term (stemmed when stemming is on)."""
        return light_stem(word) if self.stem else word


def normalize_text(text: str) -> str:
    """NFKC, lower case and canonical measurements: the form every other step works on."""
    return normalize_units(unicodedata.normalize("NFKC", text).lower())


def raw_tokens(text: str) -> list[str]:
    """Words and compound codes of ``text`` after :func:`normalize_text`.

    Example:
        >>> raw_tokens("StarTech.com 10 ft USB-C cable (CE285A)")
        ['startech.com', '10ft', 'usb-c', 'cable', 'ce285a']
    """
    return _RAW_TOKEN.findall(normalize_text(text))


def is_plain_word(token: str) -> bool:
    """Letters only (any script): the tokens spelling correction may touch."""
    return _PLAIN_WORD.fullmatch(token) is not None
