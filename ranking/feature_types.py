"""The CTR feature types shared by training and serving (re-exported by :mod:`ranking.features`).

The names are the issue-5 contract: :class:`HistoryItem`, :class:`SessionHistory`,
:class:`Popularity`, :class:`RankInputs`, :class:`FeatureBatch` (fields may be added, not
renamed). What each feature means is documented in :mod:`ranking.features`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal, Protocol

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from retrieval.search import Candidate

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int64]

HISTORY_LENGTH = 10
"""How many of the most recent history items the attention sees."""

NUMERIC_FEATURES: tuple[str, ...] = (
    "cosine",
    "dense_score",
    "dense_rank",
    "dense_missing",
    "lexical_score",
    "lexical_rank",
    "lexical_missing",
    "retrieval_score",
    "retrieval_rank",
    "log_price",
    "price_rel_shown",
    "shown_missing",
    "price_rel_clicked",
    "clicked_missing",
    "brand_clicked",
    "category_clicked",
    "history_max_sim",
    "history_mean_sim",
    "history_length",
    "history_empty",
    "product_ctr",
    "category_ctr",
    "seen_skipped",
    "seen_skipped_top",
    "brand_skipped",
    "skipped_max_sim",
    "skipped_mean_sim",
    "skipped_count",
)
"""Names of the numeric feature columns, in order."""

CATEGORICAL_FEATURES: tuple[str, ...] = ("category", "brand", "price_bucket")
"""Names of the categorical id columns, in order."""

REASON_FEATURES: tuple[str, ...] = (
    "history_similarity",
    "brand_clicked",
    "category_clicked",
    "price_relative",
    "product_popularity",
    "category_popularity",
)
"""Raw (human-scale) feature values kept on a :class:`FeatureBatch` for wording reasons."""


class HistoryItem(BaseModel):
    """One product the shopper acted on earlier in this session.

    Example:
        >>> HistoryItem(product_id="1", brand="Lenovo", category="laptop", price=799.0,
        ...             event="click")
    """

    model_config = ConfigDict(frozen=True)

    product_id: str
    brand: str
    category: str
    price: float
    event: Literal["click", "add_to_cart", "purchase"]


class ShownBefore(BaseModel):
    """One product shown on an earlier turn of the session (one impression).

    Example:
        >>> ShownBefore(product_id="1", brand="Lenovo", position=2)
    """

    model_config = ConfigDict(frozen=True)

    product_id: str
    brand: str
    position: int = Field(ge=1)


SKIP_TOP_POSITIONS = 3
"""An impression at one of these positions counts as seen for ``seen_skipped_top``."""


@dataclass(frozen=True)
class SkippedProduct:
    """A product shown earlier in the session that the shopper never acted on."""

    product_id: str
    brand: str
    times: int  # impressions so far
    best_position: int  # 1-based, the highest it was shown


class SessionHistory(BaseModel):
    """What the session did before the current turn.

    ``shown`` lists the impressions of earlier turns, oldest first; products among them that
    no event names are the session's *skipped* products (:meth:`skipped`): negative feedback,
    as in DFN (Xie et al. 2020), which the shopper gave by scrolling past them.

    Example:
        >>> SessionHistory(items=[item], shown_prices=[799.0, 649.0])
    """

    items: list[HistoryItem] = Field(default_factory=list)  # oldest first
    shown_prices: list[float] = Field(default_factory=list)  # products shown on earlier turns
    shown: list[ShownBefore] = Field(default_factory=list)  # impressions of earlier turns

    def skipped(self) -> list[SkippedProduct]:
        """Distinct products shown before and never acted on, in order of first showing."""
        acted = {item.product_id for item in self.items}
        found: dict[str, SkippedProduct] = {}
        for seen in self.shown:
            if seen.product_id in acted:
                continue
            old = found.get(seen.product_id)
            times, best = (0, seen.position) if old is None else (old.times, old.best_position)
            found[seen.product_id] = SkippedProduct(
                product_id=seen.product_id,
                brand=seen.brand,
                times=times + 1,
                best_position=min(best, seen.position),
            )
        return list(found.values())


class Popularity(Protocol):
    """Smoothed popularity priors (fitted on training data only)."""

    def product_ctr(self, product_id: str) -> float: ...

    def category_ctr(self, category: str) -> float: ...


class RankInputs(BaseModel):
    """Everything needed to score one candidate list.

    Example:
        >>> RankInputs(query_vector=q, candidates=cands, product_vectors=pv,
        ...            history=SessionHistory(), history_vectors=np.zeros((0, 384), np.float32))
    """

    model_config = ConfigDict(arbitrary_types_allowed=True)

    query_vector: Any  # (d,) float32, the BERT vector of the query text
    candidates: list[Candidate]
    product_vectors: Any  # (n, d) float32, the candidates' index vectors, in candidate order
    history: SessionHistory = Field(default_factory=SessionHistory)
    history_vectors: Any = None  # (len(history.items), d) float32; None = no history
    skipped_vectors: Any = None  # (len(history.skipped()), d) float32; None = none skipped


@dataclass
class RawFeatures:
    """Unencoded features of some candidate rows (before vocabularies and standardisation).

    ``vectors`` is a table of unit vectors shared by the rows (keyed by ``vector_keys``, so
    tables can be merged without copies of the same product); rows point into it.
    """

    numeric: npt.NDArray[np.float64]  # (n, len(NUMERIC_FEATURES)); popularity columns 0
    brands: list[str]
    categories: list[str]
    prices: npt.NDArray[np.float64]
    product_ids: list[str]
    vectors: FloatArray  # (v, d)
    vector_keys: list[str]
    query_index: IntArray  # (n,)
    candidate_index: IntArray  # (n,)
    history_index: IntArray  # (n, HISTORY_LENGTH), -1 = padding
    reasons: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.product_ids)


@dataclass
class FeatureBatch:
    """Model-ready features of ``n`` candidate rows (numpy; models convert to tensors).

    Example:
        >>> batch = builder.build(inputs, popularity, positions=None)
        >>> batch.numeric.shape
        (100, 22)
    """

    numeric: FloatArray  # (n, F) standardised
    categorical: IntArray  # (n, len(CATEGORICAL_FEATURES))
    positions: IntArray  # (n,) 1-based, clipped to the encoders' max position
    cosine: FloatArray  # (n,) raw query-product cosine (the baseline's only input)
    vectors: FloatArray  # (v, d) vector table
    query_index: IntArray
    candidate_index: IntArray
    history_index: IntArray  # (n, L), -1 = padding
    reasons: dict[str, npt.NDArray[np.float64]] = field(default_factory=dict)
    feature_names: tuple[str, ...] = NUMERIC_FEATURES

    def __len__(self) -> int:
        return int(self.numeric.shape[0])

    def take(self, rows: IntArray) -> FeatureBatch:
        """The given rows (the vector table is shared, not copied)."""
        return FeatureBatch(
            numeric=self.numeric[rows],
            categorical=self.categorical[rows],
            positions=self.positions[rows],
            cosine=self.cosine[rows],
            vectors=self.vectors,
            query_index=self.query_index[rows],
            candidate_index=self.candidate_index[rows],
            history_index=self.history_index[rows],
            reasons={k: v[rows] for k, v in self.reasons.items()},
            feature_names=self.feature_names,
        )
