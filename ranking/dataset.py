"""Training rows from the logs: impressions + events + products + vectors -> features.

Label rule: an impression (turn ``t``, product ``p``) is positive when the session clicked,
carted or bought ``p`` on turn ``t``'s results: an event naming turn ``t`` (``turn_id``), or,
for an event without a turn, the latest turn created before the event. The history of turn
``t`` is what serving would have known: the events assigned to earlier turns (oldest first)
and the prices of the products shown on earlier turns.

Each logged turn is turned back into the :class:`~ranking.features.RankInputs` serving built
(candidates rebuilt from the impression's logged retrieval signals) and goes through the same
:func:`~ranking.features.raw_features`; see :mod:`ranking.features`.
"""

from __future__ import annotations

import bisect
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.models import EventRow, ImpressionRow, TurnRow
from ranking.features import (
    HistoryItem,
    RankInputs,
    RawFeatures,
    SessionHistory,
    ShownBefore,
    candidate_from_signals,
    raw_features,
)
from retrieval.catalog.product import Product

SourceFilter = Literal["simulated", "live", "all"]
VectorLookup = Callable[[Sequence[str]], npt.NDArray[np.float32]]


@dataclass
class Shown:
    """One logged impression."""

    product_id: str
    position: int
    score: float
    signals: dict[str, float]
    label: int = 0


@dataclass
class LoggedTurn:
    """One turn that showed products, with its labels and the history before it."""

    session_id: str
    turn_id: int
    turn_number: int
    query: str
    shown: list[Shown]
    history: list[tuple[str, str]] = field(default_factory=list)  # (product_id, event type)
    shown_before: list[tuple[str, int]] = field(default_factory=list)  # (product, position)


def _source_clause(column: Any, source: SourceFilter) -> Any:
    return True if source == "all" else column == source


def load_logged_turns(
    sessions: sessionmaker[Session], source: SourceFilter = "simulated"
) -> list[LoggedTurn]:
    """Every turn with impressions of ``source``, labelled, with its session history."""
    with sessions() as db:
        impressions = db.execute(
            select(
                ImpressionRow.session_id,
                ImpressionRow.turn_id,
                ImpressionRow.query,
                ImpressionRow.product_id,
                ImpressionRow.position,
                ImpressionRow.score,
                ImpressionRow.signals,
            )
            .where(_source_clause(ImpressionRow.source, source))
            .order_by(ImpressionRow.turn_id, ImpressionRow.position)
        ).all()
        session_ids = sorted({row.session_id for row in impressions})
        turns = _select_in(db, TurnRow, session_ids, TurnRow.id)
        events = _select_in(db, EventRow, session_ids, EventRow.id)
    return _assemble_turns(impressions, turns, events)


def _select_in(db: Session, table: Any, session_ids: list[str], order: Any) -> list[Any]:
    rows: list[Any] = []
    for start in range(0, len(session_ids), 500):
        chunk = session_ids[start : start + 500]
        columns = [table.id, table.session_id, table.created_at]
        if table is TurnRow:
            columns.append(TurnRow.turn_number)
        else:
            columns += [EventRow.turn_id, EventRow.product_id, EventRow.type]
        rows += db.execute(select(*columns).where(table.session_id.in_(chunk)).order_by(order))
    return rows


def _assemble_turns(impressions: Any, turns: list[Any], events: list[Any]) -> list[LoggedTurn]:
    logged: dict[int, LoggedTurn] = {}
    for row in impressions:
        turn = logged.setdefault(
            row.turn_id, LoggedTurn(row.session_id, row.turn_id, 0, row.query or "", [])
        )
        turn.shown.append(Shown(row.product_id, row.position, row.score, dict(row.signals or {})))
    turns_by_session: dict[str, list[tuple[datetime, int, int]]] = defaultdict(list)
    for row in turns:
        turns_by_session[row.session_id].append((row.created_at, row.turn_number, row.id))
    number_of = {row.id: row.turn_number for row in turns}
    for turn in logged.values():
        turn.turn_number = number_of.get(turn.turn_id, 0)
    acted = _assign_events(events, turns_by_session, number_of)
    _attach_labels_and_history(logged, acted)
    return sorted(logged.values(), key=lambda t: (t.session_id, t.turn_number))


