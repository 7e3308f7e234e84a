"""Per-stage timing of a turn, without any metrics library: a protocol and a context manager.

A turn runs the stages ``store`` (conversation reads and writes), ``parse`` (slot parsing,
embedding, intent classification, policy decision), ``retrieve`` (candidate search and
attribute checks), ``rerank`` (ordering the candidates) and ``reply`` (carrying out the
decision and wording the answer, support desk and LLM phrasing included). Stages nest
(retrieval runs inside ``reply``); each reports its *exclusive* time, the time not spent in a
nested stage, so a turn's stage times add up to (almost) its total.

Example:
    >>> observer = RecordingObserver()
    >>> with timed(observer, "reply"):
    ...     with timed(observer, "retrieve"):
    ...         pass
    >>> [stage for stage, _ in observer.stages]
    ['retrieve', 'reply']
"""

from __future__ import annotations

import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Literal, Protocol, get_args

Stage = Literal["store", "parse", "retrieve", "rerank", "reply"]
STAGES: tuple[str, ...] = get_args(Stage)


class TurnObserver(Protocol):
    """Receives what a turn measured (implemented by the Prometheus metrics)."""

    def observe_stage(self, stage: Stage, seconds: float) -> None: ...

    def observe_intent(self, intent: str) -> None: ...

    def observe_turn_error(self, error: str) -> None: ...


class NullObserver:
    """Discards everything (the default when nothing is wired)."""

    def observe_stage(self, stage: Stage, seconds: float) -> None:
        return None

    def observe_intent(self, intent: str) -> None:
        return None

    def observe_turn_error(self, error: str) -> None:
        return None


@dataclass
class RecordingObserver:
    """Keeps what it is told, in order (for tests and benchmarks).

    Example:
        >>> RecordingObserver().intents
        []
    """

    stages: list[tuple[str, float]] = field(default_factory=list)
    intents: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def observe_stage(self, stage: Stage, seconds: float) -> None:
        self.stages.append((stage, seconds))

    def observe_intent(self, intent: str) -> None:
        self.intents.append(intent)

    def observe_turn_error(self, error: str) -> None:
        self.errors.append(error)


@dataclass
class _Frame:
    nested_seconds: float = 0.0


_open_stage: ContextVar[_Frame | None] = ContextVar("shopbot_open_stage", default=None)


class timed:  # noqa: N801  (used like a function: ``with timed(observer, "parse"):``)
    """Time the block as ``stage`` (exclusive of nested stages) and report it to ``observer``.

    The time is reported also when the block raises. A class rather than a generator-based
    context manager: it is entered several times per turn and this is ~3x cheaper.
    """

    __slots__ = ("_observer", "_stage", "_frame", "_parent", "_token", "_started")

    def __init__(self, observer: TurnObserver, stage: Stage) -> None:
        self._observer = observer
        self._stage = stage

    def __enter__(self) -> None:
        self._frame = _Frame()
        self._parent = _open_stage.get()
        self._token = _open_stage.set(self._frame)
        self._started = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        elapsed = time.perf_counter() - self._started
        _open_stage.reset(self._token)
        if self._parent is not None:
            self._parent.nested_seconds += elapsed
        self._observer.observe_stage(self._stage, max(0.0, elapsed - self._frame.nested_seconds))
