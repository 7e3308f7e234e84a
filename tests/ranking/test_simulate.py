"""The simulator against the real assistant on the indexed slice: determinism, stored events."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from ranking.experiment import assistant_with_ranker
from ranking.rerank import DiversifiedRanker
from ranking.simulate import SessionLog, ShopperSimulator, SimulationParams

pytestmark = pytest.mark.integration


@pytest.fixture
def simulator(services: Any) -> ShopperSimulator:
    # The diversified ranker explicitly: the default "ctr" ranker depends on a model path.
    assistant = assistant_with_ranker(services, DiversifiedRanker())
    return ShopperSimulator.from_services(services, SimulationParams(), assistant)


def _trace(services: Any, log: SessionLog) -> list[Any]:
    """Everything observable of a session except its random chat id and timestamps."""
    events = [(e.type, e.product_id, e.source) for e in services.conversations.list_events(
        log.session_id
    )]  # fmt: skip
    turns = [(t.message, t.intent, t.shown_ids, t.clicked_ids) for t in log.turns]
    return [log.profile, turns, events]


def test_same_seed_same_sessions_and_other_seed_other_sessions(
    services: Any, simulator: ShopperSimulator
) -> None:
    first = [simulator.run_session(seed=11, index=i) for i in range(3)]
    again = [simulator.run_session(seed=11, index=i) for i in range(3)]
    other = [simulator.run_session(seed=12, index=i) for i in range(3)]
    assert [_trace(services, s) for s in first] == [_trace(services, s) for s in again]
    assert {s.session_id for s in first}.isdisjoint(s.session_id for s in again)
    assert [_trace(services, s) for s in first] != [_trace(services, s) for s in other]
    # A session is reproducible alone, without the sessions before it.
    assert _trace(services, simulator.run_session(11, 2)) == _trace(services, first[2])


def test_sessions_chat_with_the_assistant_and_store_simulated_events(
    services: Any, simulator: ShopperSimulator
) -> None:
    report = simulator.run(seed=5, sessions=5)
    assert report.sessions == 5 and report.turns >= 5
    assert report.impressions > 0 and 0 <= report.ctr <= 1
    with services.engine.connect() as connection:
        from sqlalchemy import text

        events = connection.execute(text("select source, type, turn_id from events")).all()
        turns = connection.execute(text("select count(*) from turns")).scalar_one()
    assert turns == report.turns
    assert len(events) == report.clicks + report.carts + report.purchases > 0
    assert {source for source, _, _ in events} == {"simulated"}
    assert all(turn_id is not None for _, _, turn_id in events)


def test_events_point_at_the_turn_that_showed_the_product(
    services: Any, simulator: ShopperSimulator
) -> None:
    logs = [simulator.run_session(seed=2, index=i) for i in range(6)]
    clicked = [s for s in logs if s.clicks]
    assert clicked, "some simulated shopper should click on the slice"
    for log in clicked:
        shown = {t.id: {p.product_id for p in t.products}
                 for t in services.conversations.list_turns(log.session_id)}  # fmt: skip
        for event in services.conversations.list_events(log.session_id):
            assert event.turn_id is not None and event.product_id in shown[event.turn_id]


def test_shown_items_carry_the_cosine_to_the_shoppers_taste_product(
    services: Any, simulator: ShopperSimulator
) -> None:
    recorded: list[Any] = []
    decide = simulator.clicks.decide

    def spy(items: Any, profile: Any, uniforms: Any) -> Any:
        recorded.append((items, profile))
        return decide(items, profile, uniforms)

    simulator.clicks.decide = spy  # type: ignore[method-assign]
    for index in range(10):  # until a session is shown products (the slice is small)
        simulator.run_session(seed=3, index=index)
        if recorded:
            break
    items, profile = recorded[0]
    assert profile.taste_id is not None
    taste = services.product_vectors.vectors([profile.taste_id])[0]
    shown = services.product_vectors.vectors([item.product_id for item in items])
    assert [item.taste_cosine for item in items] == pytest.approx(list(shown @ taste), abs=1e-5)
    own = [item.taste_cosine for item in items if item.product_id == profile.taste_id]
    assert all(cosine == pytest.approx(1.0, abs=1e-4) for cosine in own)


@pytest.mark.slow
def test_cli_simulate_json_and_experiment_without_model(
    built_store: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sqlalchemy import create_engine, text
    from typer.testing import CliRunner

    from assistant.cli import app

    store = tmp_path / "store"
    shutil.copytree(built_store, store)
    for key, value in {
        "DATABASE_URL": f"sqlite:///{store / 'shop.db'}",
        "CHROMA_PATH": str(store / "chroma"),
        "INDEX_ON_START": "false",
        "CTR_MODEL_PATH": str(tmp_path / "no-model"),
    }.items():
        monkeypatch.setenv(f"SHOPBOT_{key}", value)
    runner = CliRunner()
    result = runner.invoke(app, ["simulate", "--sessions", "3", "--seed", "2", "--json"])
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout[result.stdout.index("{") :])
    engine = create_engine(f"sqlite:///{store / 'shop.db'}")
    with engine.connect() as connection:
        events = connection.execute(text("select count(*) from events")).scalar_one()
    engine.dispose()
    assert report["sessions"] == 3
    assert events == report["clicks"] + report["carts"] + report["purchases"]
    refused = runner.invoke(app, ["experiment", "--sessions", "2", "--store", str(tmp_path / "e")])
    assert refused.exit_code == 2 and "no trained CTR model" in refused.output
