"""The simulator's generative parts alone: click model, profiles, messages (no assistant)."""

from __future__ import annotations

import numpy as np
import pytest

from ranking.sim_catalog import CatalogStats
from ranking.sim_clicks import ClickModel, ClickParams, ShownItem
from ranking.sim_messages import MessagePlanner, PlanState
from ranking.sim_profile import ProfileParams, ProfileSampler, ShopperProfile
from retrieval.catalog.categories import CATEGORY_SYNONYMS
from retrieval.catalog.product import Product

pytestmark = pytest.mark.unit


def _profile(**changes: object) -> ShopperProfile:
    fields: dict[str, object] = {
        "seed": 1, "index": 0, "category": "mouse", "noun": "mouse", "plural": "mice",
        "feature": "wireless", "favourite_brands": ["Logitech"], "budget": 40.0,
        "price_sensitivity": 1.5, "patience": 4,
    }  # fmt: skip
    fields.update(changes)
    return ShopperProfile.model_validate(fields)


def _item(brand: str = "HP", price: float = 30.0, cosine: float = 0.6, category: str = "mouse"):
    return ShownItem(
        product_id="p", brand=brand, category=category, price=price, need_cosine=cosine
    )


def test_examination_decreases_with_position_as_a_power_law() -> None:
    model = ClickModel(ClickParams(eta=1.2))
    exams = [model.examination(p) for p in range(1, 11)]
    assert exams[0] == 1.0
    assert all(a > b for a, b in zip(exams, exams[1:], strict=False))
    assert exams[3] == pytest.approx(4**-1.2)
    with pytest.raises(ValueError):
        model.examination(0)


def test_attractiveness_rises_with_brand_relevance_and_budget_fit() -> None:
    model, shopper = ClickModel(), _profile()
    base = model.attractiveness(_item(), shopper)
    assert model.attractiveness(_item(brand="Logitech"), shopper) > base
    assert model.attractiveness(_item(cosine=0.1), shopper) < base
    assert model.attractiveness(_item(category="cable"), shopper) < base
    assert model.attractiveness(_item(price=200.0), shopper) < base
    sensitive = _profile(price_sensitivity=3.0)
    assert model.attractiveness(_item(price=200.0), sensitive) < model.attractiveness(
        _item(price=200.0), shopper
    )


def test_taste_shifts_the_logit_by_half_its_weight_either_way() -> None:
    params = ClickParams(w_taste=2.0, taste_floor=0.3, taste_ceiling=0.8)
    model, shopper = ClickModel(params), _profile()
    near, far = (
        _item().model_copy(update={"taste_cosine": 0.95}),
        _item().model_copy(update={"taste_cosine": 0.0}),
    )
    middle = _item().model_copy(update={"taste_cosine": 0.55})  # halfway from 0.3 to 0.8

    def logit(p: float) -> float:
        return float(np.log(p / (1 - p)))

    neutral = model.attractiveness(_item(), shopper)  # no taste product: no shift
    assert logit(model.attractiveness(near, shopper)) - logit(neutral) == pytest.approx(1.0)
    assert logit(neutral) - logit(model.attractiveness(far, shopper)) == pytest.approx(1.0)
    assert model.attractiveness(middle, shopper) == pytest.approx(neutral)
    assert ClickModel(ClickParams(w_taste=0.0)).attractiveness(near, shopper) == pytest.approx(
        ClickModel(ClickParams(w_taste=0.0)).attractiveness(far, shopper)
    )
    with pytest.raises(ValueError):
        ClickModel(ClickParams(taste_floor=0.8, taste_ceiling=0.8))


def test_many_draws_click_favourite_brands_more_and_top_positions_more() -> None:
    model, shopper = ClickModel(ClickParams(cart_scale=0.0)), _profile()  # no purchase ends it
    rng = np.random.default_rng(2024)
    items = [_item(brand="Logitech"), _item(brand="HP"), _item(brand="Logitech"), _item()]
    clicks = np.zeros(len(items))
    draws = 20_000
    for _ in range(draws):
        for d in model.decide(items, shopper, rng.random((len(items), 3))):
            clicks[d.position - 1] += d.clicked
    rates = clicks / draws
    # Same product at positions 1 and 3: the click rate follows examination (1 vs 1/3).
    assert rates[0] / rates[2] == pytest.approx(3.0, rel=0.1)
    # Position 2 (HP) vs 4 (HP): 2x examination; favourite at 3 still beats HP at 2.
    assert rates[1] / rates[3] == pytest.approx(2.0, rel=0.15)
    assert rates[2] > rates[1]


