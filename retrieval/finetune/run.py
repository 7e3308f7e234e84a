"""One fine-tuning run from a catalog: mine pairs, hold some out, train, save.

Example:
    >>> report = fine_tune(products, FineTuneRequest(base_model=base, output_dir=out))
    >>> report.valid_top1_after
    0.83
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Annotated, Protocol

from pydantic import BaseModel, ConfigDict, Field

from retrieval.catalog.product import Product
from retrieval.finetune.pairs import PairMiner, split_pairs
from retrieval.finetune.train import EncoderTrainer, TrainConfig, TrainReport

log = logging.getLogger(__name__)


class FineTuneRequest(BaseModel):
    """Where to read the base encoder, where to save the result, and how much to mine."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    base_model: Path
    output_dir: Path
    max_pairs: Annotated[int, Field(ge=10, le=1_000_000)] = 7500
    per_product: Annotated[int, Field(ge=1, le=20)] = 2
    holdout_pairs: Annotated[int, Field(ge=0, le=100_000)] = 300
    train: TrainConfig = Field(default_factory=TrainConfig)


def fine_tune(
    products: Sequence[Product],
    request: FineTuneRequest,
    progress: Callable[[int, float], None] | None = None,
) -> TrainReport:
    """Mine pairs from ``products``, train on all but the held-out ones, save the model.

    Raises:
        ValueError: Too few products or pairs to train on.
    """
    if len(products) < 2:
        raise ValueError("need at least two products to mine training pairs")
    miner = PairMiner(
        max_pairs=request.max_pairs, per_product=request.per_product, seed=request.train.seed
    )
    pairs = miner.mine(products)
    train, valid = split_pairs(pairs, request.holdout_pairs, request.train.seed)
    log.info("mined %d pairs: %d train, %d held out", len(pairs), len(train), len(valid))
    trainer = EncoderTrainer(request.base_model, request.output_dir, request.train)
    return trainer.train(train, valid, progress)


class ProductTable(Protocol):
    """The products table (read side)."""

    def iter_all(self, batch_size: int = 1000) -> Iterator[Product]: ...


def catalog_products(table: ProductTable, catalog_path: Path) -> list[Product]:
    """Every product of the store, or of the catalog file when the store is empty."""
    products = list(table.iter_all())
    if products:
        return products
    from retrieval.catalog.loading import load_catalog

    return list(load_catalog(catalog_path).products)
