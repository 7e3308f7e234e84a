"""A session's history for CTR features, read from SQL, and product vectors for it.

:class:`SqlHistoryReader` turns a session's logged events (clicks, add-to-cart, purchases,
oldest first) and the prices of the products shown on its earlier turns into a
:class:`~ranking.features.SessionHistory`, the same shape training rebuilds for every logged
turn. Called before the current turn is stored, so "so far" means "before this turn".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from decimal import Decimal
from typing import Protocol, cast, get_args

import numpy as np

from db.records import EventType
from ranking.errors import RankingError
from ranking.features import HistoryItem, SessionHistory
from retrieval.embedder import Vectors

log = logging.getLogger(__name__)

_EVENTS = frozenset(get_args(EventType))


class ActivitySource(Protocol):
    """``ConversationRepository.session_activity``: events with product facts, shown prices."""

    def session_activity(
        self, session_id: str
    ) -> tuple[list[tuple[str, str, str, Decimal, str]], list[Decimal]]: ...


class ProductVectors(Protocol):
    """Index vectors by product id (``SnapshotVectorIndex.vectors``); zero rows if unknown."""

    def vectors(self, ids: Sequence[str]) -> Vectors: ...


class HistoryReader(Protocol):
    """Reads what a session did before the current turn."""

    def history(self, session_id: str | None) -> SessionHistory: ...


class SqlHistoryReader:
    """Builds a :class:`SessionHistory` from the conversation log.

    Args:
        activity: The conversation repository.
        max_items: Most recent history items kept (the model attends to the last few).

    Example:
        >>> reader = SqlHistoryReader(services.conversations)
        >>> [item.brand for item in reader.history(session_id).items]
        ['Lenovo', 'Lenovo']
    """

    def __init__(self, activity: ActivitySource, max_items: int = 50) -> None:
        if max_items <= 0:
            raise ValueError("max_items must be positive")
        self._activity = activity
        self.max_items = max_items

    def history(self, session_id: str | None) -> SessionHistory:
        """The session's history; empty for no session (stateless search) or a new one."""
        if not session_id:
            return SessionHistory()
        try:
            events, prices = self._activity.session_activity(session_id)
        except Exception as e:  # a database failure is a ranking failure, not a silent cold start
            raise RankingError(f"could not read the history of session {session_id}") from e
        items = [
            HistoryItem(
                product_id=pid,
                brand=brand,
                category=category,
                price=float(price),
                event=cast(EventType, kind),
            )
            for pid, brand, category, price, kind in events
            if kind in _EVENTS
        ]
        return SessionHistory(
            items=items[-self.max_items :], shown_prices=[float(p) for p in prices]
        )


def history_vectors(history: SessionHistory, vectors: ProductVectors, dim: int) -> Vectors:
    """The index vectors of the history's products, one row per item (``(0, dim)`` if none)."""
    if not history.items:
        return np.zeros((0, dim), dtype=np.float32)
    return vectors.vectors([item.product_id for item in history.items])
