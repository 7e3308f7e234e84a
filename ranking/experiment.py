"""The conversion experiment: the same simulated shoppers through control and treatment rankers.

Both arms run in one process, over one retriever, encoder and intent classifier: two
:class:`~assistant.service.ShoppingAssistant` s built with the same arguments as
``Services.assistant`` except the ranker. Shopper ``i`` of the control arm and shopper ``i``
of the treatment arm have the same profile and the same random numbers (see
:mod:`ranking.simulate`), so the arms differ only through what the rankers show.

Where the traffic goes: the experiment copies the store's SQLite database (products, and the
logs a CTR ranker reads its popularity priors from) to its own file and writes both arms'
sessions and events there, with ``source="simulated"``. The configured store, whose simulated
logs train the CTR models, is never written, so experiment traffic cannot leak into training.

Example:
    >>> report = run_experiment(services, ctr_treatment, sessions=500, seed=7)
    >>> report.metrics["session_ctr"].lift
    0.08
"""

from __future__ import annotations

import logging
import sqlite3
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from pydantic import BaseModel, Field
from sqlalchemy import text
from sqlalchemy.engine import make_url

from assistant.parser import TurnParser
from assistant.service import ShoppingAssistant
from ranking.rerank import DiversifiedRanker, Ranker
from ranking.sim_stats import Comparison, compare
from ranking.simulate import SessionLog, ShopperSimulator, SimulationParams

if TYPE_CHECKING:
    from assistant.wiring import Services

log = logging.getLogger(__name__)

__all__ = [
    "ExperimentError",
    "METRIC_LABELS",
    "ExperimentReport",
    "RankerFactory",
    "assistant_with_ranker",
    "compare_arms",
    "ctr_treatment",
    "diversified_control",
    "experiment_services",
    "run_experiment",
]

RankerFactory = Callable[["Services"], Ranker]
"""Builds an arm's ranker from the experiment's services (its store holds the arm's sessions)."""

# Shared by both arms: built once from the configured services.
_SHARED = ("embedder", "query_embedder", "vector_index", "dense_index", "product_vectors",
           "dense_retriever", "lexical_index", "lexical_retriever", "retriever",
           "intent_classifier", "ctr_models")  # fmt: skip
METRIC_LABELS = {
    "session_ctr": "sessions with a click",
    "clicks_per_impression": "clicks per impression",
    "cart_rate": "sessions with an add-to-cart",
    "purchase_rate": "sessions with a purchase",
}


class ExperimentError(Exception):
    """The experiment cannot run (unsupported store, unusable ranker)."""


class ExperimentReport(BaseModel):
    """Per-metric comparison of the arms, and what was run."""

    sessions: int
    seed: int
    control_ranker: str
    treatment_ranker: str
    store: str
    metrics: dict[str, Comparison]
    control_turns: int
    treatment_turns: int
    control_served: dict[str, int] = Field(description="impressions per logged ranker name")
    treatment_served: dict[str, int] = Field(description="impressions per logged ranker name")
    seconds: float


def diversified_control(services: Services) -> Ranker:
    """The control arm: retrieval order with the configured per-brand cap and folding."""
    return DiversifiedRanker(max_per_brand=services.settings.max_per_brand)


def ctr_treatment(services: Services) -> Ranker:
    """The treatment arm: the CTR ranker over the configured model path.

    Raises:
        ExperimentError: No trained CTR model at the configured path (the ranker would only
            fall back to the control's ordering).
    """
    if services.ctr_models.current() is None:
        raise ExperimentError(
            f"no trained CTR model under {services.settings.ctr_model_path}: "
            "run `shopbot ctr train` first (the treatment would equal the control)"
        )
    return services.ranker


def assistant_with_ranker(services: Services, ranker: Ranker) -> ShoppingAssistant:
    """An assistant like ``services.assistant`` (same arguments) but with ``ranker``."""
    s = services.settings
    return ShoppingAssistant(
        TurnParser(services.products.brands()),
        services.retriever,
        ranker,
        services.conversations,
        classifier=services.intent_classifier,
        min_confidence=s.intent_min_confidence,
        embedder=services.query_embedder,
        products=services.products,
        candidates_k=s.candidates_k,
        results_k=s.results_k,
        max_message_chars=s.max_message_chars,
    )


def experiment_services(services: Services, store: Path) -> Services:
    """Services over a copy of the configured SQLite store, sharing the heavy components.

    Raises:
        ExperimentError: The configured database is not a SQLite file.
    """
    from assistant.wiring import Services

    url = make_url(services.settings.database_url)
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        raise ExperimentError("the experiment copies the store: a SQLite file is needed")
    store.parent.mkdir(parents=True, exist_ok=True)
    for suffix in ("", "-wal", "-shm"):  # a stale WAL must not be replayed onto the new copy
        store.with_name(store.name + suffix).unlink(missing_ok=True)
    with closing(sqlite3.connect(url.database)) as source, closing(sqlite3.connect(store)) as copy:
        source.backup(copy)  # consistent even while the source is in WAL mode
    # The CTR ranker of the copy reads session history from the copy; its popularity priors
    # are computed once from the copied logs and kept (no refresh from experiment traffic).
    settings = services.settings.model_copy(
        update={
            "database_url": f"sqlite:///{store}",
            "ranker": "ctr",
            "popularity_refresh_seconds": 86_400.0,
        }
    )
    arm_services = Services(settings)
    for name in _SHARED:
        arm_services.__dict__[name] = getattr(services, name)
    return arm_services


