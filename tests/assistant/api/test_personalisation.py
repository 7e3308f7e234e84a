"""Personalisation through the API: clicks on one brand lift that brand in a repeated search.

A small CTR model is trained in the test from synthetic logs in which shoppers keep clicking
the brand they clicked first (the pattern the simulator's preference model produces), then
served by the real app: the same search ranks the brand higher in the session that clicked
it than in a fresh session.
"""

from __future__ import annotations

import itertools
import random
import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from db.records import NewEvent, NewTurn, ShownProduct
from ranking.artifact import save_artifact
from ranking.dataset import load_training_rows
from ranking.rerank import serving_signals
from ranking.train import TrainSettings, fit_final
from retrieval.filters import SearchFilters
from retrieval.search import SearchQuery

pytestmark = pytest.mark.integration

QUERIES = ("laptop", "notebook computer", "laptop for work")


def _simulate(services, sessions: int, seed: int) -> None:  # type: ignore[no-untyped-def]
    """Sessions of three searches; the first click picks a brand, later clicks follow it."""
    rng = random.Random(seed)
    pools = {
        q: services.retriever.retrieve(
            SearchQuery(text=q, filters=SearchFilters(category="laptop"), k=40)
        ).items
        for q in QUERIES
    }
    repo = services.conversations
    for _ in range(sessions):
        chat = repo.create_session()
        favourite: str | None = None
        for turn_number in range(3):
            query = QUERIES[(turn_number + rng.randrange(3)) % 3]
            shown = rng.sample(pools[query], 8)
            turn = repo.record_turn(
                NewTurn(
                    session_id=chat.id, user_message=query, reply="...", intent="search",
                    query=query, source="simulated",
                    products=[
                        ShownProduct(product_id=c.product.id, position=i, score=c.score,
                                     signals=serving_signals(c), ranker="diversified")
                        for i, c in enumerate(shown, start=1)
                    ],
                )
            )  # fmt: skip
            if favourite is None:
                clicked = [rng.choice(shown)]
                favourite = clicked[0].product.brand
            else:
                clicked = [
                    c for c in shown
                    if rng.random() < (0.8 if c.product.brand == favourite else 0.03)
                ]  # fmt: skip
            for c in clicked:
                repo.record_event(
                    NewEvent(session_id=chat.id, product_id=c.product.id, type="click",
                             turn_id=turn.id, source="simulated")
                )  # fmt: skip


@pytest.fixture
def client(services, monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    from app import create_app

    # Session ids decide the trainer's validation split: make them (and the model) repeatable.
    ids = (uuid.UUID(int=i) for i in itertools.count(1))
    monkeypatch.setattr("db.conversations.uuid.uuid4", lambda: next(ids))
    _simulate(services, sessions=60, seed=5)
    monkeypatch.undo()
    rows = load_training_rows(services, source="simulated")
    settings = TrainSettings(epochs=40, patience=5, batch_size=64, learning_rate=0.03, seed=1)
    fitted = fit_final(rows, "logreg", settings)
    save_artifact(
        services.settings.ctr_model_path, fitted.name, fitted.model, fitted.config,
        fitted.encoders,
    )  # fmt: skip
    with TestClient(create_app(services)) as c:
        yield c


def _first_rank(products: list[dict[str, object]], brand: str) -> int:
    return next((i for i, p in enumerate(products) if p["brand"] == brand), len(products))


def _brand_to_click(services, fresh: list[dict[str, object]]) -> list[str]:  # type: ignore[no-untyped-def]
    """Two candidate laptops of the brand the fresh search ranks lowest (not its first)."""
    pool = services.retriever.retrieve(
        SearchQuery(text="laptop", filters=SearchFilters(category="laptop"), k=40)
    ).items
    by_brand: dict[str, list[str]] = {}
    for c in pool:
        by_brand.setdefault(c.product.brand, []).append(c.product.id)
    eligible = sorted(
        (b for b, ids in by_brand.items() if len(ids) >= 3 and b != fresh[0]["brand"]),
        key=lambda b: (-_first_rank(fresh, b), b),
    )
    return by_brand[eligible[0]][:2]


def test_clicking_two_products_of_a_brand_lifts_it_in_a_repeated_search(
    client: TestClient,
    services,  # type: ignore[no-untyped-def]
) -> None:
    fresh = client.post("/api/v1/chat", json={"message": "laptop"}).json()["products"]
    session = client.post("/api/v1/chat", json={"message": "laptop"}).json()
    assert [p["id"] for p in session["products"]] == [p["id"] for p in fresh]  # no history yet
    clicked = _brand_to_click(services, fresh)
    brand = services.products.get(clicked[0]).brand
    for product_id in clicked:
        r = client.post(
            "/api/v1/events",
            json={"session_id": session["session_id"], "product_id": product_id,
                  "type": "click", "turn_id": session["turn_id"]},
        )  # fmt: skip
        assert r.status_code == 201, r.text

    personal = client.post(
        "/api/v1/chat", json={"session_id": session["session_id"], "message": "laptop"}
    ).json()["products"]
    anonymous = client.post("/api/v1/chat", json={"message": "laptop"}).json()["products"]
    assert [p["id"] for p in anonymous] == [p["id"] for p in fresh]
    assert _first_rank(personal, brand) < _first_rank(anonymous, brand)
    assert sum(p["brand"] == brand for p in personal) > sum(p["brand"] == brand for p in anonymous)
    # The cards say why, truthfully: the shopper clicked this brand.
    assert all(f"looking at {brand}" in p["reason"] for p in personal if p["brand"] == brand)
    turns = services.conversations.list_turns(session["session_id"])
    assert all(p.ranker.startswith("ctr:") and "ctr_score" in p.signals for p in turns[-1].products)