def _assign_events(
    events: list[Any],
    turns_by_session: Mapping[str, list[tuple[datetime, int, int]]],
    number_of: Mapping[int, int],
) -> dict[str, list[tuple[int, int, str, str]]]:
    """Per session: (turn number, turn id, product, type) of each event, oldest first."""
    acted: dict[str, list[tuple[int, int, str, str]]] = defaultdict(list)
    for event in events:
        turn_id = event.turn_id
        if turn_id is None:
            timeline = sorted(turns_by_session.get(event.session_id, []))
            i = bisect.bisect_right([t[0] for t in timeline], event.created_at) - 1
            if i < 0:
                continue
            turn_id = timeline[i][2]
        number = number_of.get(turn_id, 0)
        acted[event.session_id].append((number, turn_id, event.product_id, event.type))
    return acted


def _attach_labels_and_history(
    logged: Mapping[int, LoggedTurn], acted: Mapping[str, list[tuple[int, int, str, str]]]
) -> None:
    by_session: dict[str, list[LoggedTurn]] = defaultdict(list)
    for turn in logged.values():
        by_session[turn.session_id].append(turn)
    for session_id, session_turns in by_session.items():
        session_turns.sort(key=lambda t: t.turn_number)
        events = acted.get(session_id, [])
        positives = {(turn_id, pid) for _, turn_id, pid, _ in events}
        shown_so_far: list[tuple[str, int]] = []
        for turn in session_turns:
            for shown in turn.shown:
                shown.label = int((turn.turn_id, shown.product_id) in positives)
            turn.history = [
                (pid, kind) for number, _, pid, kind in events if number < turn.turn_number
            ]
            turn.shown_before = list(shown_so_far)
            shown_so_far += [(s.product_id, s.position) for s in turn.shown]


def history_of(turn: LoggedTurn, products: Mapping[str, Product]) -> SessionHistory:
    """The :class:`SessionHistory` serving had before ``turn`` (unknown products skipped)."""
    items = [
        HistoryItem(
            product_id=pid,
            brand=products[pid].brand,
            category=products[pid].category,
            price=float(products[pid].price),
            event=kind,
        )
        for pid, kind in turn.history
        if pid in products
    ]
    shown = [
        ShownBefore(product_id=pid, brand=products[pid].brand, position=position)
        for pid, position in turn.shown_before
        if pid in products
    ]
    prices = [float(products[s.product_id].price) for s in shown]
    return SessionHistory(items=items, shown_prices=prices, shown=shown)


def rank_inputs_of(
    turn: LoggedTurn,
    products: Mapping[str, Product],
    vectors: VectorLookup,
    query_vector: npt.NDArray[np.float32],
) -> RankInputs:
    """Rebuild the inputs serving ranked ``turn``'s shown products from."""
    shown = [s for s in turn.shown if s.product_id in products]
    candidates = [
        candidate_from_signals(products[s.product_id], s.signals, s.position, s.score)
        for s in shown
    ]
    history = history_of(turn, products)
    return RankInputs(
        query_vector=query_vector,
        candidates=candidates,
        product_vectors=vectors([c.product.id for c in candidates]),
        history=history,
        history_vectors=vectors([item.product_id for item in history.items]),
        skipped_vectors=vectors([s.product_id for s in history.skipped()]),
    )


@dataclass
class TrainingRows:
    """Raw features of every logged impression, with labels, positions and sessions."""

    raw: RawFeatures
    labels: npt.NDArray[np.float32]
    positions: npt.NDArray[np.int64]
    sessions: list[str]
    turn_ids: list[int]

    def __len__(self) -> int:
        return len(self.labels)


def concat_raw(parts: Sequence[RawFeatures]) -> RawFeatures:
    """Stack row blocks, merging their vector tables (one vector per key)."""
    keys: dict[str, int] = {}
    blocks: list[npt.NDArray[np.float32]] = []
    remapped: list[tuple[Any, Any, Any]] = []
    for part in parts:
        local = np.empty(len(part.vector_keys), dtype=np.int64)
        for i, key in enumerate(part.vector_keys):
            if key not in keys:
                keys[key] = len(keys)
                blocks.append(part.vectors[i])
            local[i] = keys[key]
        padded = np.where(part.history_index >= 0, local[np.maximum(part.history_index, 0)], -1)
        remapped.append((local[part.query_index], local[part.candidate_index], padded))
    dim = parts[0].vectors.shape[1] if parts else 0
    return RawFeatures(
        numeric=np.concatenate([p.numeric for p in parts]),
        brands=[b for p in parts for b in p.brands],
        categories=[c for p in parts for c in p.categories],
        prices=np.concatenate([p.prices for p in parts]),
        product_ids=[pid for p in parts for pid in p.product_ids],
        vectors=np.stack(blocks).astype(np.float32) if blocks else np.zeros((0, dim), np.float32),
        vector_keys=list(keys),
        query_index=np.concatenate([r[0] for r in remapped]),
        candidate_index=np.concatenate([r[1] for r in remapped]),
        history_index=np.concatenate([r[2] for r in remapped]),
        reasons={k: np.concatenate([p.reasons[k] for p in parts]) for k in parts[0].reasons},
    )


