"""Checks a model's reply against the facts it was given.

Every price, policy quantity (days, weeks, months, years, hours, %), model or part number,
product-line name (CamelCase / ALL-CAPS words), catalog brand and any other number above
``free_numbers_up_to`` that the reply states must appear in the facts (the product data,
the policy passages, the filters or the template reply). Small counts ("3 options") are
free. A reply with any unsupported claim is rejected as a whole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal

from assistant.phrasing import claims
from assistant.phrasing.types import PhrasingInput


@dataclass(frozen=True)
class FactSheet:
    """What the facts allow a reply to state, read once per turn."""

    text: str
    prices: frozenset[Decimal]
    quantities: frozenset[tuple[Decimal, str]]
    numbers: frozenset[Decimal]
    tokens: frozenset[str]


def fact_sheet(facts: PhrasingInput) -> FactSheet:
    """Everything checkable in ``facts``: all their values as text, and what is read from it."""
    text = " | ".join(_values(facts.model_dump(mode="json")))
    declared = {p.price.normalize() for p in facts.products}
    for bound in (facts.filters.price_min, facts.filters.price_max):
        if bound is not None:
            declared.add(bound.normalize())
    found_numbers = claims.numbers(text)
    tokens = claims.model_tokens(text) | claims.name_tokens(text)
    tokens |= {w.lower() for w in _words(text)}
    return FactSheet(
        text=text,
        prices=frozenset(declared | claims.prices(text)),
        quantities=frozenset(claims.quantities(text)),
        numbers=frozenset(found_numbers),
        tokens=frozenset(tokens),
    )


def _values(data: object) -> Iterable[str]:
    """Every key and scalar value of a JSON-like structure, as text."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield str(key)
            yield from _values(value)
    elif isinstance(data, list):
        for item in data:
            yield from _values(item)
    elif data is not None:
        yield str(data)


def _words(text: str) -> Iterable[str]:
    return (w.strip("\"'“”()[]{}:;,.!?|") for w in text.split())


class ReplyValidator:
    """Finds the claims of a reply that the facts do not support.

    Args:
        known_brands: The catalog's brands; naming one the facts do not contain is a claim.
        free_numbers_up_to: Plain whole numbers up to this value need no support (counts,
            list positions); prices and quantities are always checked.

    Example:
        >>> validator = ReplyValidator(known_brands=["HP", "Lenovo"])
        >>> validator.problems("The HP laptop is $99.", facts)  # facts: one HP at $109.95
        ['price $99 is not in the facts']
    """

    def __init__(self, known_brands: Iterable[str] = (), *, free_numbers_up_to: int = 10) -> None:
        if free_numbers_up_to < 0:
            raise ValueError("free_numbers_up_to must not be negative")
        brands = sorted({b.strip() for b in known_brands if len(b.strip()) >= 2}, key=len)
        # One alternation, longest first, matched case-sensitively: "Trust" the brand, not
        # "trust" the word.
        alternation = "|".join(re.escape(b) for b in reversed(brands))
        self._brands = re.compile(rf"(?<!\w)(?:{alternation})(?!\w)") if brands else None
        self.free_numbers_up_to = Decimal(free_numbers_up_to)

    def problems(self, reply: str, facts: PhrasingInput | FactSheet) -> list[str]:
        """Unsupported claims of ``reply`` (empty when it is faithful)."""
        sheet = facts if isinstance(facts, FactSheet) else fact_sheet(facts)
        found = [f"price ${p} is not in the facts" for p in claims.prices(reply) - sheet.prices]
        found += [
            f"'{n} {unit}' is not in the facts"
            for n, unit in claims.quantities(reply) - sheet.quantities
        ]
        found += [f"number {n} is not in the facts" for n in self._loose_numbers(reply, sheet)]
        names = claims.model_tokens(reply) | claims.name_tokens(reply)
        lowered = sheet.text.lower()
        found += [
            f"name '{t}' is not in the facts"
            for t in sorted(names - sheet.tokens)
            if t not in lowered
        ]
        found += [
            f"brand '{b}' is not in the facts"
            for b in self._brands_in(reply)
            if not claims.mentioned(b, sheet.text)
        ]
        return found

    def _brands_in(self, reply: str) -> list[str]:
        return sorted(set(self._brands.findall(reply))) if self._brands is not None else []

    def _loose_numbers(self, reply: str, sheet: FactSheet) -> list[Decimal]:
        return sorted(
            n
            for n in claims.numbers(reply)
            if n not in sheet.numbers and (n > self.free_numbers_up_to or n != n.to_integral())
        )
