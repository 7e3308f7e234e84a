"""Shopper threads that chat and click against a server that keeps being killed.

Every write the server acknowledged (a 2xx response was received) goes into the
:class:`Ledger`; a write whose response never came (the server died first) is only counted:
it may or may not have been stored, both are correct.
"""

from __future__ import annotations

import json
import random
import threading
from dataclasses import dataclass, field
from typing import Any

import httpx

from benchmarks.queries import FOLLOW_UPS, OPENERS

EVENT_TYPES = ("click", "add_to_cart", "purchase")


@dataclass(frozen=True)
class AckedTurn:
    session_id: str
    turn_id: int
    message: str
    reply: str
    product_ids: tuple[str, ...]


@dataclass(frozen=True)
class AckedEvent:
    event_id: int
    session_id: str
    product_id: str
    type: str
    turn_id: int


@dataclass
class Ledger:
    """What the server acknowledged, what got no answer, and any unexpected answer."""

    turns: list[AckedTurn] = field(default_factory=list)
    events: list[AckedEvent] = field(default_factory=list)
    unanswered: int = 0
    unexpected: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add_turn(self, turn: AckedTurn) -> None:
        with self.lock:
            self.turns.append(turn)

    def add_event(self, event: AckedEvent) -> None:
        with self.lock:
            self.events.append(event)

    def add_unanswered(self) -> None:
        with self.lock:
            self.unanswered += 1

    def add_unexpected(self, what: str) -> None:
        with self.lock:
            self.unexpected.append(what)


class Target:
    """Where the server currently listens; shoppers wait while it is down."""

    def __init__(self) -> None:
        self._up = threading.Event()
        self._base_url = ""
        self.stopping = False

    def up(self, base_url: str) -> None:
        self._base_url = base_url
        self._up.set()

    def down(self) -> None:
        self._up.clear()

    def stop(self) -> None:
        self.stopping = True
        self._up.set()

    def wait(self) -> str:
        self._up.wait()
        return self._base_url


class Shopper(threading.Thread):
    """Holds a conversation (a few turns, clicks on shown products), then starts another."""

    def __init__(self, name: str, target: Target, ledger: Ledger, seed: int) -> None:
        super().__init__(name=name, daemon=True)
        self.target = target
        self.ledger = ledger
        self.rng = random.Random(seed)
        self.session_id: str | None = None
        self.last_turn: AckedTurn | None = None

    def run(self) -> None:
        with httpx.Client(timeout=30) as client:
            while True:
                base = self.target.wait()
                if self.target.stopping:
                    return
                try:
                    self.step(client, base)
                except httpx.TransportError:
                    # The server died mid-request: the write is unacknowledged. Wait for the
                    # restart (the target goes down before the kill, so this rarely spins).
                    self.ledger.add_unanswered()
                    self.target.wait()

    def step(self, client: httpx.Client, base: str) -> None:
        if self.last_turn is not None and self.last_turn.product_ids and self.rng.random() < 0.6:
            self.send_event(client, base, self.last_turn)
            return
        if self.session_id is None or self.rng.random() < 0.15:
            self.session_id, self.last_turn = None, None
            message = self.rng.choice(OPENERS)
        else:
            message = self.rng.choice(FOLLOW_UPS)
        self.send_turn(client, base, message)

    def send_turn(self, client: httpx.Client, base: str, message: str) -> None:
        """A turn through ``/api/v1/chat`` or, one time in four, its streamed twin."""
        body: dict[str, Any] = {"session_id": self.session_id, "message": message}
        if self.rng.random() < 0.25:
            answer = self.streamed_turn(client, base, body)
        else:
            response = client.post(f"{base}/api/v1/chat", json=body)
            answer = response.json() if response.status_code == 200 else None
            if answer is None:
                self.ledger.add_unexpected(f"chat {response.status_code} {response.text[:200]}")
        if answer is None:
            self.session_id, self.last_turn = None, None
            return
        turn = AckedTurn(
            session_id=answer["session_id"],
            turn_id=answer["turn_id"],
            message=message,
            reply=answer["reply"],
            product_ids=tuple(p["id"] for p in answer["products"]),
        )
        self.ledger.add_turn(turn)
        self.session_id, self.last_turn = turn.session_id, turn

    def streamed_turn(
        self, client: httpx.Client, base: str, body: dict[str, Any]
    ) -> dict[str, Any] | None:
        """The ``done`` event's answer (the acknowledgement of a streamed turn), else None."""
        with client.stream("POST", f"{base}/api/v1/chat/stream", json=body) as response:
            if response.status_code != 200:
                response.read()
                self.ledger.add_unexpected(f"stream {response.status_code} {response.text[:200]}")
                return None
            event = ""
            for line in response.iter_lines():
                if line.startswith("event: "):
                    event = line[len("event: ") :]
                elif line.startswith("data: ") and event in ("done", "error"):
                    if event == "error":
                        self.ledger.add_unexpected(f"stream error {line[:200]}")
                        return None
                    answer: dict[str, Any] = json.loads(line[len("data: ") :])
                    return answer
        # The stream ended without "done": the server died mid-answer; nothing acknowledged.
        raise httpx.RemoteProtocolError("stream ended before its done event")

    def send_event(self, client: httpx.Client, base: str, turn: AckedTurn) -> None:
        body: dict[str, Any] = {
            "session_id": turn.session_id,
            "product_id": self.rng.choice(turn.product_ids),
            "type": self.rng.choice(EVENT_TYPES),
            "turn_id": turn.turn_id,
        }
        response = client.post(f"{base}/api/v1/events", json=body)
        if response.status_code != 201:
            self.ledger.add_unexpected(f"event {response.status_code} {response.text[:200]}")
            return
        answer = response.json()
        self.ledger.add_event(
            AckedEvent(
                event_id=answer["id"],
                session_id=body["session_id"],
                product_id=body["product_id"],
                type=body["type"],
                turn_id=turn.turn_id,
            )
        )
