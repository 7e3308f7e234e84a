"""Benchmark of streamed answers on the full catalog against a live server.

    python -m benchmarks.stream --store DIR [--runs 100]

``DIR`` is a built store (``shop.db`` + ``chroma``, e.g. made by ``python -m benchmarks.run
--store DIR``); without one a fresh store is built first (a few minutes). The app is started on
loopback (``app.py``) and the same multi-turn conversations (``--runs`` messages) are sent to

* ``POST /api/v1/chat/stream`` (SSE; follow-ups continue the session by ``session_id``),
* ``POST /v1/chat/completions`` with ``stream=true`` (follow-ups resend the history, so the
  session is found through the thread digest, as OpenAI clients do),
* ``POST /api/v1/chat`` (not streamed; the reference for the full response time),

interleaved message by message. For each it reports p50/p95 of the time to the first event
(SSE ``start`` / the first chunk), to the first reply text, and to the complete response.
The reply text is cut into pieces only after the turn is computed, so the first text arrives
about when a non-streamed answer would be complete; the first event comes before any work.
Each message goes to all three endpoints, so two of the three find its embedding in the query
cache (the order rotates per conversation to share that out): compare the endpoints with each
other; ``benchmarks.run`` gives the chat latency on varied, mostly uncached messages.
Figures go to ``benchmarks/results/stream.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx

from benchmarks.queries import conversations
from benchmarks.run import _percentile, build_store, write_figures
from benchmarks.search import running_server

Timing = dict[str, float]
ENDPOINTS = ("api_stream", "openai_stream", "api_chat")
PHASES = ("first_event", "first_text", "full")


def _ms(since: float) -> float:
    return (time.perf_counter() - since) * 1000


def _sse_data(lines: Iterator[str]) -> Iterator[tuple[str, str]]:
    """(event name, data) of each SSE message as it arrives."""
    name = "message"
    for line in lines:
        if line.startswith("event: "):
            name = line[7:]
        elif line.startswith("data: "):
            yield name, line[6:]
            name = "message"


def api_stream(client: httpx.Client, session_id: str | None, message: str) -> tuple[Timing, Any]:
    """One turn over SSE; returns the timings and the ``done`` result (None on error)."""
    timing: Timing = {}
    started = time.perf_counter()
    body = {"session_id": session_id, "message": message}
    with client.stream("POST", "/api/v1/chat/stream", json=body) as response:
        for event, data in _sse_data(response.iter_lines()):
            timing.setdefault("first_event", _ms(started))
            if event == "delta":
                timing.setdefault("first_text", _ms(started))
            elif event in ("done", "error"):
                timing["full"] = _ms(started)
                return timing, json.loads(data) if event == "done" else None
    return timing, None


def openai_stream(client: httpx.Client, history: list[dict[str, str]]) -> tuple[Timing, str | None]:
    """One turn as an OpenAI stream; returns the timings and the reply text (None on error)."""
    timing: Timing = {}
    text: list[str] = []
    started = time.perf_counter()
    body = {"model": "shopbot", "messages": history, "stream": True}
    with client.stream("POST", "/v1/chat/completions", json=body) as response:
        for _, data in _sse_data(response.iter_lines()):
            timing.setdefault("first_event", _ms(started))
            if data == "[DONE]":
                timing["full"] = _ms(started)
                return timing, "".join(text)
            chunk = json.loads(data)
            if "error" in chunk:
                return timing, None
            content = chunk["choices"][0]["delta"].get("content") if chunk["choices"] else None
            if content:
                timing.setdefault("first_text", _ms(started))
                text.append(content)
    return timing, None


def api_chat(client: httpx.Client, session_id: str | None, message: str) -> tuple[Timing, Any]:
    started = time.perf_counter()
    response = client.post("/api/v1/chat", json={"session_id": session_id, "message": message})
    elapsed = _ms(started)
    if response.status_code != 200:
        return {}, None
    timing = {"first_event": elapsed, "first_text": elapsed, "full": elapsed}
    return timing, response.json()


class Recorder:
    """Collects timings per endpoint and phase, and counts failed turns."""

    def __init__(self) -> None:
        self.timings = {(e, p): list[float]() for e in ENDPOINTS for p in PHASES}
        self.errors = dict.fromkeys(ENDPOINTS, 0)

    def add(self, endpoint: str, timing: Timing, ok: bool) -> None:
        if not ok or set(timing) != set(PHASES):
            self.errors[endpoint] += 1
            return
        for phase, value in timing.items():
            self.timings[endpoint, phase].append(value)

    def figures(self) -> dict[str, float | int]:
        out: dict[str, float | int] = {}
        for endpoint in ENDPOINTS:
            out[f"{endpoint}_requests"] = len(self.timings[endpoint, "full"])
            out[f"{endpoint}_errors"] = self.errors[endpoint]
            for phase in PHASES:
                values = self.timings[endpoint, phase]
                if values:
                    out[f"{endpoint}_{phase}_p50_ms"] = statistics.median(values)
                    out[f"{endpoint}_{phase}_p95_ms"] = _percentile(values, 0.95)
        return out


class Conversation:
    """One conversation's state on each endpoint (session ids, the OpenAI-style history)."""

    def __init__(self, client: httpx.Client, recorder: Recorder) -> None:
        self.client = client
        self.recorder = recorder
        self.sse_session: str | None = None
        self.chat_session: str | None = None
        self.history: list[dict[str, str]] = []

    def send(self, endpoint: str, message: str) -> None:
        if endpoint == "api_stream":
            timing, done = api_stream(self.client, self.sse_session, message)
            self.recorder.add(endpoint, timing, done is not None)
            self.sse_session = done["session_id"] if done else self.sse_session
        elif endpoint == "openai_stream":
            asked = [*self.history, {"role": "user", "content": message}]
            timing, reply = openai_stream(self.client, asked)
            self.recorder.add(endpoint, timing, reply is not None)
            self.history = [*asked, {"role": "assistant", "content": reply or ""}]
        else:
            timing, result = api_chat(self.client, self.chat_session, message)
            self.recorder.add(endpoint, timing, result is not None)
            self.chat_session = result["session_id"] if result else self.chat_session


