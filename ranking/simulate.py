"""Shopper simulator: synthetic shoppers hold multi-turn sessions with the real assistant.

THIS IS A SIMULATION. Its shoppers are generated, not observed: each has a latent need (a
catalog category, sometimes a distinctive feature word), one or two favourite brands, a budget,
a price sensitivity and a patience (:mod:`ranking.sim_profile`). They chat with the real
:class:`~assistant.service.ShoppingAssistant` (search, refine, page, a second query;
:mod:`ranking.sim_messages`) and click by an explicit position-based click model
(:mod:`ranking.sim_clicks`). Clicks, add-to-cart and purchases are stored with
``source="simulated"``. The generative model, every parameter and what it does not represent
are in docs/simulation.md.

Reproducible by seed: session ``i`` under seed ``s`` draws its profile from
``default_rng([s, i, 0])``, and turn ``t``'s clicks and next message from
``default_rng([s, i, 1, t])`` and ``default_rng([s, i, 2, t])``. Its decisions depend only on
those numbers and on what the assistant shows, so two rankers given the same seeds differ only
through their rankings (common random numbers).

Example:
    >>> simulator = ShopperSimulator.from_services(services)
    >>> log = simulator.run_session(seed=1, index=0)
    >>> log.turns[0].message
    'show me mice'
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, Literal, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from db.records import EventRecord, EventType, NewEvent
from ranking.sim_catalog import CatalogStats, ProductVectors
from ranking.sim_clicks import ClickDecision, ClickModel, ClickParams, ShownItem
from ranking.sim_logs import SessionLog, SimulationReport, TurnLog, summarise
from ranking.sim_messages import MessagePlanner, PlannerParams, PlanState
from ranking.sim_profile import ProfileParams, ProfileSampler, ShopperProfile
from retrieval.embedder import Embedder

if TYPE_CHECKING:
    from assistant.wiring import Services

log = logging.getLogger(__name__)

__all__ = [
    "SessionLog",
    "ShopperSimulator",
    "SimulationParams",
    "SimulationReport",
    "TurnLog",
    "summarise",
]


class ChatAssistant(Protocol):
    """The part of :class:`~assistant.service.ShoppingAssistant` the simulator talks to."""

    results_k: int

    def chat(
        self, session_id: str | None, message: str, source: Literal["live", "simulated"] = ...
    ) -> Any: ...


class EventRecorder(Protocol):
    """Where shopper actions go (:class:`~db.conversations.ConversationRepository`)."""

    def record_event(self, new_event: NewEvent) -> EventRecord: ...


class SimulationParams(BaseModel):
    """All simulator parameters: profiles, messages, clicks.

    Example:
        >>> SimulationParams(clicks=ClickParams(eta=0.8)).clicks.eta
        0.8
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    profiles: ProfileParams = Field(default_factory=ProfileParams)
    planner: PlannerParams = Field(default_factory=PlannerParams)
    clicks: ClickParams = Field(default_factory=ClickParams)
    min_category_products: int = Field(default=30, ge=1)


