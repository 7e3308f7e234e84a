"""Shared text formatting for replies."""

from __future__ import annotations

from decimal import Decimal


def money(amount: Decimal) -> str:
    """A price as the shopper reads it: ``Decimal("1234.5")`` -> ``"$1,234.50"``."""
    return f"${amount:,.2f}"


def shorten(text: str, limit: int = 60) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis."""
    return text if len(text) <= limit else text[: limit - 1] + "…"