def test_decide_follows_the_uniforms_and_stops_after_a_purchase() -> None:
    model, shopper = ClickModel(ClickParams(cart_scale=1.0, purchase_probability=1.0)), _profile()
    items = [_item(brand="Logitech")] * 3
    assert not any(d.clicked for d in model.decide(items, shopper, np.full((3, 3), 0.999)))
    bought = model.decide(items, shopper, np.zeros((3, 3)))
    assert len(bought) == 1 and bought[0].purchased
    with pytest.raises(ValueError):
        model.decide(items, shopper, np.zeros((2, 3)))


def _products() -> list[Product]:
    rows = []
    for i in range(60):
        brand = "Logitech" if i % 3 else "HP"
        word = "ergonomic" if i % 2 else "optical"
        rows.append(
            Product(
                id=str(i),
                title=f"{brand} {word} mouse M{i}",
                brand=brand,
                category="mouse",
                price=10 + i,
            )  # fmt: skip
        )
    rows += [
        Product(id=f"c{i}", title=f"USB cable {i}", brand="Equip", category="cable", price=5)
        for i in range(90)
    ]
    rows += [
        Product(id=f"k{i}", title=f"Keyboard {i}", category="keyboard", price=9) for i in range(5)
    ]
    return rows


def test_catalog_stats_use_the_parsers_words_and_real_brands() -> None:
    stats = CatalogStats.from_products(_products(), min_products=30)
    assert stats.categories == ("mouse", "cable")  # 5 keyboards are too few
    mouse = stats.category("mouse")
    assert all(CATEGORY_SYNONYMS[n] == "mouse" for n in (*mouse.nouns, mouse.plural))
    assert mouse.brands == ("Logitech", "HP") and mouse.brand_counts == (40, 20)
    assert {"ergonomic", "optical"} <= set(mouse.features)
    assert mouse.price_at(0.0) == 10 and mouse.price_at(1.0) == 69
    assert mouse.product_ids == tuple(sorted(str(i) for i in range(60)))
    with pytest.raises(ValueError):
        CatalogStats.from_products(_products(), min_products=100)


def test_profiles_are_reproducible_by_seed_and_index() -> None:
    sampler = ProfileSampler(CatalogStats.from_products(_products()))
    assert sampler.sample(5, 3) == sampler.sample(5, 3)
    drawn = [sampler.sample(5, i) for i in range(40)]
    assert len({(p.budget, p.price_sensitivity, p.patience) for p in drawn}) > 30
    assert sampler.sample(6, 3) != sampler.sample(5, 3)
    for p in drawn:
        assert set(p.favourite_brands) <= set(sampler.stats.category(p.category).brands)
        assert p.taste_id in sampler.stats.category(p.category).product_ids
        assert 2 <= p.patience <= 6 and p.budget > 0
    with pytest.raises(ValueError):
        ProfileParams(min_patience=5, max_patience=2)


def test_messages_mostly_do_not_name_the_favourite_brand() -> None:
    stats = CatalogStats.from_products(_products())
    sampler, planner = ProfileSampler(stats), MessagePlanner(stats)
    openings = []
    for i in range(200):
        profile = sampler.sample(1, i)
        openings.append((profile, planner.opening(profile, np.random.default_rng(i))))
    named = sum(any(b.lower() in m.lower() for b in p.favourite_brands) for p, m in openings)
    assert 0 < named < 40  # brand_opening = 8%
    assert all(m.strip() for _, m in openings)


def test_next_action_respects_patience_and_state() -> None:
    planner = MessagePlanner(CatalogStats.from_products(_products()))
    profile = _profile(patience=2)
    assert (
        planner.next_action(profile, PlanState(turns=2, clicked=True), np.random.default_rng(0))
        is None
    )
    state = PlanState(turns=1, clicked=True, budget_said=True, shown_prices=[10.0])
    actions = {
        planner.next_action(_profile(patience=9), state, np.random.default_rng(i))
        for i in range(200)
    }
    assert "budget" not in actions and "cheaper" not in actions  # said, and nothing too dear
    assert {"more", "feature"} <= actions
