"""Load test: concurrent simulated shoppers hold multi-turn conversations for a bounded time.

    python -m benchmarks.load --store DIR [--shoppers 32] [--duration 180] [--think 1.0]
    python -m benchmarks.load --url http://127.0.0.1:7860 [--api-key KEY] [...]

With ``--store DIR`` (a built store: ``shop.db`` + ``chroma/``, e.g. from ``python -m
benchmarks.run --store DIR``) the store is copied to a temporary folder (the original is only
read) and the app (``app.py``) is started on it on a free loopback port, rate limits off.
With ``--url`` an already running server is used (its rate limits must allow the load).

Each shopper (asyncio + httpx) opens sessions one after another; a session is 2-6 messages
from :mod:`benchmarks.queries` (openers and follow-ups such as "only HP", "show more"), with a
store-policy question (``data/eval/policy_questions.tsv``) slipped in at a random place in
about a quarter of them; some shown products get a click (``POST /api/v1/events``). Between
turns a shopper thinks for ``--think`` seconds on average (0: closed loop, as fast as served).
No turn starts after ``--duration``; turns in flight finish.

Afterwards every session is read back (``GET /api/v1/sessions/{id}``) and compared with what
its shopper was answered (:mod:`benchmarks.load_check`): same turns in order, same turn ids,
messages, replies, products and filters; no turn id answered twice; no brand filter the
session never named. Prints errors, leakage problems, p50/p95/p99 of the chat turns and
turns/s; writes ``benchmarks/results/load.json``; exits 1 on any error or leakage.
The load generator runs on the same machine as the server and takes some of its CPU.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from assistant.config import REPO_ROOT
from assistant.support.policy_eval import load_questions
from benchmarks.load_check import Transcript, foreign_brands, session_problems, shared_turn_ids
from benchmarks.load_server import served_copy, server_usage
from benchmarks.load_shoppers import LoadPlan, Recorder, shopper
from benchmarks.run import RESULTS, _percentile

POLICY_QUESTIONS = REPO_ROOT / "data" / "eval" / "policy_questions.tsv"


async def verify(client: httpx.AsyncClient, rec: Recorder) -> list[str]:
    """Read every session back and compare it with what its shopper was answered."""
    gate = asyncio.Semaphore(8)

    async def one(transcript: Transcript) -> list[str]:
        stored = None
        async with gate:
            try:
                response = await client.get(f"/api/v1/sessions/{transcript.session_id}")
                stored = response.json() if response.status_code == 200 else None
            except httpx.HTTPError:
                pass  # reported as "not readable"
        return session_problems(transcript, stored) + foreign_brands(transcript)

    sessions = [t for t in rec.transcripts if t.session_id is not None]
    found = await asyncio.gather(*(one(t) for t in sessions))
    problems = [p for one_session in found for p in one_session]
    return rec.live_problems + shared_turn_ids(sessions) + problems


def _latency_figures(name: str, values: list[float]) -> dict[str, float | int]:
    figures: dict[str, float | int] = {f"{name}_requests": len(values)}
    if values:
        figures[f"{name}_p50_ms"] = statistics.median(values)
        figures[f"{name}_p95_ms"] = _percentile(values, 0.95)
        figures[f"{name}_p99_ms"] = _percentile(values, 0.99)
        figures[f"{name}_max_ms"] = max(values)
    return figures


@dataclass
class LoadRun:
    """A finished run: the figures (as written to JSON) and every shopper's sessions."""

    figures: dict[str, Any]
    transcripts: list[Transcript]


async def run_load(base_url: str, plan: LoadPlan, api_key: str | None = None) -> LoadRun:
    """Run ``plan`` against the server at ``base_url``, then check every session it held."""
    support = [q.question for q in load_questions(POLICY_QUESTIONS)]
    headers = {"Authorization": f"Bearer {api_key}"} if api_key else {}
    limits = httpx.Limits(max_connections=plan.shoppers + 8, max_keepalive_connections=None)
    rec = Recorder()
    async with httpx.AsyncClient(
        base_url=base_url, headers=headers, timeout=plan.timeout_seconds, limits=limits
    ) as client:
        warm_up = await client.post("/api/v1/chat", json={"message": "warm up"})  # not counted
        if warm_up.status_code != 200:
            raise RuntimeError(f"the server refused a turn: {warm_up.status_code} {warm_up.text}")
        load_at_start = os.getloadavg()[0]  # other work on the machine skews the figures
        started = time.monotonic()
        deadline = started + plan.duration_seconds
        await asyncio.gather(
            *(shopper(client, i, plan, support, deadline, rec) for i in range(plan.shoppers))
        )
        elapsed = time.monotonic() - started
        problems = await verify(client, rec)
    turns = rec.latencies["search"] + rec.latencies["support"]
    sessions = [t for t in rec.transcripts if t.turns]
    figures: dict[str, Any] = {
        "load_average_at_start": load_at_start,
        "shoppers": plan.shoppers,
        "duration_seconds": plan.duration_seconds,
        "think_seconds": plan.think_seconds,
        "elapsed_seconds": elapsed,
        "sessions": len(sessions),
        "sessions_multi_turn": sum(len(t.turns) > 1 for t in sessions),
        "turns": len(turns),
        "turns_per_second": len(turns) / elapsed,
        "errors": sum(rec.errors.values()),
        "leakage_problems": len(problems),
    }
    figures.update(_latency_figures("chat", turns))
    for kind in ("search", "support", "click"):
        figures.update(_latency_figures(kind, rec.latencies[kind]))
    figures["errors_by_kind"] = dict(rec.errors)
    figures["error_samples"] = rec.error_samples
    figures["problem_samples"] = problems[:50]
    return LoadRun(figures, sessions)


