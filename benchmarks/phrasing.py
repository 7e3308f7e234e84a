"""Benchmark of LLM phrasing with a fake chat model: what our side of phrasing costs a turn.

    python -m benchmarks.phrasing --store DIR [--messages 150] [--runs 20]

``--store`` is a store folder (``shop.db`` + ``chroma``; e.g. a copy of ``var/``) and is
copied to a scratch folder first, since chat turns write to it. Without ``--store`` a scratch
store is built from the first 400 products of the bundled catalog.

The fake model answers instantly with the turn's own template reply (read back from the data
block it was sent), so every phrased turn is validated in full and accepted: the figures are
the cost of our side (facts from SQL, prompt, LangChain's call path and a thread hop,
validation) and exclude the model's own latency, which is the provider's. Printed:

* ``input``, ``messages``, ``validate``, ``phrase`` - p50/p95 ms of building the facts (incl.
  the product lookup), the messages, validating the reply, and the whole ``LLMPhraser.phrase``
  call with the fake model, over the phrased turns of ``--messages`` chat messages (each
  timed ``--runs`` times);
* ``turn_off`` / ``turn_on`` - p50/p95 ms of a whole ``ShoppingAssistant.chat`` turn with
  phrasing off and on, over the same conversations, interleaved (warm caches for both).

Figures land in ``benchmarks/results/phrasing.json``.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from langchain_core.language_models.chat_models import SimpleChatModel
from langchain_core.messages import BaseMessage

from assistant.config import REPO_ROOT, Settings
from assistant.phrasing import LLMPhraser, PhrasingInput, TurnPhraser
from assistant.phrasing.validator import fact_sheet
from assistant.service import ChatResult, ShoppingAssistant
from assistant.wiring import Services
from benchmarks.queries import conversations
from benchmarks.run import _percentile, write_figures

_DATA = re.compile(r"<data>\n(.*)\n</data>", re.S)


class TemplateEchoModel(SimpleChatModel):
    """A fake chat model that answers with the ``template_reply`` of the data block."""

    @property
    def _llm_type(self) -> str:
        return "template-echo"

    def _call(self, messages: list[BaseMessage], *args: Any, **kwargs: Any) -> str:
        found = _DATA.search(str(messages[-1].content))
        reply: str = json.loads(found.group(1))["template_reply"] if found else ""
        return reply


def _store(source: Path | None, scratch: Path) -> Settings:
    """Settings over a scratch copy of ``source`` (or a small store built from the catalog)."""
    if source is not None:
        shutil.copytree(source, scratch, dirs_exist_ok=True)
    settings = Settings(
        database_url=f"sqlite:///{scratch / 'shop.db'}",
        chroma_path=scratch / "chroma",
        index_on_start=False,
        ctr_model_path=scratch / "models" / "ctr",
    )
    if source is None:
        from retrieval.catalog.loading import load_catalog

        services = Services(settings)
        loaded = load_catalog(REPO_ROOT / "data" / "icecat" / "1.json.zip", "icecat")
        services.products.upsert_many(loaded.products[:400])
        services.build_index(show_progress=False)
        services.close()
    return settings


def _ms(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return (time.perf_counter() - started) * 1000


def _stats(name: str, values: list[float]) -> dict[str, float]:
    return {
        f"{name}_p50_ms": round(statistics.median(values), 3),
        f"{name}_p95_ms": round(_percentile(values, 0.95), 3),
    }


def _inputs(phraser: TurnPhraser, results: list[ChatResult]) -> list[PhrasingInput]:
    built = (
        phraser.input_for(r.intent, r.filters, r.reply, cards=r.products, sources=r.sources,
                          comparison=r.comparison)
        for r in results
    )  # fmt: skip
    return [facts for facts in built if facts is not None]


def _validate(llm: LLMPhraser, facts: PhrasingInput) -> list[str]:
    return llm.validator.problems(facts.template_reply, fact_sheet(facts))


def _components(
    phraser: TurnPhraser, results: list[ChatResult], runs: int
) -> dict[str, float | int]:
    """Time facts, prompt, validation and the whole phrase call on the phrased turns."""
    llm = phraser.phraser
    timings: dict[str, list[float]] = {"input": [], "messages": [], "validate": [], "phrase": []}
    inputs = _inputs(phraser, results)
    phrased = 0
    for _ in range(runs):
        _inputs(phraser, results[:1])  # keep the lookups warm like a serving process
        for result in results:
            timings["input"].append(_ms(partial(_inputs, phraser, [result])))
        for facts in inputs:
            timings["messages"].append(_ms(partial(llm.messages, facts)))
            timings["validate"].append(_ms(partial(_validate, llm, facts)))
            started = time.perf_counter()
            outcome = llm.phrase(facts)
            timings["phrase"].append((time.perf_counter() - started) * 1000)
            phrased += outcome.phrased_by == "llm"
    figures: dict[str, float | int] = {"phrased_turns": len(inputs), "turns": len(results)}
    figures["accepted_share"] = round(phrased / max(1, len(inputs) * runs), 3)
    for name, values in timings.items():
        figures.update(_stats(name, values))
    return figures


def _turns(off: ShoppingAssistant, on: ShoppingAssistant, talks: list[list[str]]) -> dict[str, Any]:
    """Whole chat turns with phrasing off and on, interleaved conversation by conversation."""
    timings: dict[str, list[float]] = {"turn_off": [], "turn_on": []}
    llm_turns = 0
    for talk in talks:
        for name, assistant in (("turn_off", off), ("turn_on", on)):
            session: str | None = None
            for message in talk:
                started = time.perf_counter()
                result = assistant.chat(session, message, source="simulated")
                timings[name].append((time.perf_counter() - started) * 1000)
                session = result.session_id
                llm_turns += result.phrased_by == "llm"
    figures: dict[str, Any] = {"turns_each": len(timings["turn_off"]), "llm_turns": llm_turns}
    for name, values in timings.items():
        figures.update(_stats(name, values))
    return figures


def measure(store: Path | None, n_messages: int, runs: int) -> dict[str, Any]:
    scratch = Path(tempfile.mkdtemp(prefix="shopbot-phrasing-"))
    services = Services(_store(store, scratch))
    try:
        talks = conversations(n_messages, seed=7)
        off = services.assistant
        for talk in talks[:5]:  # warm-up: encoder, indexes, snapshot, SQL caches
            session = None
            for message in talk:
                session = off.chat(session, message, source="simulated").session_id
        results = [off.chat(None, m, source="simulated") for talk in talks for m in talk[:1]]
        services.__dict__["chat_model"] = TemplateEchoModel()
        for name in ("turn_phraser", "assistant"):
            services.__dict__.pop(name, None)
        on = services.assistant
        phraser = services.turn_phraser
        assert phraser is not None
        figures: dict[str, Any] = {"products": services.products.count()}
        figures.update(_components(phraser, results, runs))
        figures.update(_turns(off, on, talks))
        figures["turn_added_p50_ms"] = round(
            figures["turn_on_p50_ms"] - figures["turn_off_p50_ms"], 3
        )
        return figures
    finally:
        services.close()
        shutil.rmtree(scratch, ignore_errors=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, default=None, help="store folder to copy")
    parser.add_argument("--messages", type=int, default=150, help="chat messages per pass")
    parser.add_argument("--runs", type=int, default=20, help="repeats of the component timings")
    args = parser.parse_args(argv)
    write_figures(measure(args.store, args.messages, args.runs), "phrasing.json")


if __name__ == "__main__":
    main()
