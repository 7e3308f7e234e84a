"""What a simulation run leaves behind in memory: per-session logs and the run's totals.

Example:
    >>> report = summarise(logs, seconds=12.5)
    >>> report.ctr == report.clicks / report.impressions
    True
"""

from __future__ import annotations

from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, Field

from ranking.sim_profile import ShopperProfile

__all__ = ["SessionLog", "SimulationReport", "TurnLog", "summarise"]


class TurnLog(BaseModel):
    """One simulated turn: the message, what was shown, what the shopper did."""

    model_config = ConfigDict(frozen=True)

    turn_id: int
    message: str
    intent: str
    shown_ids: list[str]
    clicked_ids: list[str] = Field(default_factory=list)
    carted_ids: list[str] = Field(default_factory=list)
    purchased_ids: list[str] = Field(default_factory=list)


class SessionLog(BaseModel):
    """One simulated session (``session_id`` is the assistant's chat session)."""

    model_config = ConfigDict(frozen=True)

    session_id: str
    profile: ShopperProfile
    turns: list[TurnLog]

    @property
    def impressions(self) -> int:
        return sum(len(t.shown_ids) for t in self.turns)

    @property
    def clicks(self) -> int:
        return sum(len(t.clicked_ids) for t in self.turns)

    @property
    def carts(self) -> int:
        return sum(len(t.carted_ids) for t in self.turns)

    @property
    def purchases(self) -> int:
        return sum(len(t.purchased_ids) for t in self.turns)


class SimulationReport(BaseModel):
    """Totals of a simulation run (what ``shopbot simulate`` prints)."""

    sessions: int
    turns: int
    impressions: int
    clicks: int
    carts: int
    purchases: int
    ctr: float = Field(description="clicks / impressions")
    session_ctr: float = Field(description="share of sessions with at least one click")
    seconds: float
    turns_per_second: float


def summarise(logs: Sequence[SessionLog], seconds: float) -> SimulationReport:
    """Totals over ``logs``."""
    impressions = sum(s.impressions for s in logs)
    clicks = sum(s.clicks for s in logs)
    turns = sum(len(s.turns) for s in logs)
    return SimulationReport(
        sessions=len(logs),
        turns=turns,
        impressions=impressions,
        clicks=clicks,
        carts=sum(s.carts for s in logs),
        purchases=sum(s.purchases for s in logs),
        ctr=clicks / impressions if impressions else 0.0,
        session_ctr=sum(1 for s in logs if s.clicks) / len(logs) if logs else 0.0,
        seconds=seconds,
        turns_per_second=turns / seconds if seconds > 0 else 0.0,
    )