def build_training_rows(
    turns: Sequence[LoggedTurn],
    products: Mapping[str, Product],
    vectors: VectorLookup,
    query_vectors: Mapping[str, npt.NDArray[np.float32]],
) -> TrainingRows:
    """Raw features of every impression of ``turns`` (the query vector keyed by query text).

    Raises:
        ValueError: No turn has a known product.
    """
    parts: list[RawFeatures] = []
    labels: list[int] = []
    positions: list[int] = []
    sessions: list[str] = []
    turn_ids: list[int] = []
    for turn in turns:
        inputs = rank_inputs_of(turn, products, vectors, query_vectors[turn.query])
        if not inputs.candidates:
            continue
        raw = raw_features(inputs)
        # Each turn has its own query vector: key it by text so equal queries share one.
        raw.vector_keys[0] = f"query:{turn.query}"
        parts.append(raw)
        kept = [s for s in turn.shown if s.product_id in products]
        labels += [s.label for s in kept]
        positions += [s.position for s in kept]
        sessions += [turn.session_id] * len(kept)
        turn_ids += [turn.turn_id] * len(kept)
    if not parts:
        raise ValueError("no logged impressions of known products")
    return TrainingRows(
        raw=concat_raw(parts),
        labels=np.asarray(labels, dtype=np.float32),
        positions=np.asarray(positions, dtype=np.int64),
        sessions=sessions,
        turn_ids=turn_ids,
    )


EMPTY_QUERY = "popular products"
"""What an empty query is embedded as (as the dense retriever and the CTR ranker do)."""


class VectorTable:
    """Index vectors by product id (zero rows for unknown ids, like serving's snapshot).

    Example:
        >>> table = VectorTable(*services.vector_index.export()[:2])
        >>> table(["3920564"]).shape
        (1, 384)
    """

    def __init__(self, ids: Sequence[str], vectors: npt.NDArray[np.float32]) -> None:
        if len(ids) != len(vectors):
            raise ValueError("one vector per id")
        self._row = {pid: i for i, pid in enumerate(ids)}
        self._vectors = np.asarray(vectors, dtype=np.float32)
        self.dimension = int(self._vectors.shape[1]) if len(ids) else 0

    def __call__(self, ids: Sequence[str]) -> npt.NDArray[np.float32]:
        out = np.zeros((len(ids), self.dimension), dtype=np.float32)
        for i, pid in enumerate(ids):
            row = self._row.get(pid)
            if row is not None:
                out[i] = self._vectors[row]
        return out


def embed_queries(
    texts: Sequence[str], embed: Callable[[list[str]], npt.NDArray[np.float32]], batch: int = 256
) -> dict[str, npt.NDArray[np.float32]]:
    """One vector per distinct query text (empty text embedded as :data:`EMPTY_QUERY`)."""
    distinct = sorted(set(texts))
    out: dict[str, npt.NDArray[np.float32]] = {}
    for start in range(0, len(distinct), batch):
        chunk = distinct[start : start + batch]
        vectors = embed([t.strip() or EMPTY_QUERY for t in chunk])
        out.update(zip(chunk, np.asarray(vectors, dtype=np.float32), strict=True))
    return out


def load_training_rows(services: Any, source: SourceFilter = "simulated") -> TrainingRows:
    """Read the logs of ``services`` (an :class:`assistant.wiring.Services`) into rows.

    Raises:
        ValueError: Nothing logged for ``source``.
    """
    turns = load_logged_turns(services.session_factory, source)
    if not turns:
        raise ValueError(f"no logged impressions with source {source!r}")
    ids = {s.product_id for t in turns for s in t.shown} | {p for t in turns for p, _ in t.history}
    products = services.products.get_many(sorted(ids))
    export_ids, vectors, _ = services.vector_index.export()
    queries = embed_queries([t.query for t in turns], services.embedder.embed)
    return build_training_rows(turns, products, VectorTable(export_ids, vectors), queries)
