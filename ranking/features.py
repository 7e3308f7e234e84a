"""CTR features: one code path for offline training rows and online serving.

Serving calls :meth:`FeatureBuilder.build` on the candidates of one turn; training
(:mod:`ranking.dataset`) rebuilds a :class:`RankInputs` for every logged turn and calls the
very same :func:`raw_features` and encoder, so a model never sees a feature at serving
that was computed differently in training.

The features, per candidate (raw values, before the fitted standardisation):

* ``cosine`` -- query-product BERT cosine (both vectors are unit length, so a dot product).
* ``dense_score``/``dense_rank``/``dense_missing`` and the same three for ``lexical``: what
  each retriever said (rank as ``log1p(rank)``); a retriever that did not return the
  product gives score 0, rank 0 and ``*_missing = 1``.
* ``retrieval_score``, ``retrieval_rank`` -- the fused score and ``log1p`` of the fused rank.
* ``log_price`` -- ``log1p(price)``.
* ``price_rel_shown`` -- ``log((price+1)/(median shown price+1))``: price against the session's
  price level (prices of products shown on earlier turns); ``shown_missing`` when none.
* ``price_rel_clicked`` -- the same against the median price of products acted on so far.
* ``brand_clicked``/``category_clicked`` -- ``log1p`` of how many history items share the
  candidate's brand/category (case-insensitive; an empty brand never matches).
* ``history_max_sim``/``history_mean_sim`` -- max/mean cosine of the candidate's vector to the
  vectors of the history items (0 with no history), ``history_length`` (``log1p``),
  ``history_empty``.
* ``product_ctr``/``category_ctr`` -- Beta-smoothed click-through rates from
  :class:`Popularity` (fitted on training data only).
* ``seen_skipped`` -- ``log1p`` of how many times the candidate itself was shown on earlier
  turns without the shopper acting on it; ``seen_skipped_top`` -- whether one of those times
  was at a top position (:data:`SKIP_TOP_POSITIONS`).
* ``brand_skipped`` -- ``log1p`` of how many skipped products share the candidate's brand.
* ``skipped_max_sim``/``skipped_mean_sim`` -- max/mean cosine of the candidate's vector to the
  vectors of the *other* skipped products (0 with none), ``skipped_count`` (``log1p``).
* categoricals: category id, brand id (vocabulary with minimum count, rare/unseen brands go to
  an out-of-vocabulary bucket), price bucket (quantile edges fitted on training prices).
* position -- the 1-based display position, used to de-bias training; fixed to 1 at serving.
* the last :data:`HISTORY_LENGTH` history vectors, for DIN-style attention.
"""

from __future__ import annotations

import math
import statistics
from typing import TYPE_CHECKING, Any

import numpy as np
import numpy.typing as npt

from ranking.feature_types import (
    CATEGORICAL_FEATURES,
    HISTORY_LENGTH,
    NUMERIC_FEATURES,
    REASON_FEATURES,
    SKIP_TOP_POSITIONS,
    FeatureBatch,
    FloatArray,
    HistoryItem,
    IntArray,
    Popularity,
    RankInputs,
    RawFeatures,
    SessionHistory,
    ShownBefore,
    SkippedProduct,
)
from retrieval.catalog.product import Product
from retrieval.search import Candidate, RetrievalSignal

if TYPE_CHECKING:
    from ranking.encoders import FeatureEncoders

__all__ = [
    "CATEGORICAL_FEATURES",
    "HISTORY_LENGTH",
    "NUMERIC_FEATURES",
    "REASON_FEATURES",
    "FeatureBatch",
    "FeatureBuilder",
    "FloatArray",
    "HistoryItem",
    "IntArray",
    "Popularity",
    "RankInputs",
    "RawFeatures",
    "SessionHistory",
    "ShownBefore",
    "SkippedProduct",
    "apply_popularity",
    "candidate_from_signals",
    "raw_features",
    "signals_from_candidate",
]


def signals_from_candidate(candidate: Candidate) -> dict[str, float]:
    """The retrieval signals to log on an impression (inverse of :func:`candidate_from_signals`).

    Example:
        >>> signals_from_candidate(cand)
        {'retrieval_score': 0.03, 'retrieval_rank': 1.0, 'dense_score': 0.61, 'dense_rank': 1.0}
    """
    out = {"retrieval_score": float(candidate.score), "retrieval_rank": float(candidate.rank)}
    for name in ("dense", "lexical"):
        signal = candidate.signals.get(name)
        if signal is not None:
            out[f"{name}_score"] = float(signal.score)
            out[f"{name}_rank"] = float(signal.rank)
    return out


def candidate_from_signals(
    product: Product, signals: dict[str, float], fallback_rank: int, fallback_score: float = 0.0
) -> Candidate:
    """Rebuild the candidate a logged impression was ranked from (its retrieval signals)."""
    per_retriever: dict[str, RetrievalSignal] = {}
    for name in ("dense", "lexical"):
        if f"{name}_score" in signals and f"{name}_rank" in signals:
            per_retriever[name] = RetrievalSignal(
                score=float(signals[f"{name}_score"]), rank=max(1, int(signals[f"{name}_rank"]))
            )
    return Candidate(
        product=product,
        score=float(signals.get("retrieval_score", fallback_score)),
        rank=max(1, int(signals.get("retrieval_rank", fallback_rank))),
        signals=per_retriever,
    )


