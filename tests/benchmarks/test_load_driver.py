"""The load driver (benchmarks/load.py): a short run against a live server finds no errors and
no leakage, and its checker does flag tampered sessions (a check that could not fail would
prove nothing)."""

from __future__ import annotations

import asyncio
import copy
from typing import Any

import httpx
import pytest

from app import create_app
from benchmarks.load import LoadRun, run_load
from benchmarks.load_check import (
    SentTurn,
    Transcript,
    foreign_brands,
    session_problems,
    shared_turn_ids,
)
from benchmarks.load_shoppers import LoadPlan, Recorder, send_turn
from tests.live_server import live_server


def short_run(services: Any) -> tuple[LoadRun, dict[str, dict[str, Any]]]:
    """4 shoppers for ~8 s, then every session as the server stores it."""
    # One client IP sends all the turns: rate limits off, as the benchmark's server has them.
    services.settings.rate_limit_per_minute = 0
    services.settings.ip_rate_limit_per_minute = 0
    plan = LoadPlan(shoppers=4, duration_seconds=8, think_seconds=0.2, support_share=1.0)
    with live_server(create_app(services)) as url:
        run = asyncio.run(run_load(url, plan))
        with httpx.Client(base_url=url) as client:
            stored = {
                t.session_id: client.get(f"/api/v1/sessions/{t.session_id}").json()
                for t in run.transcripts
                if t.session_id
            }
    return run, stored


@pytest.mark.integration
@pytest.mark.slow
def test_short_run_has_no_errors_no_leakage_and_tampering_is_flagged(services: Any) -> None:
    run, stored = short_run(services)
    figures = run.figures
    assert figures["errors"] == 0, figures["error_samples"]
    assert figures["leakage_problems"] == 0, figures["problem_samples"]
    assert figures["sessions_multi_turn"] >= 4
    assert figures["support_requests"] > 0
    assert figures["turns"] == figures["search_requests"] + figures["support_requests"]
    assert figures["turns_per_second"] > 0
    assert figures["chat_p50_ms"] <= figures["chat_p95_ms"] <= figures["chat_p99_ms"]

    # The checker would see leakage: tamper with what the server stored / answered.
    a, b = sorted((t for t in run.transcripts if len(t.turns) >= 2), key=lambda t: t.shopper)[:2]
    assert session_problems(a, stored[a.session_id]) == []

    swapped = copy.deepcopy(stored[a.session_id])  # b's turn stored in a's place
    swapped["turns"][1] = {**stored[b.session_id]["turns"][0], "turn_number": 2}
    assert session_problems(a, swapped)

    reordered = copy.deepcopy(stored[a.session_id])
    reordered["turns"].reverse()
    assert session_problems(a, reordered)

    extra = copy.deepcopy(stored[a.session_id])  # one of b's turns appended to a
    extra["turns"].append({**stored[b.session_id]["turns"][-1], "turn_number": len(a.turns) + 1})
    assert session_problems(a, extra)

    other = copy.deepcopy(stored[b.session_id])  # the server answers with b's session
    assert session_problems(a, other)

    mixed = copy.deepcopy(a)  # a was answered one of b's turns
    mixed.turns[-1] = b.turns[0]
    assert shared_turn_ids([mixed, b])
    assert shared_turn_ids(run.transcripts) == []


@pytest.mark.unit
def test_foreign_brand_filter_is_flagged_and_a_named_one_is_not() -> None:
    said = Transcript(shopper=0, session_id="s")
    said.turns.append(SentTurn("wireless mouse", 1, "r", ["1"], {"brands": []}))
    said.turns.append(SentTurn("only HP", 2, "r", ["2"], {"brands": ["HP"]}))
    said.turns.append(SentTurn("not Samsung", 3, "r", ["3"], {"exclude_brands": ["Samsung"]}))
    assert foreign_brands(said) == []

    leaked = copy.deepcopy(said)
    leaked.turns[0].filters = {"brands": ["HP"]}  # before the session named HP
    assert len(foreign_brands(leaked)) == 1


@pytest.mark.unit
def test_a_failed_last_turn_may_be_stored_or_not() -> None:
    sent = Transcript(shopper=0, session_id="s", failed_message="only HP")
    sent.turns.append(SentTurn("laptop", 1, "r", ["9"], {}))

    def turn(number: int, turn_id: int, message: str) -> dict[str, Any]:
        shown = [{"product_id": "9", "position": 1}]
        return {"turn_id": turn_id, "turn_number": number, "user_message": message,
                "reply": "r", "filters": {}, "products": shown}  # fmt: skip

    assert session_problems(sent, {"id": "s", "turns": [turn(1, 1, "laptop")]}) == []
    both = {"id": "s", "turns": [turn(1, 1, "laptop"), turn(2, 5, "only HP")]}
    assert session_problems(sent, both) == []
    other = {"id": "s", "turns": [turn(1, 1, "laptop"), turn(2, 5, "show more")]}
    assert session_problems(sent, other)


def _answering(status: int, session_id: str) -> httpx.AsyncClient:
    """A client whose server answers every chat turn with ``status`` for ``session_id``."""

    def handler(request: httpx.Request) -> httpx.Response:
        body = {"session_id": session_id, "turn_id": 3, "reply": "r", "filters": {},
                "products": [{"id": "9"}]}  # fmt: skip
        return httpx.Response(status, json=body if status == 200 else {"error": {}})

    return httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://shop")


@pytest.mark.unit
def test_an_answer_for_another_session_and_a_5xx_are_recorded() -> None:
    async def scenario() -> tuple[Recorder, Transcript, Transcript]:
        rec = Recorder()
        mine = Transcript(shopper=0, session_id="mine")
        async with _answering(200, "someone-else") as client:
            assert await send_turn(client, mine, "search", "only HP", rec)
        failing = Transcript(shopper=1)
        async with _answering(500, "x") as client:
            assert not await send_turn(client, failing, "support", "refunds?", rec)
        return rec, mine, failing

    rec, mine, failing = asyncio.run(scenario())
    assert rec.live_problems and "someone-else" in rec.live_problems[0]
    assert mine.session_id == "mine"
    assert rec.errors == {"support 500": 1}
    assert failing.failed_message == "refunds?" and failing.turns == []
    assert rec.latencies["search"] and not rec.latencies["support"]


@pytest.mark.unit
@pytest.mark.parametrize(
    "wrong",
    [{"shoppers": 0}, {"duration_seconds": 0}, {"think_seconds": -1}, {"click_share": 1.5}],
)
def test_plan_refuses_wrong_settings(wrong: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        LoadPlan(**wrong)
