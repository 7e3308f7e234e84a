"""Policy passage retrieval on the judged questions: hit@1, hit@3 and the answer threshold.

Run: ``.venv/bin/python -m benchmarks.policies [--questions data/eval/policy_questions.tsv]``
and ``... --end-to-end`` to send every question through the whole assistant (intent classifier,
routing, desk) over a temporary copy of the app's store (``var/``; ``make run`` builds it).

Builds the policy index from ``data/policies`` in a temporary Chroma directory with the app's
encoder, retrieves the top 3 passages per question, and prints hit@1/hit@3 over the answerable
questions, the score of every question, and the decision cost per threshold (see
:mod:`assistant.support.policy_eval`).
"""

from __future__ import annotations

import argparse
import collections
import shutil
import sqlite3
import tempfile
from pathlib import Path

import numpy as np

from assistant.config import REPO_ROOT, Settings
from assistant.support.policies import PolicyLibrary
from assistant.support.policy_docs import load_policies
from assistant.support.policy_eval import (
    JudgedQuestion,
    best_threshold,
    load_questions,
    score_questions,
    threshold_table,
)
from retrieval.embedder import TransformerEmbedder
from retrieval.vector_store import ChromaVectorIndex


def end_to_end(questions: list[JudgedQuestion]) -> None:
    """Each question as the first message of a new chat: is the right passage cited?"""
    from assistant.wiring import Services

    settings = Settings()
    source_db = settings.database_url.removeprefix("sqlite:///")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        with sqlite3.connect(f"file:{source_db}?mode=ro", uri=True) as src:
            with sqlite3.connect(root / "shop.db") as dst:
                src.backup(dst)
        shutil.copytree(settings.chroma_path, root / "chroma")
        services = Services(
            settings.model_copy(
                update={
                    "database_url": f"sqlite:///{root / 'shop.db'}",
                    "chroma_path": root / "chroma",
                    "lexical_path": root / "lexical",
                    "ranker": "diversified",
                }
            )
        )
        services.support.sync_policies()
        outcomes: collections.Counter[str] = collections.Counter()
        for q in questions:
            result = services.assistant.chat(None, q.question)
            top = result.sources[0] if result.sources else None
            cited = f"{top.document}#{top.section}" if top else None
            if q.expected is None:
                kind = "unanswerable, cited (wrong)" if cited else "unanswerable, not cited"
            else:
                kind = (
                    "right citation"
                    if cited == q.expected
                    else ("wrong citation" if cited else "no citation")
                )
            outcomes[kind] += 1
            print(f"{kind:28s} {result.intent:16s} {q.question}  ->  {cited}")
        services.close()
    print({k: outcomes[k] for k in sorted(outcomes)})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--questions", type=Path, default=REPO_ROOT / "data" / "eval" / "policy_questions.tsv"
    )
    parser.add_argument("--policies", type=Path, default=REPO_ROOT / "data" / "policies")
    parser.add_argument("--end-to-end", action="store_true", help="Through the whole assistant.")
    args = parser.parse_args()
    if args.end_to_end:
        end_to_end(load_questions(args.questions))
        return
    settings = Settings()
    embedder = TransformerEmbedder(settings.model_path, max_length=settings.embed_max_length)
    with tempfile.TemporaryDirectory() as tmp:
        index = ChromaVectorIndex(collection="policies", path=Path(tmp))
        library = PolicyLibrary(load_policies(args.policies), embedder, index)
        library.sync()
        scored = score_questions(library, load_questions(args.questions))
    answerable = [s for s in scored if s.question.expected is not None]
    for s in sorted(scored, key=lambda s: s.score):
        mark = "-" if s.question.expected is None else ("1" if s.hit1 else "3" if s.hit3 else "x")
        print(
            f"{s.score:.3f} [{mark}] {s.question.question}  ->  {s.ranked[0] if s.ranked else ''}"
        )
    hit1 = np.mean([s.hit1 for s in answerable])
    hit3 = np.mean([s.hit3 for s in answerable])
    print(
        f"\n{len(answerable)} answerable, {len(scored) - len(answerable)} unanswerable questions; "
        f"hit@1 {hit1:.3f}  hit@3 {hit3:.3f}"
    )
    rows = threshold_table(scored, [t / 100 for t in range(20, 71, 2)])
    print("threshold  right  wrong  declined(answerable)  declined(unanswerable)  cost")
    for r in rows:
        print(
            f"{r.threshold:9.2f}  {r.answered_right:5d}  {r.answered_wrong:5d}  "
            f"{r.declined_answerable:20d}  {r.declined_unanswerable:22d}  {r.cost:4.0f}"
        )
    best = best_threshold(rows)
    print(f"best threshold: {best.threshold:.2f} (cost {best.cost:.0f})")


if __name__ == "__main__":
    main()
