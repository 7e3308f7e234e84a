"""The simulated shopper's click model: position-based examination times attractiveness.

``P(click at position p) = examination(p) * attractiveness(product, shopper)`` with
``examination(p) = 1 / p**eta`` (the position-based model of Craswell et al. 2008) and

``attractiveness = sigmoid(bias + w_relevance * relevance + w_brand * [favourite brand]
+ w_taste * (taste_fit - 1/2) - w_price * sensitivity * max(0, ln(price / budget)))``

where ``relevance = w_category * [category == need] + (1 - w_category) * text_fit`` and
``text_fit`` rescales the cosine of the product's embedding to the need's embedding from
``[cosine_floor, cosine_ceiling]`` to ``[0, 1]``; ``taste_fit`` rescales the cosine of the
product's embedding to the embedding of the shopper's taste product (a product of the need
category they have in mind but never describe) from ``[taste_floor, taste_ceiling]``, so
taste moves the logit by at most ``w_taste / 2`` either way (as RecSim's users, whose interest
is a vector in the documents' feature space). After a click the product goes to the cart
with probability ``cart_scale * attractiveness``, and a carted product is bought with
probability ``purchase_probability``.

Decisions take uniform numbers from the caller, so the same numbers and the same list give the
same clicks (common random numbers: control and treatment of an experiment share them).

Example:
    >>> model = ClickModel(ClickParams(eta=1.0))
    >>> model.examination(1), model.examination(2)
    (1.0, 0.5)
"""

from __future__ import annotations

import math
from typing import Annotated

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict, Field

from ranking.sim_profile import ShopperProfile

__all__ = ["ClickDecision", "ClickModel", "ClickParams", "ShownItem"]

Probability = Annotated[float, Field(ge=0.0, le=1.0)]


class ClickParams(BaseModel):
    """The click model's parameters (defaults documented in docs/simulation.md).

    Example:
        >>> ClickParams().eta
        1.0
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    eta: Annotated[float, Field(ge=0.0, le=10.0)] = 1.0
    bias: float = -4.0
    w_relevance: Annotated[float, Field(ge=0.0)] = 3.0
    w_category: Probability = 0.6
    w_brand: Annotated[float, Field(ge=0.0)] = 2.5
    w_price: Annotated[float, Field(ge=0.0)] = 1.5
    w_taste: Annotated[float, Field(ge=0.0)] = 2.0
    taste_floor: float = 0.35
    taste_ceiling: float = 0.85
    cosine_floor: float = 0.2
    cosine_ceiling: float = 0.7
    cart_scale: Probability = 0.5
    purchase_probability: Probability = 0.5


class ShownItem(BaseModel):
    """What the shopper sees of one product (a card) and, hidden, its embedding fit."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    brand: str
    category: str
    price: Annotated[float, Field(ge=0)]
    need_cosine: float = 0.0
    taste_cosine: float | None = None  # None: the shopper has no taste product


class ClickDecision(BaseModel):
    """What the shopper did with one shown product."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    position: int
    attractiveness: float
    clicked: bool
    carted: bool
    purchased: bool


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-x))


def _fit(cosine: float, floor: float, ceiling: float) -> float:
    """``cosine`` rescaled from ``[floor, ceiling]`` to ``[0, 1]`` and clipped."""
    return min(1.0, max(0.0, (cosine - floor) / (ceiling - floor)))


class ClickModel:
    """Position-based clicks, then add-to-cart and purchase, for one shopper.

    Example:
        >>> model = ClickModel()
        >>> item = ShownItem(product_id="1", brand="HP", category="laptop", price=500.0,
        ...                  need_cosine=0.6)
        >>> 0 < model.attractiveness(item, profile) < 1
        True
    """

    def __init__(self, params: ClickParams | None = None) -> None:
        self.params = params or ClickParams()
        if self.params.cosine_ceiling <= self.params.cosine_floor:
            raise ValueError("cosine_ceiling must be above cosine_floor")
        if self.params.taste_ceiling <= self.params.taste_floor:
            raise ValueError("taste_ceiling must be above taste_floor")

    def examination(self, position: int) -> float:
        """Probability that the shopper looks at the 1-based ``position``."""
        if position < 1:
            raise ValueError("positions start at 1")
        return float(position**-self.params.eta)

    def relevance(self, item: ShownItem, profile: ShopperProfile) -> float:
        """True relevance in [0, 1]: category match and embedding fit to the need."""
        p = self.params
        fit = _fit(item.need_cosine, p.cosine_floor, p.cosine_ceiling)
        match = 1.0 if item.category == profile.category else 0.0
        return p.w_category * match + (1.0 - p.w_category) * fit

    def taste_fit(self, item: ShownItem) -> float:
        """How close the product is to the shopper's taste product, in [0, 1] (1/2: no taste)."""
        if item.taste_cosine is None:
            return 0.5
        return _fit(item.taste_cosine, self.params.taste_floor, self.params.taste_ceiling)

    def attractiveness(self, item: ShownItem, profile: ShopperProfile) -> float:
        """Probability of a click once the product is examined."""
        p = self.params
        favourite = 1.0 if item.brand in profile.favourite_brands else 0.0
        overshoot = max(0.0, math.log(max(item.price, 0.01) / profile.budget))
        score = (
            p.bias
            + p.w_relevance * self.relevance(item, profile)
            + p.w_brand * favourite
            + p.w_taste * (self.taste_fit(item) - 0.5)
            - p.w_price * profile.price_sensitivity * overshoot
        )
        return _sigmoid(score)

    def decide(
        self, items: list[ShownItem], profile: ShopperProfile, uniforms: NDArray[np.float64]
    ) -> list[ClickDecision]:
        """Clicks, carts and purchases on one result list, top to bottom.

        ``uniforms`` has one row of three numbers in [0, 1) per position (click, cart,
        purchase), at least as many rows as ``items``. The list is left after a purchase.
        """
        if uniforms.ndim != 2 or uniforms.shape[1] < 3 or len(uniforms) < len(items):
            raise ValueError("uniforms must have a row of 3 numbers per shown item")
        decisions: list[ClickDecision] = []
        for position, item in enumerate(items, start=1):
            u_click, u_cart, u_buy = uniforms[position - 1, :3]
            attractive = self.attractiveness(item, profile)
            clicked = bool(u_click < self.examination(position) * attractive)
            carted = clicked and bool(u_cart < self.params.cart_scale * attractive)
            purchased = carted and bool(u_buy < self.params.purchase_probability)
            decisions.append(
                ClickDecision(
                    product_id=item.product_id,
                    position=position,
                    attractiveness=attractive,
                    clicked=clicked,
                    carted=carted,
                    purchased=purchased,
                )
            )
            if purchased:
                break
        return decisions