def _log_ratio(prices: npt.NDArray[np.float64], level: float | None) -> npt.NDArray[np.float64]:
    if level is None:
        return np.zeros(len(prices))
    return np.log((prices + 1.0) / (level + 1.0))


def _history_stats(
    product_vectors: npt.NDArray[np.float64], history_vectors: FloatArray | None
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    n = product_vectors.shape[0]
    if history_vectors is None or len(history_vectors) == 0:
        return np.zeros(n), np.zeros(n)
    sims = product_vectors @ history_vectors.astype(np.float64).T
    return sims.max(axis=1), sims.mean(axis=1)


def _retrieval_columns(cands: list[Candidate]) -> list[npt.NDArray[np.float64]]:
    """The eight retrieval columns (per retriever: score, log1p rank, missing; then the
    fused score and log1p fused rank), read in one pass over the candidates."""
    rows: list[tuple[float, ...]] = []
    for cand in cands:
        dense = cand.signals.get("dense")
        lexical = cand.signals.get("lexical")
        rows.append(
            (
                *((0.0, 0.0, 1.0) if dense is None else (dense.score, dense.rank, 0.0)),
                *((0.0, 0.0, 1.0) if lexical is None else (lexical.score, lexical.rank, 0.0)),
                cand.score,
                cand.rank,
            )
        )
    values = np.array(rows, dtype=np.float64).reshape(len(cands), 8).T
    values[[1, 4, 7]] = np.log1p(values[[1, 4, 7]])
    return list(values)


def _skip_columns(
    inputs: RankInputs, products: npt.NDArray[np.float64], brands: list[str]
) -> list[npt.NDArray[np.float64]]:
    """The six skip columns: the candidate's own earlier skips, its brand's, and its
    similarity to the other skipped products (``brands``: the candidates', lower case)."""
    cands = inputs.candidates
    n = len(cands)
    skipped = inputs.history.skipped()
    if not skipped:
        return [np.zeros(n) for _ in range(6)]
    by_id = {s.product_id: (row, s) for row, s in enumerate(skipped)}
    own = [by_id.get(c.product.id) for c in cands]
    times = np.array([0 if o is None else o[1].times for o in own], dtype=np.float64)
    top = np.array(
        [o is not None and o[1].best_position <= SKIP_TOP_POSITIONS for o in own], dtype=np.float64
    )
    brand_n = _lookup(_counts(s.brand.lower() for s in skipped), brands)
    vectors = _as_matrix(inputs.skipped_vectors, len(skipped), products.shape[1])
    if len(vectors) != len(skipped):
        raise ValueError("skipped_vectors must have one row per skipped product")
    sims = products @ vectors.astype(np.float64).T  # (n, s)
    others = np.ones_like(sims, dtype=bool)
    for i, o in enumerate(own):  # a candidate's similarity to itself says nothing new
        if o is not None:
            others[i, o[0]] = False
    count = others.sum(axis=1)
    max_sim = np.where(count > 0, np.where(others, sims, -np.inf).max(axis=1), 0.0)
    mean_sim = np.where(others, sims, 0.0).sum(axis=1) / np.maximum(count, 1)
    return [
        np.log1p(times),
        top,
        np.log1p(brand_n),
        max_sim,
        mean_sim,
        np.full(n, math.log1p(len(skipped))),
    ]


def _as_matrix(value: Any, rows: int, dim: int) -> FloatArray:
    if value is None:
        return np.zeros((0, dim), dtype=np.float32)
    matrix = np.asarray(value, dtype=np.float32).reshape(-1, dim)
    if matrix.shape[0] != rows:
        raise ValueError(f"expected {rows} vectors, got {matrix.shape[0]}")
    return matrix


def raw_features(inputs: RankInputs) -> RawFeatures:
    """The unencoded features of every candidate of one turn (popularity columns left 0).

    Example:
        >>> raw_features(inputs).numeric.shape
        (100, 22)
    """
    cands = inputs.candidates
    query = np.asarray(inputs.query_vector, dtype=np.float32).reshape(-1)
    dim = query.shape[0]
    products = _as_matrix(inputs.product_vectors, len(cands), dim)
    items = inputs.history.items
    history = _as_matrix(inputs.history_vectors, len(items), dim) if items else None
    prices = np.array([float(c.product.price) for c in cands], dtype=np.float64)
    shown_level = _median(inputs.history.shown_prices)
    clicked_level = _median([item.price for item in items])
    brand_counts = _counts(item.brand.lower() for item in items)
    category_counts = _counts(item.category for item in items)
    products64 = products.astype(np.float64)
    max_sim, mean_sim = _history_stats(products64, history)
    # Lower-cased brands ("" never matches: _counts skips empty keys).
    brands = [c.product.brand.lower() for c in cands]
    brand_n = _lookup(brand_counts, brands)
    category_n = _lookup(category_counts, [c.product.category for c in cands])
    n = len(cands)
    columns = [
        products64 @ query.astype(np.float64),
        *_retrieval_columns(cands),
        np.log1p(prices),
        _log_ratio(prices, shown_level),
        np.full(n, float(shown_level is None)),
        _log_ratio(prices, clicked_level),
        np.full(n, float(clicked_level is None)),
        np.log1p(brand_n),
        np.log1p(category_n),
        max_sim,
        mean_sim,
        np.full(n, math.log1p(len(items))),
        np.full(n, float(not items)),
        np.zeros(n),  # product_ctr: filled by apply_popularity
        np.zeros(n),  # category_ctr
        *_skip_columns(inputs, products64, brands),
    ]
    numeric = np.stack(columns, axis=1) if n else np.zeros((0, len(NUMERIC_FEATURES)))
    level = clicked_level if clicked_level is not None else shown_level
    reasons = {
        "history_similarity": max_sim,
        "brand_clicked": np.expm1(numeric[:, NUMERIC_FEATURES.index("brand_clicked")]),
        "category_clicked": np.expm1(numeric[:, NUMERIC_FEATURES.index("category_clicked")]),
        "price_relative": prices / level if level else np.ones(len(cands)),
    }
    return _assemble(inputs, numeric, prices, query, products, history, reasons)


def _assemble(
    inputs: RankInputs,
    numeric: npt.NDArray[np.float64],
    prices: npt.NDArray[np.float64],
    query: FloatArray,
    products: FloatArray,
    history: FloatArray | None,
    reasons: dict[str, npt.NDArray[np.float64]],
) -> RawFeatures:
    cands = inputs.candidates
    n = len(cands)
    recent = inputs.history.items[-HISTORY_LENGTH:]
    recent_vectors = history[-HISTORY_LENGTH:] if history is not None else products[:0]
    keys = ["query"] + [c.product.id for c in cands] + [item.product_id for item in recent]
    vectors = np.vstack([query[None, :], products, recent_vectors]).astype(np.float32)
    history_row = np.full(HISTORY_LENGTH, -1, dtype=np.int64)
    history_row[: len(recent)] = np.arange(1 + n, 1 + n + len(recent))
    return RawFeatures(
        numeric=numeric,
        brands=[c.product.brand for c in cands],
        categories=[c.product.category for c in cands],
        prices=prices,
        product_ids=[c.product.id for c in cands],
        vectors=vectors,
        vector_keys=keys,
        query_index=np.zeros(n, dtype=np.int64),
        candidate_index=np.arange(1, n + 1, dtype=np.int64),
        history_index=np.tile(history_row, (n, 1)),
        reasons=reasons,
    )


def _median(values: list[float]) -> float | None:
    # statistics.median: the same value as np.median, without numpy's overhead on short lists.
    return float(statistics.median(values)) if values else None


def _lookup(counts: dict[str, int], keys: list[str]) -> npt.NDArray[np.float64]:
    """``counts[key]`` (0 if absent) for each key, as floats."""
    if not counts:
        return np.zeros(len(keys))
    return np.array([counts.get(key, 0) for key in keys], dtype=np.float64)


def _counts(keys: Any) -> dict[str, int]:
    out: dict[str, int] = {}
    for key in keys:
        if key:
            out[key] = out.get(key, 0) + 1
    return out


def apply_popularity(raw: RawFeatures, popularity: Popularity) -> None:
    """Fill the popularity columns (and their reason values) of ``raw`` in place."""
    per_category = {c: popularity.category_ctr(c) for c in set(raw.categories)}
    product = np.array([popularity.product_ctr(pid) for pid in raw.product_ids], dtype=np.float64)
    category = np.array([per_category[c] for c in raw.categories], dtype=np.float64)
    raw.numeric[:, NUMERIC_FEATURES.index("product_ctr")] = product
    raw.numeric[:, NUMERIC_FEATURES.index("category_ctr")] = category
    raw.reasons["product_popularity"] = product
    raw.reasons["category_popularity"] = category


class FeatureBuilder:
    """Turns one turn's candidates into a :class:`FeatureBatch` with fitted encoders.

    Example:
        >>> builder = FeatureBuilder(encoders)
        >>> batch = builder.build(inputs, popularity, positions=None)  # serving: position 1
    """

    def __init__(self, encoders: FeatureEncoders) -> None:
        if tuple(encoders.numeric_names) != NUMERIC_FEATURES:
            raise ValueError("encoders were fitted for other numeric features")
        self.encoders = encoders

    def build(
        self, inputs: RankInputs, popularity: Popularity, positions: list[int] | None = None
    ) -> FeatureBatch:
        """Features of every candidate; ``positions=None`` fixes every position to 1."""
        raw = raw_features(inputs)
        apply_popularity(raw, popularity)
        pos = np.ones(len(raw), dtype=np.int64) if positions is None else np.asarray(positions)
        if pos.shape != (len(raw),):
            raise ValueError("positions must have one entry per candidate")
        return self.encoders.encode(raw, pos)