def run_experiment(
    services: Services,
    treatment: RankerFactory,
    *,
    sessions: int,
    seed: int,
    control: RankerFactory = diversified_control,
    store: Path | None = None,
    bootstrap: int = 2000,
    params: SimulationParams | None = None,
    on_session: Callable[[SessionLog], None] | None = None,
) -> ExperimentReport:
    """Run shoppers ``0 .. sessions-1`` under ``seed`` through both arms, interleaved.

    Args:
        services: The configured services (their store is copied, never written).
        treatment: Builds the treatment ranker; ``control`` the control ranker.
        store: SQLite file for the experiment's traffic (default: a new temporary file).
        bootstrap: Bootstrap resamples for the intervals of ratios and lifts.

    Raises:
        ExperimentError: Fewer than 2 sessions, or the store cannot be copied.
    """
    if sessions < 2:
        raise ExperimentError("the experiment needs at least 2 sessions")
    target = store or Path(tempfile.mkdtemp(prefix="shopbot-experiment-")) / "shop.db"
    arm_services = experiment_services(services, target)
    try:
        rankers = {"control": control(arm_services), "treatment": treatment(arm_services)}
        assistants = {arm: assistant_with_ranker(arm_services, r) for arm, r in rankers.items()}
        base = ShopperSimulator.from_services(arm_services, params, assistants["control"])
        simulators = {
            arm: base.with_assistant(assistant, arm_services.conversations)
            for arm, assistant in assistants.items()
        }
        logs, seconds = _run_arms(simulators, seed, sessions, on_session)
        served = _served(arm_services, logs)
    finally:
        arm_services.close()
    return ExperimentReport(
        sessions=sessions,
        seed=seed,
        control_ranker=_ranker_name(rankers["control"]),
        treatment_ranker=_ranker_name(rankers["treatment"]),
        store=str(target),
        metrics=compare_arms(logs["control"], logs["treatment"], bootstrap, seed),
        control_turns=sum(len(s.turns) for s in logs["control"]),
        treatment_turns=sum(len(s.turns) for s in logs["treatment"]),
        control_served=served["control"],
        treatment_served=served["treatment"],
        seconds=seconds,
    )


def _run_arms(
    simulators: dict[str, ShopperSimulator],
    seed: int,
    sessions: int,
    on_session: Callable[[SessionLog], None] | None,
) -> tuple[dict[str, list[SessionLog]], float]:
    started = time.perf_counter()
    logs: dict[str, list[SessionLog]] = {arm: [] for arm in simulators}
    for index in range(sessions):
        # Interleaved, so both arms see the same store history (e.g. popularity) at shopper i.
        for arm, simulator in simulators.items():
            logs[arm].append(simulator.run_session(seed, index))
            if on_session is not None:
                on_session(logs[arm][-1])
    return logs, time.perf_counter() - started


def _served(services: Services, logs: dict[str, list[SessionLog]]) -> dict[str, dict[str, int]]:
    """Per arm, impressions by the ranker name logged with them ("diversified", "ctr:<v>")."""
    arm_of = {s.session_id: arm for arm, arm_logs in logs.items() for s in arm_logs}
    served: dict[str, Counter[str]] = {arm: Counter() for arm in logs}
    query = text("select session_id, ranker, count(*) from impressions group by session_id, ranker")
    with services.engine.connect() as connection:
        for session_id, ranker, count in connection.execute(query):
            if session_id in arm_of:
                served[arm_of[session_id]][ranker or "?"] += int(count)
    return {arm: dict(counter) for arm, counter in served.items()}


def _ranker_name(ranker: Any) -> str:
    return str(getattr(ranker, "name", None) or type(ranker).__name__)


def _arrays(logs: list[SessionLog]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    ones = np.ones(len(logs))
    return {
        "session_ctr": (np.array([s.clicks > 0 for s in logs], dtype=float), ones),
        "clicks_per_impression": (
            np.array([s.clicks for s in logs], dtype=float),
            np.array([s.impressions for s in logs], dtype=float),
        ),
        "cart_rate": (np.array([s.carts > 0 for s in logs], dtype=float), ones),
        "purchase_rate": (np.array([s.purchases > 0 for s in logs], dtype=float), ones),
    }


def compare_arms(
    control: list[SessionLog], treatment: list[SessionLog], bootstrap: int, seed: int
) -> dict[str, Comparison]:
    """Every metric compared; the logs are paired by position (shopper ``i`` in both)."""
    if len(control) != len(treatment):
        raise ExperimentError("the arms must have the same shoppers")
    arms_c, arms_t = _arrays(control), _arrays(treatment)
    return {
        name: compare(arms_c[name], arms_t[name], bootstrap, seed, binary=name != _RATIO)
        for name in METRIC_LABELS
    }


_RATIO = "clicks_per_impression"