def run_conversation(
    client: httpx.Client, turns: list[str], recorder: Recorder, rotation: int = 0
) -> None:
    """Send one conversation to all three endpoints, message by message.

    The endpoint that sees a message first pays for embedding it (later ones hit the query
    cache), so the order rotates from one conversation to the next.
    """
    conversation = Conversation(client, recorder)
    order = ENDPOINTS[rotation % 3 :] + ENDPOINTS[: rotation % 3]
    for message in turns:
        for endpoint in order:
            conversation.send(endpoint, message)


def stream_latency(root: Path, runs: int, seed: int = 11) -> dict[str, float | int]:
    """Serve the store at ``root`` and time ``runs`` messages on each endpoint."""
    recorder = Recorder()
    with running_server(root, "hybrid") as base, httpx.Client(base_url=base, timeout=60) as client:
        for turns in conversations(5, seed=seed + 1):  # warm-up, not counted
            run_conversation(client, turns, Recorder())
        for i, turns in enumerate(conversations(runs, seed=seed)):
            run_conversation(client, turns, recorder, rotation=i)
    return recorder.figures()


def table(figures: dict[str, Any]) -> str:
    """The p50/p95 figures as a fixed-width table."""
    head = f"{'endpoint':<16}{'n':>5}{'err':>5}" + "".join(
        f"{phase + ' p50':>17}{'p95':>9}" for phase in PHASES
    )
    rows = [head + "   (ms)"]
    for endpoint in ENDPOINTS:
        row = f"{endpoint:<16}{figures[f'{endpoint}_requests']:>5}"
        row += f"{figures[f'{endpoint}_errors']:>5}"
        for phase in PHASES:
            p50 = figures.get(f"{endpoint}_{phase}_p50_ms", float("nan"))
            p95 = figures.get(f"{endpoint}_{phase}_p95_ms", float("nan"))
            row += f"{p50:>17.1f}{p95:>9.1f}"
        rows.append(row)
    return "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="a built store (built here if empty)")
    parser.add_argument("--runs", type=int, default=100, help="messages per endpoint")
    args = parser.parse_args(argv)
    if args.runs <= 0:
        parser.error("--runs must be positive")
    root = args.store or Path(tempfile.mkdtemp(prefix="shopbot-stream-"))
    root.mkdir(parents=True, exist_ok=True)
    figures: dict[str, Any] = {"cpu_count": os.cpu_count()}
    if not (root / "shop.db").exists():
        figures.update(build_store(root))
    figures.update(stream_latency(root, args.runs))
    sys.stdout.write(table(figures))
    write_figures(figures, "stream.json")


if __name__ == "__main__":
    main()