def report(figures: dict[str, Any]) -> str:
    """The figures as text: a summary line per group, then errors and problems."""
    lines = [
        f"{figures['shoppers']} shoppers, {figures['elapsed_seconds']:.0f} s, think "
        f"{figures['think_seconds']} s: {figures['sessions']} sessions "
        f"({figures['sessions_multi_turn']} multi-turn), {figures['turns']} turns, "
        f"{figures['turns_per_second']:.2f} turns/s",
    ]
    for kind in ("chat", "search", "support", "click"):
        if figures.get(f"{kind}_p50_ms") is not None:
            lines.append(
                f"  {kind:<8} n={figures[f'{kind}_requests']:<6} "
                + "  ".join(
                    f"{q} {figures[f'{kind}_{q}_ms']:.0f} ms" for q in ("p50", "p95", "p99", "max")
                )
            )
    if "server_cpu_seconds_during_run" in figures:
        cpu_ms = figures["server_cpu_seconds_during_run"] * 1000 / max(1, figures["turns"])
        lines.append(
            f"server: peak RSS {figures['server_peak_rss_mb']:.0f} MB, CPU {cpu_ms:.0f} ms per "
            f"turn (clicks and the read-back included); load average at start "
            f"{figures['load_average_at_start']:.1f} on {figures['cpu_count']} CPUs"
        )
    lines.append(f"errors: {figures['errors']}  {figures['errors_by_kind']}")
    lines += [f"  {sample}" for sample in figures["error_samples"]]
    lines.append(f"leakage problems: {figures['leakage_problems']}")
    lines += [f"  {problem}" for problem in figures["problem_samples"]]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    target = parser.add_mutually_exclusive_group(required=True)
    target.add_argument("--store", type=Path, help="a built store to serve a copy of")
    target.add_argument("--url", help="an already running server")
    parser.add_argument("--api-key", help="sent as 'Authorization: Bearer KEY' (with --url)")
    parser.add_argument("--shoppers", type=int, default=32)
    parser.add_argument("--duration", type=float, default=180.0, help="seconds")
    parser.add_argument("--think", type=float, default=1.0, help="mean pause between turns (s)")
    parser.add_argument(
        "--support-share", type=float, default=0.25, help="sessions with a policy question"
    )
    parser.add_argument("--click-share", type=float, default=0.3, help="turns followed by a click")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="load.json", help="file name under benchmarks/results/")
    args = parser.parse_args(argv)
    try:
        plan = LoadPlan(
            args.shoppers,
            args.duration,
            args.think,
            args.support_share,
            args.click_share,
            args.seed,
        )
    except ValueError as e:
        parser.error(str(e))
    figures: dict[str, Any] = {"cpu_count": os.cpu_count(), "target": args.url or "app.py"}
    if args.url:
        figures.update(asyncio.run(run_load(args.url.rstrip("/"), plan, args.api_key)).figures)
    else:
        with served_copy(args.store) as (base, proc):
            cpu_before = server_usage(proc.pid)["server_cpu_seconds"]
            figures.update(asyncio.run(run_load(base, plan)).figures)
            usage = server_usage(proc.pid)
        figures["server_peak_rss_mb"] = usage["server_peak_rss_mb"]
        figures["server_cpu_seconds_during_run"] = usage["server_cpu_seconds"] - cpu_before
    sys.stdout.write(report(figures))
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / args.out).write_text(json.dumps(figures, indent=2))
    sys.exit(1 if figures["errors"] or figures["leakage_problems"] else 0)


if __name__ == "__main__":
    main()
