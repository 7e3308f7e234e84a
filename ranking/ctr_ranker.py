"""Online CTR re-ranking: the served model's click probabilities blended with relevance.

Per turn: embed the query (one cached embedding shared with dense retrieval), look up the
candidates' index vectors, read the session's history (events so far, prices shown), score
every candidate with the current model (position fixed to 1), and order by

    blend = w * z(logit(ctr)) + (1 - w) * z(retrieval score)

where ``z`` standardises over the candidate list (mean 0, sd 1), so ``w`` is the share of the
order the model decides whatever the scales of the two scores. Products whose part number or
EAN was queried stay on top; then the list is diversified as in
:class:`~ranking.rerank.DiversifiedRanker` (per-brand cap, near-duplicate folding).

Cold start: with no trained model (or if scoring fails) the ranker *is* the diversified
ranker and says so (``ranker="diversified"``). A session without history gets the model's
prior features (history-empty indicators, popularity).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from ranking.features import Popularity, RankInputs
from ranking.history import HistoryReader, ProductVectors, serving_inputs
from ranking.reasons import PopularityStats, ReasonSettings, personal_reasons
from ranking.rerank import (
    DiversifiedRanker,
    RankedProducts,
    RankingContext,
    diversify,
    serving_signals,
)
from retrieval.embedder import Embedder
from retrieval.search import Candidate, Candidates

log = logging.getLogger(__name__)

_EPS = 1e-6


class Scorer(Protocol):
    """A loaded CTR model (:class:`ranking.artifact.CtrScorer`)."""

    @property
    def version(self) -> str: ...

    def score(self, inputs: RankInputs, popularity: Popularity) -> npt.NDArray[np.floating]: ...


class ScorerSource(Protocol):
    """Hands out the model to use now (:class:`ranking.hot_reload.ModelWatcher`)."""

    def current(self) -> Scorer | None: ...


class ServingPopularity(Popularity, PopularityStats, Protocol):
    """Popularity priors that also answer the "popular" reason's questions."""

    def snapshot(self) -> ServingPopularity:
        """The priors as of now, fixed: one list is scored and explained with one table."""
        ...


def _standardise(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    spread = float(values.std())
    if spread < _EPS:
        return np.zeros_like(values)
    return (values - values.mean()) / spread


def blend_scores(
    ctr: npt.NDArray[np.floating], relevance: npt.NDArray[np.floating], weight: float
) -> npt.NDArray[np.float64]:
    """``weight * z(logit(ctr)) + (1 - weight) * z(relevance)`` over one candidate list.

    Example:
        >>> blend_scores(np.array([0.1, 0.3]), np.array([0.9, 0.2]), weight=1.0)
        array([-1.,  1.])
    """
    p = np.clip(np.asarray(ctr, dtype=np.float64), _EPS, 1 - _EPS)
    logit = np.log(p / (1 - p))
    rel = np.asarray(relevance, dtype=np.float64)
    return weight * _standardise(logit) + (1 - weight) * _standardise(rel)


class CtrRanker:
    """Re-ranks candidates by the served CTR model blended with relevance, then diversifies.

    Args:
        models: Where the current model comes from (hot reloaded).
        embedder: Embeds the query text (a :class:`~retrieval.embedder.CachedEmbedder`).
        vectors: The products' index vectors by id.
        history: Reads the session's history.
        popularity: Smoothed popularity priors (model features and the "popular" reason).
        blend_weight: ``w`` in the blend (1 = model only, 0 = retrieval order).
        max_per_brand: Per-brand cap of the diversification.
        reasons: Thresholds of the personal reasons.

    Example:
        >>> ranker = CtrRanker(ModelWatcher(path, CtrScorer.load), embedder, snapshot,
        ...                    SqlHistoryReader(conversations), SqlPopularity(conversations))
        >>> ranker.rank(candidates, RankingContext(session_id=sid), k=5).ranker
        'ctr:20261128T0412-3fa2c1'
    """

    def __init__(
        self,
        models: ScorerSource,
        embedder: Embedder,
        vectors: ProductVectors,
        history: HistoryReader,
        popularity: ServingPopularity,
        *,
        blend_weight: float = 0.5,
        max_per_brand: int = 50,
        reasons: ReasonSettings | None = None,
    ) -> None:
        if not 0.0 <= blend_weight <= 1.0:
            raise ValueError("blend_weight must be in [0, 1]")
        self._fallback = DiversifiedRanker(max_per_brand=max_per_brand)
        self._models = models
        self._embedder = embedder
        self._vectors = vectors
        self._history = history
        self._popularity = popularity
        self.blend_weight = blend_weight
        self.max_per_brand = max_per_brand
        self.reason_settings = reasons or ReasonSettings()

    def rank(self, candidates: Candidates, context: RankingContext, k: int) -> RankedProducts:
        if k <= 0:
            raise ValueError("k must be positive")
        scorer = self._models.current()
        excluded = set(context.exclude_ids)
        pool = [c for c in candidates.items if c.product.id not in excluded]
        if scorer is None or not pool:
            return self._fallback.rank(candidates, context, k)
        priors = self._popularity.snapshot()
        try:
            inputs = self.rank_inputs(candidates.query.text, pool, context.session_id)
            ctr = np.asarray(scorer.score(inputs, priors), dtype=np.float64)
        except Exception:  # a broken model must not break the turn: serve the cold-start order
            log.exception("CTR scoring failed (session=%s); serving diversified order",
                          context.session_id)  # fmt: skip
            return self._fallback.rank(candidates, context, k)
        return self._ranked(inputs, ctr, priors, context, k, f"ctr:{scorer.version}")

    def rank_inputs(self, text: str, pool: list[Candidate], session_id: str | None) -> RankInputs:
        """The model inputs of one candidate list: query vector, product vectors, history."""
        query = self._embedder.embed([text.strip() or "popular products"])[0]
        return serving_inputs(query, pool, self._history.history(session_id), self._vectors)

    def _ranked(
        self,
        inputs: RankInputs,
        ctr: npt.NDArray[np.float64],
        priors: ServingPopularity,
        context: RankingContext,
        k: int,
        name: str,
    ) -> RankedProducts:
        pool: list[Candidate] = inputs.candidates
        blended = blend_scores(ctr, np.array([c.score for c in pool]), self.blend_weight)
        order = sorted(range(len(pool)), key=lambda i: (not pool[i].exact_match, -blended[i], i))
        position = {id(pool[i]): i for i in order}
        ordered = diversify([pool[i] for i in order], self.max_per_brand, context.offset + k)
        page = ordered[context.offset : context.offset + k]
        rows = [position[id(c)] for c in page]
        signals = [
            serving_signals(c) | {"ctr_score": float(ctr[i])}
            for c, i in zip(page, rows, strict=True)
        ]
        return RankedProducts(
            items=page,
            total_candidates=len(pool),
            has_more=context.offset + k < len(ordered),
            ranker=name,
            signals=signals,
            reasons=self._reasons(inputs, page, rows, priors),
        )

    def _reasons(
        self,
        inputs: RankInputs,
        page: Sequence[Candidate],
        rows: Sequence[int],
        priors: ServingPopularity,
    ) -> list[list[str]]:
        vectors = np.asarray(inputs.product_vectors)[list(rows)]
        history_vectors = (
            np.asarray(inputs.history_vectors)
            if inputs.history.items
            else np.zeros((0, vectors.shape[1]), dtype=np.float32)
        )
        return personal_reasons(
            [c.product for c in page],
            vectors,
            inputs.history,
            history_vectors,
            priors,
            self.reason_settings,
        )
