"""The simulated shoppers of the load test (:mod:`benchmarks.load`).

A shopper opens sessions one after another until the deadline; each session is a script of
shopping messages from :mod:`benchmarks.queries`, sometimes with a store-policy question, and
some shown products get a click. Every acknowledged turn goes into the session's
:class:`~benchmarks.load_check.Transcript`; latencies and errors into a :class:`Recorder`.

Example:
    >>> plan = LoadPlan(shoppers=4, duration_seconds=10, think_seconds=0.2)
    >>> rec = Recorder()
    >>> # await asyncio.gather(*(shopper(client, i, plan, [], deadline, rec) for i in range(4)))
"""

from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass, field

import httpx

from benchmarks.load_check import SentTurn, Transcript
from benchmarks.queries import conversations


@dataclass
class LoadPlan:
    """How the shoppers behave. ``think_seconds`` is the mean pause between turns."""

    shoppers: int = 32
    duration_seconds: float = 180.0
    think_seconds: float = 1.0
    support_share: float = 0.25
    click_share: float = 0.3
    seed: int = 1
    timeout_seconds: float = 60.0

    def __post_init__(self) -> None:
        if self.shoppers <= 0 or self.duration_seconds <= 0 or self.timeout_seconds <= 0:
            raise ValueError("shoppers, duration and timeout must be positive")
        if self.think_seconds < 0:
            raise ValueError("think_seconds must be >= 0")
        if not (0 <= self.support_share <= 1 and 0 <= self.click_share <= 1):
            raise ValueError("support_share and click_share must be within [0, 1]")


@dataclass
class Recorder:
    """Latencies (ms) per request kind, errors, and every shopper's sessions."""

    latencies: dict[str, list[float]] = field(
        default_factory=lambda: {"search": [], "support": [], "click": []}
    )
    errors: Counter[str] = field(default_factory=Counter)
    error_samples: list[str] = field(default_factory=list)
    transcripts: list[Transcript] = field(default_factory=list)
    live_problems: list[str] = field(default_factory=list)

    def error(self, kind: str, reason: str, detail: str) -> None:
        self.errors[f"{kind} {reason}"] += 1
        if len(self.error_samples) < 20:
            self.error_samples.append(f"{kind} {reason}: {detail[:300]}")


def session_script(rng: random.Random, support: list[str], plan: LoadPlan) -> list[tuple[str, str]]:
    """One session's messages as (kind, message): 2-6 shopping turns, maybe a policy question."""
    shopping = conversations(rng.randint(2, 6), seed=rng.randrange(2**31))
    script = [("search", message) for turns in shopping for message in turns]
    if support and rng.random() < plan.support_share:
        script.insert(rng.randint(0, len(script)), ("support", rng.choice(support)))
    return script


async def send_turn(
    client: httpx.AsyncClient, transcript: Transcript, kind: str, message: str, rec: Recorder
) -> bool:
    """One chat turn; records it in ``transcript`` when acknowledged, else the error."""
    body = {"session_id": transcript.session_id, "message": message}
    started = time.perf_counter()
    try:
        response = await client.post("/api/v1/chat", json=body)
    except httpx.HTTPError as e:
        rec.error(kind, type(e).__name__, repr(e))
        transcript.failed_message = message
        return False
    elapsed = (time.perf_counter() - started) * 1000
    if response.status_code != 200:
        rec.error(kind, str(response.status_code), response.text)
        transcript.failed_message = message
        return False
    answer = response.json()
    if transcript.session_id not in (None, answer["session_id"]):
        rec.live_problems.append(
            f"shopper {transcript.shopper}: sent session {transcript.session_id}, "
            f"answered for {answer['session_id']}"
        )
    rec.latencies[kind].append(elapsed)
    transcript.session_id = transcript.session_id or answer["session_id"]
    products = [p["id"] for p in answer["products"]]
    turn = SentTurn(message, answer["turn_id"], answer["reply"], products, answer["filters"])
    transcript.turns.append(turn)
    return True


async def send_click(
    client: httpx.AsyncClient, transcript: Transcript, rng: random.Random, rec: Recorder
) -> None:
    turn = transcript.turns[-1]
    body = {
        "session_id": transcript.session_id,
        "product_id": rng.choice(turn.product_ids),
        "type": "click",
        "turn_id": turn.turn_id,
    }
    started = time.perf_counter()
    try:
        response = await client.post("/api/v1/events", json=body)
    except httpx.HTTPError as e:
        rec.error("click", type(e).__name__, repr(e))
        return
    if response.status_code != 201:
        rec.error("click", str(response.status_code), response.text)
        return
    rec.latencies["click"].append((time.perf_counter() - started) * 1000)


async def shopper(
    client: httpx.AsyncClient,
    number: int,
    plan: LoadPlan,
    support: list[str],
    deadline: float,
    rec: Recorder,
) -> None:
    """One shopper: sessions one after another until the deadline."""
    rng = random.Random(f"{plan.seed}-{number}")
    await asyncio.sleep(rng.uniform(0, plan.think_seconds))  # stagger the starts
    while time.monotonic() < deadline:
        transcript = Transcript(shopper=number)
        rec.transcripts.append(transcript)
        for kind, message in session_script(rng, support, plan):
            if time.monotonic() >= deadline:
                break
            if not await send_turn(client, transcript, kind, message, rec):
                break  # a failed turn ends the session: its stored state is unknown
            if transcript.turns[-1].product_ids and rng.random() < plan.click_share:
                await send_click(client, transcript, rng, rec)
            await asyncio.sleep(plan.think_seconds * rng.uniform(0.5, 1.5))
