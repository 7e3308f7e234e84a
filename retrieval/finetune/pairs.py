"""Sample a training set of (query, product text) pairs from a catalog, and batch it.

The product side is exactly the text the vector index embeds
(:func:`retrieval.index.document_text`), so training and serving see the same documents.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Iterator, Sequence

from pydantic import BaseModel, ConfigDict

from retrieval.catalog.product import Product
from retrieval.finetune.phrasings import GENERATORS, phrasings_for
from retrieval.index import document_text

# Title fragments exist for every product; the rarer, more shopper-like phrasings are
# preferred when a product has them.
_KIND_WEIGHT = {"title_fragment": 1.0, "description_fragment": 1.0, "colour_product": 0.3}


class TrainingPair(BaseModel):
    """One positive pair: a query-like text and the product text it should retrieve."""

    model_config = ConfigDict(frozen=True)

    query: str
    document: str
    product_id: str
    kind: str


class PairMiner:
    """Mines up to ``max_pairs`` distinct-query pairs, ``per_product`` per product at most.

    A query string is kept for one product only: with in-batch negatives a second product
    behind the same query would be trained as a negative of it.

    Example:
        >>> pairs = PairMiner(max_pairs=4000, seed=13).mine(products)
        >>> pairs[0].kind in GENERATORS
        True
    """

    def __init__(self, *, max_pairs: int, per_product: int = 2, seed: int = 13) -> None:
        if max_pairs <= 0:
            raise ValueError("max_pairs must be positive")
        if per_product <= 0:
            raise ValueError("per_product must be positive")
        self.max_pairs = max_pairs
        self.per_product = per_product
        self.seed = seed

    def mine(self, products: Sequence[Product]) -> list[TrainingPair]:
        rng = random.Random(self.seed)
        order = sorted(products, key=lambda p: p.id)
        rng.shuffle(order)
        seen_queries: set[str] = set()
        pairs: list[TrainingPair] = []
        for product in order:
            for kind, query in self._pick(product, rng):
                key = query.lower()
                if key in seen_queries:
                    continue
                seen_queries.add(key)
                pairs.append(
                    TrainingPair(
                        query=query,
                        document=document_text(product),
                        product_id=product.id,
                        kind=kind,
                    )
                )
                if len(pairs) >= self.max_pairs:
                    return pairs
        return pairs

    def _pick(self, product: Product, rng: random.Random) -> list[tuple[str, str]]:
        options = phrasings_for(product, rng)
        picked: list[tuple[str, str]] = []
        while options and len(picked) < self.per_product:
            weights = [_KIND_WEIGHT.get(kind, 3.0) for kind, _ in options]
            choice = rng.choices(range(len(options)), weights=weights)[0]
            picked.append(options.pop(choice))
        return picked


def split_pairs(
    pairs: Sequence[TrainingPair], holdout: int, seed: int
) -> tuple[list[TrainingPair], list[TrainingPair]]:
    """(train, validation) with ``holdout`` pairs of products not seen in training."""
    if holdout < 0:
        raise ValueError("holdout must be >= 0")
    per_product = Counter(p.product_id for p in pairs)
    ids = sorted(per_product)
    random.Random(seed).shuffle(ids)
    held: set[str] = set()
    count = 0
    for pid in ids:
        if count >= holdout:
            break
        held.add(pid)
        count += per_product[pid]
    train = [p for p in pairs if p.product_id not in held]
    valid = [p for p in pairs if p.product_id in held]
    return train, valid


def batches(
    pairs: Sequence[TrainingPair], batch_size: int, rng: random.Random
) -> Iterator[list[TrainingPair]]:
    """Shuffled batches in which no product appears twice (no false in-batch negatives).

    A pair that would repeat a product in the current batch waits for the next one.
    """
    if batch_size < 2:
        raise ValueError("batch_size must be at least 2 for in-batch negatives")
    pending = list(pairs)
    rng.shuffle(pending)
    while pending:
        batch: list[TrainingPair] = []
        ids: set[str] = set()
        rest: list[TrainingPair] = []
        for pair in pending:
            if len(batch) < batch_size and pair.product_id not in ids:
                batch.append(pair)
                ids.add(pair.product_id)
            else:
                rest.append(pair)
        pending = rest
        if len(batch) >= 2:
            yield batch


__all__ = ["GENERATORS", "PairMiner", "TrainingPair", "batches", "split_pairs"]
