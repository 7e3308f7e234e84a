"""Judged policy questions: hit@1 / hit@3 of the passage retrieval and the answer threshold.

``data/eval/policy_questions.tsv`` holds ``question<TAB>document#section`` (``-`` when the
policies do not answer the question). The threshold is the cosine below which the desk says it
does not know; it is picked to minimise the cost of its decisions: a wrong answer (a confident
quote of the wrong passage, or any quote for an unanswerable question) costs 2, declining an
answerable question costs 1.
"""

from __future__ import annotations

import csv
from collections.abc import Sequence
from pathlib import Path

from pydantic import BaseModel, ConfigDict

from assistant.support.policies import PolicyLibrary

WRONG_COST = 2.0
DECLINE_COST = 1.0


class JudgedQuestion(BaseModel):
    model_config = ConfigDict(frozen=True)

    question: str
    expected: str | None  # "document#section", None when unanswerable


class ScoredQuestion(BaseModel):
    model_config = ConfigDict(frozen=True)

    question: JudgedQuestion
    ranked: list[str]  # "document#section" of the top hits, best first
    score: float  # cosine of the best hit

    @property
    def hit1(self) -> bool:
        return bool(self.ranked) and self.ranked[0] == self.question.expected

    @property
    def hit3(self) -> bool:
        return self.question.expected in self.ranked[:3]


class ThresholdRow(BaseModel):
    model_config = ConfigDict(frozen=True)

    threshold: float
    answered_right: int
    answered_wrong: int
    declined_answerable: int
    declined_unanswerable: int
    cost: float


def load_questions(path: Path) -> list[JudgedQuestion]:
    rows = [
        r for r in csv.reader(path.open(encoding="utf-8"), delimiter="\t") if r and r[0][:1] != "#"
    ]
    return [
        JudgedQuestion(question=q, expected=None if e.strip() == "-" else e.strip())
        for q, e in rows[1:]
    ]


def score_questions(
    library: PolicyLibrary, questions: Sequence[JudgedQuestion]
) -> list[ScoredQuestion]:
    scored = []
    for q in questions:
        hits = library.search(q.question, k=3)
        ranked = [f"{h.passage.document}#{h.passage.section}" for h in hits]
        scored.append(
            ScoredQuestion(question=q, ranked=ranked, score=hits[0].score if hits else -1)
        )
    return scored


def threshold_table(
    scored: Sequence[ScoredQuestion], thresholds: Sequence[float]
) -> list[ThresholdRow]:
    rows = []
    for t in thresholds:
        answered = [s for s in scored if s.score >= t]
        declined = [s for s in scored if s.score < t]
        right = sum(1 for s in answered if s.question.expected is not None and s.hit1)
        wrong = len(answered) - right
        declined_ok = sum(1 for s in declined if s.question.expected is None)
        declined_bad = len(declined) - declined_ok
        rows.append(
            ThresholdRow(
                threshold=round(t, 3),
                answered_right=right,
                answered_wrong=wrong,
                declined_answerable=declined_bad,
                declined_unanswerable=declined_ok,
                cost=wrong * WRONG_COST + declined_bad * DECLINE_COST,
            )
        )
    return rows


def best_threshold(rows: Sequence[ThresholdRow]) -> ThresholdRow:
    """The cheapest threshold; ties go to the lowest (answer more)."""
    return min(rows, key=lambda r: (r.cost, r.threshold))
