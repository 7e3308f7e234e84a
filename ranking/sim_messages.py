"""What a simulated shopper types: an opening search, then refinements, paging or a new query.

Messages come from a few templates filled with the catalog's own words (category synonyms the
parser knows, distinctive title words such as "wireless", real brand names) and the shopper's
budget. The favourite brand is named only in a minority of sessions (``brand_opening`` at the
start, the ``brand`` action later), so a ranker has to learn it from clicks.

Example:
    >>> planner = MessagePlanner(stats)
    >>> planner.opening(profile, np.random.default_rng(0))
    'show me mice'
"""

from __future__ import annotations

from typing import Annotated, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from ranking.sim_catalog import CatalogStats
from ranking.sim_profile import ShopperProfile

__all__ = ["Action", "MessagePlanner", "PlannerParams", "PlanState"]

Action = Literal["more", "cheaper", "budget", "brand", "feature", "related"]
Probability = Annotated[float, Field(ge=0.0, le=1.0)]
Weight = Annotated[float, Field(ge=0.0)]

_OPENINGS = ("show me {plural}", "{plural}", "I need {a} {noun}", "looking for {a} {noun}")
_OPENINGS_BUDGET = ("{a} {noun} under ${budget}", "{plural} under ${budget}")
_OPENINGS_FEATURE = ("{feature} {noun}", "looking for {a} {feature} {noun}")
_FOLLOW_UPS: dict[str, tuple[str, ...]] = {
    "more": ("show more", "show me more", "more please"),
    "cheaper": ("cheaper", "something cheaper", "cheaper ones"),
    "budget": ("under ${budget}", "{plural} under ${budget}"),
    "brand": ("only {brand}", "{brand} {plural}"),
    "feature": ("{feature} {plural}", "show me {feature} {plural}"),
    "related": ("{feature} {noun} under ${budget}", "{other} {noun}"),
}


class PlannerParams(BaseModel):
    """How the shopper words and continues a session (see docs/simulation.md).

    Example:
        >>> PlannerParams().leave_without_click
        0.25
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    brand_opening: Probability = 0.08
    budget_opening: Probability = 0.3
    leave_without_click: Probability = 0.25
    weights: dict[Action, Weight] = Field(
        default_factory=lambda: {  # type: ignore[arg-type]
            "more": 0.35,
            "cheaper": 0.15,
            "budget": 0.1,
            "brand": 0.07,
            "feature": 0.18,
            "related": 0.15,
        }  # fmt: skip
    )


class PlanState(BaseModel):
    """What the shopper remembers of the session so far."""

    model_config = ConfigDict(frozen=True)

    turns: int = 0
    budget_said: bool = False
    brand_said: bool = False
    shown_prices: list[float] = Field(default_factory=list)
    clicked: bool = False


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _money(value: float) -> str:
    return f"{value:,.0f}".replace(",", "")


class MessagePlanner:
    """Chooses and words the shopper's next message.

    Example:
        >>> MessagePlanner(stats).follow_up(profile, PlanState(turns=1), rng)
        'show more'
    """

    def __init__(self, stats: CatalogStats, params: PlannerParams | None = None) -> None:
        self.stats = stats
        self.params = params or PlannerParams()
        if sum(self.params.weights.values()) <= 0:
            raise ValueError("at least one follow-up action needs a positive weight")

    def _fill(self, template: str, profile: ShopperProfile, rng: np.random.Generator) -> str:
        category = self.stats.category(profile.category)
        features = [f for f in category.features if f != profile.feature] or list(category.features)
        others = [f for f in features if f != profile.feature]
        return template.format(
            a=_article(profile.noun),
            noun=profile.noun,
            plural=profile.plural,
            budget=_money(profile.budget),
            feature=profile.feature or (str(rng.choice(features)) if features else "new"),
            brand=profile.favourite_brands[0],
            other=str(rng.choice(others)) if others else "new",
        )

    def opening(self, profile: ShopperProfile, rng: np.random.Generator) -> str:
        """The first message of the session."""
        p = self.params
        draw = rng.random()
        if draw < p.brand_opening:
            templates: tuple[str, ...] = ("{brand} {plural}",)
        elif draw < p.brand_opening + p.budget_opening:
            templates = _OPENINGS_BUDGET
        elif profile.feature:
            templates = _OPENINGS_FEATURE
        else:
            templates = _OPENINGS
        return self._fill(str(rng.choice(list(templates))), profile, rng)

    def next_action(
        self, profile: ShopperProfile, state: PlanState, rng: np.random.Generator
    ) -> Action | None:
        """The next action, or ``None`` when the shopper leaves."""
        if state.turns >= profile.patience:
            return None
        if not state.clicked and rng.random() < self.params.leave_without_click:
            return None
        weights = dict(self.params.weights)
        if not any(price > profile.budget for price in state.shown_prices):
            weights["cheaper"] = 0.0
        if state.budget_said:
            weights["budget"] = 0.0
        if state.brand_said:
            weights["brand"] = 0.0
        if not self.stats.category(profile.category).features:
            weights["feature"] = weights["related"] = 0.0
        actions = [a for a, w in weights.items() if w > 0]
        if not actions:
            return "more"
        probs = np.asarray([weights[a] for a in actions])
        return actions[int(rng.choice(len(actions), p=probs / probs.sum()))]

    def follow_up(self, profile: ShopperProfile, action: Action, rng: np.random.Generator) -> str:
        """The message that carries out ``action``."""
        return self._fill(str(rng.choice(list(_FOLLOW_UPS[action]))), profile, rng)