class ShopperSimulator:
    """Runs simulated shoppers through an assistant and records their actions.

    Args:
        assistant: The assistant to talk to (its ranker is what an experiment varies).
        events: Where clicks, add-to-cart and purchases are recorded.
        stats: Catalog statistics (need categories, brands, prices, words).
        vectors: Product embeddings, for the shopper's hidden text fit.
        embedder: Embeds the shopper's need text (the same encoder as the index).
        params: Every simulation parameter.

    Example:
        >>> simulator = ShopperSimulator(services.assistant, services.conversations, stats,
        ...                              services.product_vectors,
        ...                              services.embedder)
        >>> simulator.run(seed=1, sessions=10).clicks
        7
    """

    def __init__(
        self,
        assistant: ChatAssistant,
        events: EventRecorder,
        stats: CatalogStats,
        vectors: ProductVectors,
        embedder: Embedder,
        params: SimulationParams | None = None,
    ) -> None:
        self.params = params or SimulationParams()
        self.assistant = assistant
        self.events = events
        self.stats = stats
        self.vectors = vectors
        self.embedder = embedder
        self.sampler = ProfileSampler(stats, self.params.profiles)
        self.planner = MessagePlanner(stats, self.params.planner)
        self.clicks = ClickModel(self.params.clicks)
        self._need_vectors: dict[str, np.ndarray] = {}

    @classmethod
    def from_services(
        cls,
        services: Services,
        params: SimulationParams | None = None,
        assistant: ChatAssistant | None = None,
    ) -> ShopperSimulator:
        """A simulator over wired :class:`~assistant.wiring.Services` (its assistant by default)."""
        params = params or SimulationParams()
        stats = CatalogStats.from_products(
            services.products.iter_all(), min_products=params.min_category_products
        )
        return cls(
            assistant if assistant is not None else services.assistant,
            services.conversations,
            stats,
            services.product_vectors,
            services.embedder,
            params,
        )

    def with_assistant(self, assistant: ChatAssistant, events: EventRecorder) -> ShopperSimulator:
        """The same shoppers (catalog, vectors, parameters) talking to another assistant."""
        twin = ShopperSimulator(
            assistant, events, self.stats, self.vectors, self.embedder, self.params
        )
        twin._need_vectors = self._need_vectors  # same encoder: share the embedded needs
        return twin

    def run(
        self,
        seed: int,
        sessions: int,
        start: int = 0,
        on_session: Callable[[SessionLog], None] | None = None,
    ) -> SimulationReport:
        """Simulate sessions ``start`` .. ``start + sessions - 1`` under ``seed``; the totals."""
        started = time.perf_counter()
        logs = list(self.iter_sessions(seed, sessions, start, on_session))
        return summarise(logs, time.perf_counter() - started)

    def iter_sessions(
        self,
        seed: int,
        sessions: int,
        start: int = 0,
        on_session: Callable[[SessionLog], None] | None = None,
    ) -> Iterator[SessionLog]:
        """Simulate sessions one by one, yielding each log."""
        if sessions < 0 or start < 0:
            raise ValueError("sessions and start must not be negative")
        for index in range(start, start + sessions):
            session_log = self.run_session(seed, index)
            if on_session is not None:
                on_session(session_log)
            yield session_log

    def run_session(self, seed: int, index: int) -> SessionLog:
        """Simulate one session; reproducible from ``(seed, index)`` alone."""
        profile = self.sampler.sample(seed, index)
        state = PlanState()
        session_id: str | None = None
        turns: list[TurnLog] = []
        message = self.planner.opening(profile, np.random.default_rng([seed, index, 2, 0]))
        while True:
            result = self.assistant.chat(session_id, message, source="simulated")
            session_id = result.session_id
            uniforms = np.random.default_rng([seed, index, 1, len(turns)]).random(
                (max(self.assistant.results_k, len(result.products)), 3)
            )
            decisions = self._decide(result.products, profile, uniforms)
            self._record(session_id, result.turn_id, decisions)
            turns.append(_turn_log(result, message, decisions))
            state = _advance(state, message, profile, result.products, decisions)
            if turns[-1].purchased_ids:
                break
            plan_rng = np.random.default_rng([seed, index, 2, len(turns)])
            action = self.planner.next_action(profile, state, plan_rng)
            if action is None:
                break
            message = self.planner.follow_up(profile, action, plan_rng)
        assert session_id is not None
        session_log = SessionLog(session_id=session_id, profile=profile, turns=turns)
        log.debug(
            "simulated session=%s seed=%d index=%d need=%s turns=%d clicks=%d purchases=%d",
            session_id, seed, index, profile.category, len(turns), session_log.clicks,
            session_log.purchases,
        )  # fmt: skip
        return session_log

    def _need_vector(self, profile: ShopperProfile) -> np.ndarray:
        text = profile.need_text
        if text not in self._need_vectors:
            self._need_vectors[text] = np.asarray(self.embedder.embed([text])[0], np.float32)
        return self._need_vectors[text]

    def _decide(
        self, cards: Sequence[Any], profile: ShopperProfile, uniforms: np.ndarray
    ) -> list[ClickDecision]:
        if not cards:
            return []
        ids = [c.id for c in cards]
        # The taste product's vector comes in the same lookup as the cards' vectors.
        looked_up = self.vectors.vectors(ids + ([profile.taste_id] if profile.taste_id else []))
        vectors, taste = looked_up[: len(ids)], looked_up[len(ids) :]
        need = self._need_vector(profile)
        cosines = vectors @ (need / max(float(np.linalg.norm(need)), 1e-12))
        tastes: list[float | None] = [None] * len(cards)
        if len(taste) and float(np.linalg.norm(taste[0])) > 0:  # unknown id: a zero vector
            tastes = [float(t) for t in vectors @ taste[0]]
        items = [
            ShownItem(
                product_id=c.id,
                brand=c.brand,
                category=c.category,
                price=float(c.price),
                need_cosine=float(cos),
                taste_cosine=taste_cos,
            )
            for c, cos, taste_cos in zip(cards, cosines, tastes, strict=True)
        ]
        return self.clicks.decide(items, profile, uniforms)

    def _record(self, session_id: str, turn_id: int, decisions: list[ClickDecision]) -> None:
        for d in decisions:
            kinds: list[tuple[EventType, bool]] = [
                ("click", d.clicked),
                ("add_to_cart", d.carted),
                ("purchase", d.purchased),
            ]
            for kind, happened in kinds:
                if happened:
                    self.events.record_event(
                        NewEvent(
                            session_id=session_id,
                            product_id=d.product_id,
                            type=kind,
                            turn_id=turn_id,
                            source="simulated",
                        )
                    )


def _turn_log(result: Any, message: str, decisions: list[ClickDecision]) -> TurnLog:
    return TurnLog(
        turn_id=result.turn_id,
        message=message,
        intent=str(result.intent),
        shown_ids=[c.id for c in result.products],
        clicked_ids=[d.product_id for d in decisions if d.clicked],
        carted_ids=[d.product_id for d in decisions if d.carted],
        purchased_ids=[d.product_id for d in decisions if d.purchased],
    )


def _advance(
    state: PlanState,
    message: str,
    profile: ShopperProfile,
    cards: Sequence[Any],
    decisions: list[ClickDecision],
) -> PlanState:
    lowered = message.lower()
    return PlanState(
        turns=state.turns + 1,
        budget_said=state.budget_said or "$" in message,
        brand_said=state.brand_said or any(b.lower() in lowered for b in profile.favourite_brands),
        shown_prices=[*state.shown_prices, *(float(c.price) for c in cards)],
        clicked=any(d.clicked for d in decisions),
    )
