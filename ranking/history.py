"""A session's history for CTR features, read from SQL, and product vectors for it.

:class:`SqlHistoryReader` turns a session's logged events (clicks, add-to-cart, purchases,
oldest first) and the prices of the products shown on its earlier turns into a
:class:`~ranking.features.SessionHistory`, the same shape training rebuilds for every logged
turn. Called before the current turn is stored, so "so far" means "before this turn".
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol, cast, get_args

import numpy as np

from db.records import EventType, SessionActivity
from ranking.errors import RankingError
from ranking.features import HistoryItem, RankInputs, SessionHistory, ShownBefore
from retrieval.embedder import Vectors
from retrieval.search import Candidate

log = logging.getLogger(__name__)

_EVENTS = frozenset(get_args(EventType))


class ActivitySource(Protocol):
    """``ConversationRepository.session_activity``: events and impressions with product facts."""

    def session_activity(self, session_id: str) -> SessionActivity: ...


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
        max_shown: Most recent impressions kept (skipped products come from these).

    Example:
        >>> reader = SqlHistoryReader(services.conversations)
        >>> [item.brand for item in reader.history(session_id).items]
        ['Lenovo', 'Lenovo']
    """

    def __init__(self, activity: ActivitySource, max_items: int = 50, max_shown: int = 100) -> None:
        if max_items <= 0 or max_shown <= 0:
            raise ValueError("max_items and max_shown must be positive")
        self._activity = activity
        self.max_items = max_items
        self.max_shown = max_shown

    def history(self, session_id: str | None) -> SessionHistory:
        """The session's history; empty for no session (stateless search) or a new one."""
        if not session_id:
            return SessionHistory()
        try:
            events, shown = self._activity.session_activity(session_id)
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
            items=items[-self.max_items :],
            shown_prices=[float(price) for _, _, price, _ in shown],
            shown=[
                ShownBefore(product_id=pid, brand=brand, position=position)
                for pid, brand, _, position in shown[-self.max_shown :]
            ],
        )


def serving_inputs(
    query_vector: Vectors, pool: list[Candidate], history: SessionHistory, vectors: ProductVectors
) -> RankInputs:
    """The model inputs of one candidate list at serving time: the candidates', history
    items' and skipped products' vectors, looked up in one call.

    Example:
        >>> inputs = serving_inputs(query, candidates, reader.history(sid), snapshot)
    """
    skipped = [s.product_id for s in history.skipped()]
    acted = [item.product_id for item in history.items]
    ids = [c.product.id for c in pool] + acted + skipped
    dim = int(np.asarray(query_vector).shape[-1])
    table = vectors.vectors(ids) if ids else np.zeros((0, dim), np.float32)
    n, h = len(pool), len(acted)
    return RankInputs(
        query_vector=query_vector,
        candidates=pool,
        product_vectors=table[:n],
        history=history,
        history_vectors=table[n : n + h] if acted else None,
        skipped_vectors=table[n + h :] if skipped else None,
    )
