"""Policy answers: passages embedded into their own Chroma collection, retrieved by cosine.

The collection ("policies" by default) holds one vector per passage, keyed by a content-derived
id (:attr:`PolicyPassage.id`) with the content hash and the encoder in the metadata. ``sync``
embeds only new or edited passages and deletes the ones no longer in the documents, so it is
cheap to run at every start. A question's best passage is quoted only when its cosine reaches
``min_score`` (chosen on ``data/eval/policy_questions.tsv``, see ``benchmarks/policies.py``);
below it the desk says it does not know.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
from collections.abc import Sequence

import numpy as np
from pydantic import BaseModel, ConfigDict

from assistant.support.policy_docs import PolicyPassage
from assistant.support.types import Source
from retrieval.embedder import Embedder
from retrieval.vector_store import VectorIndex

log = logging.getLogger(__name__)

# Sentence ends, blank lines, list items and table rows split; a single line break inside a
# sentence is Markdown's soft wrap and does not ("Express shipping\narrives in 1 to 2 days.").
_SENTENCE = re.compile(
    r"(?<=[.!?])\s+(?=[A-Z0-9“\"(])|\n\s*\n|\n(?=\s*(?:[-*+]|\d+[.)])\s)|\n(?=\s*\|)"
)
SNIPPET_SENTENCES = 2
# A neighbouring sentence joins the quote when it is nearly as relevant as the best one.
SNIPPET_MARGIN = 0.08


class PolicyHit(BaseModel):
    """A passage and its cosine similarity to the question."""

    model_config = ConfigDict(frozen=True)

    passage: PolicyPassage
    score: float


class PolicyAnswer(BaseModel):
    """The best passage for a question, the quoted sentences, and whether it is relevant enough.

    Example:
        >>> answer = library.answer("how long does standard shipping take?")
        >>> answer.confident, answer.source.document
        (True, 'shipping')
    """

    model_config = ConfigDict(frozen=True)

    question: str
    hits: list[PolicyHit]
    snippet: str = ""
    confident: bool = False

    @property
    def best(self) -> PolicyHit | None:
        return self.hits[0] if self.hits else None

    @property
    def source(self) -> Source | None:
        if self.best is None:
            return None
        passage = self.best.passage
        return Source(
            document=passage.document,
            section=passage.section,
            snippet=self.snippet or passage.text,
            title=passage.title,
            score=round(self.best.score, 4),
        )


class PolicySyncReport(BaseModel):
    model_config = ConfigDict(frozen=True)

    embedded: int
    deleted: int
    unchanged: int


def sentences(text: str) -> list[str]:
    """The passage's sentences and list items, each on one line (soft wraps joined).

    Example:
        >>> sentences("Express shipping\narrives in 2 days. Next-day orders\narrive tomorrow.")
        ['Express shipping arrives in 2 days.', 'Next-day orders arrive tomorrow.']
    """
    return [" ".join(s.split()) for s in _SENTENCE.split(text) if s and s.strip()]


class PolicyLibrary:
    """The store policies as a searchable, citable passage index.

    Example:
        >>> library = PolicyLibrary(load_policies(Path("data/policies")), embedder,
        ...                         ChromaVectorIndex(collection="policies", path=chroma_dir))
        >>> library.sync().embedded  # first start; 0 on the next one
        45
        >>> library.answer("do you ship to Alaska?").best.passage.section
        'Delivery times'
    """

    def __init__(
        self,
        passages: Sequence[PolicyPassage],
        embedder: Embedder,
        index: VectorIndex,
        *,
        min_score: float = 0.5,
        top_k: int = 3,
    ) -> None:
        if not passages:
            raise ValueError("at least one policy passage is needed")
        if not -1.0 <= min_score <= 1.0:
            raise ValueError("min_score is a cosine similarity in [-1, 1]")
        if top_k <= 0:
            raise ValueError("top_k must be positive")
        self._passages = {p.id: p for p in passages}
        self._embedder = embedder
        self._index = index
        self._synced = False
        self._lock = threading.Lock()
        self.min_score = min_score
        self.top_k = top_k

    @property
    def passages(self) -> list[PolicyPassage]:
        return list(self._passages.values())

    def _model_tag(self) -> str:
        model = str(getattr(self._embedder, "model_path", type(self._embedder).__name__))
        return hashlib.sha256(model.encode()).hexdigest()[:12]

    def sync(self) -> PolicySyncReport:
        """Make the collection hold exactly the current passages (embed new, drop stale)."""
        with self._lock:
            tag = self._model_tag()
            stored = self._index.content_hashes()
            wanted = {pid: f"{p.content_hash}:{tag}" for pid, p in self._passages.items()}
            stale = [pid for pid, h in stored.items() if wanted.get(pid) != h]
            missing = [pid for pid, h in wanted.items() if stored.get(pid) != h]
            self._index.delete(stale)
            if missing:
                texts = [self._passages[pid].embedding_text() for pid in missing]
                metadatas = [
                    {"content_hash": wanted[pid], "document": self._passages[pid].document}
                    for pid in missing
                ]
                self._index.upsert(missing, self._embedder.embed(texts), metadatas)
            self._synced = True
        report = PolicySyncReport(
            embedded=len(missing),
            deleted=len([s for s in stale if s not in wanted]),
            unchanged=len(wanted) - len(missing),
        )
        log.info("policies synced: %s", report.model_dump())
        return report

    def search(self, question: str, k: int | None = None) -> list[PolicyHit]:
        """The ``k`` passages closest to the question, best first."""
        if not self._synced:
            self.sync()
        vector = self._embedder.embed([question])[0]
        hits = self._index.query(vector, k or self.top_k, None)
        return [
            PolicyHit(passage=self._passages[h.product_id], score=h.score)
            for h in hits
            if h.product_id in self._passages
        ]

    def answer(self, question: str) -> PolicyAnswer:
        """The best passage, its most relevant sentence(s), and whether to trust it."""
        hits = self.search(question)
        if not hits:
            return PolicyAnswer(question=question, hits=[])
        confident = hits[0].score >= self.min_score
        snippet = self.snippet(question, hits[0].passage) if confident else ""
        return PolicyAnswer(question=question, hits=hits, snippet=snippet, confident=confident)

    def snippet(self, question: str, passage: PolicyPassage) -> str:
        """The passage trimmed to the sentence(s) that answer the question, in reading order."""
        parts = sentences(passage.text)
        if len(parts) <= SNIPPET_SENTENCES:
            return " ".join(parts)
        vectors = self._embedder.embed([question, *parts])
        scores = np.asarray(vectors[1:] @ vectors[0], dtype=float)
        best = int(scores.argmax())
        chosen = {best}
        for neighbour in (best + 1, best - 1):
            near = (
                0 <= neighbour < len(parts) and scores[neighbour] >= scores[best] - SNIPPET_MARGIN
            )
            if near and len(chosen) < SNIPPET_SENTENCES:
                chosen.add(neighbour)
        return " ".join(parts[i] for i in sorted(chosen))
