"""Exact lookup of part numbers and EANs: a query naming a product's code finds that product.

Icecat's ``part_number`` is sometimes a real manufacturer code (``CE285A``, ``006R90321``) and
sometimes a model name (``3 ft Cat5e Patch Cable``). Only code-like values become lookup keys:
one word of at least four characters with both letters and digits (a measurement such as
``16GB`` is not a code), or an EAN/UPC of 8 to 14 digits. Keys are compared without case or
separators, so ``ce-285a`` finds ``CE285A``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence

from retrieval.catalog.product import Product

IDENTIFIER_ATTRIBUTES: tuple[str, ...] = ("part_number", "oem_code", "ean")
"""Product attributes whose code-like values become lookup keys."""

_SEPARATORS = re.compile(r"[-_./\s]")
_CODE = re.compile(r"(?=[a-z0-9]*[a-z])(?=[a-z0-9]*\d)[a-z0-9]{4,40}")
_EAN = re.compile(r"\d{8,14}")
_MEASUREMENT = re.compile(r"\d+(?:\.\d+)?[a-z]{1,4}")
_QUERY_WORD = re.compile(r"[\w][\w\-./]*[\w]|\w")


def identifier_key(value: object) -> str | None:
    """The lookup key of a code-like value, or ``None`` for names and measurements.

    Example:
        >>> [identifier_key(v) for v in ["CE285A", "ce-285a", "0884962780", "16GB", "Cat5e cable"]]
        ['ce285a', 'ce285a', '0884962780', None, None]
    """
    if not isinstance(value, str | int) or isinstance(value, bool):
        return None
    text = str(value).strip().lower()
    if not text or any(c.isspace() for c in text):
        return None
    key = _SEPARATORS.sub("", text)
    if _EAN.fullmatch(key):
        return key
    if _CODE.fullmatch(key) and not _MEASUREMENT.fullmatch(key):
        return key
    return None


def product_keys(product: Product) -> set[str]:
    """Every lookup key of one product (EANs also without their leading zeros, as UPCs)."""
    keys: set[str] = set()
    for name in IDENTIFIER_ATTRIBUTES:
        key = identifier_key(product.attributes.get(name))
        if key is None:
            continue
        keys.add(key)
        if key.isdigit() and key.startswith("0") and len(key.lstrip("0")) >= 8:
            keys.add(key.lstrip("0"))
    return keys


def build_key_table(
    keyed_docs: Iterable[tuple[int, Iterable[str]]], max_docs_per_key: int = 10
) -> dict[str, list[int]]:
    """Key -> document numbers, leaving out keys shared by more than ``max_docs_per_key`` docs.

    A key many products share is a family or series name rather than one product's code.
    """
    table: dict[str, list[int]] = {}
    for doc, keys in keyed_docs:
        for key in keys:
            table.setdefault(key, []).append(doc)
    return {k: docs for k, docs in table.items() if len(docs) <= max_docs_per_key}


def query_keys(text: str) -> list[str]:
    """Candidate lookup keys in a query: each code-like word, in order, without repeats.

    Example:
        >>> query_keys("toner CE285A, or 006R90321?")
        ['ce285a', '006r90321']
    """
    keys = (identifier_key(w) for w in _QUERY_WORD.findall(text.lower()))
    return list(dict.fromkeys(k for k in keys if k is not None))


def lookup(table: Mapping[str, Sequence[int]], text: str) -> list[int]:
    """Documents whose code appears in ``text``, in the order the codes appear."""
    found: dict[int, None] = {}
    for key in query_keys(text):
        for doc in table.get(key, ()):
            found.setdefault(doc, None)
    return list(found)
