"""A quick proxy of search quality, used to choose tokenizer and fusion settings.

    python -m benchmarks.search_quality --store DIR [--variants]

Not a relevance judgment (the judged query set lives in ``data/eval``): the proxy counts
how many of the top 10 products are in the category a shopper's query plainly asks for
(category P@10, the category being the taxonomy's, derived from titles), and how often a
product's own part number or EAN finds it first (known-item MRR). The store must hold the
full catalog with its vector index (``benchmarks.search --store DIR`` builds one).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
from collections.abc import Callable
from pathlib import Path

from assistant.config import Settings
from db.products import ProductRepository
from db.session import create_db_engine, make_session_factory
from retrieval.catalog.product import Product
from retrieval.embedder import TransformerEmbedder
from retrieval.hybrid import HybridRetriever
from retrieval.identifiers import identifier_key
from retrieval.lexical import LexicalRetriever
from retrieval.lexical_build import build_lexical_index
from retrieval.search import Candidates, DenseRetriever, SearchQuery
from retrieval.spelling import encoder_words
from retrieval.tokenizer import ProductTokenizer
from retrieval.vector_store import ChromaVectorIndex

# (query, category the shopper plainly asks for); a third of them misspelled or in
# words the catalog rarely uses.
CATEGORY_QUERIES: list[tuple[str, str]] = [
    ("labtop", "laptop"), ("thin and light notebook", "laptop"), ("17 inch laptop", "laptop"),
    ("hp notebook with 4gb", "laptop"), ("chromebook", "laptop"), ("notebok", "laptop"),
    ("keybaord", "keyboard"), ("wireless keyboard", "keyboard"), ("ergonomic keyboard", "keyboard"),
    ("wireless mouse", "mouse"), ("optical mice", "mouse"), ("logitec mouse", "mouse"),
    ("tonner for hp", "toner"), ("black toner cartridge", "toner"), ("xerox toner", "toner"),
    ("canon ink cartridge", "ink"), ("epson inks", "ink"), ("cyan ink", "ink"),
    ("10 ft hdmi cable", "cable"), ("usb-c to usb-a cord", "cable"),
    ("cat6 patch cord 5 m", "cable"), ("ethernet cord", "cable"),
    ("displayport cabel", "cable"), ("sata cable", "cable"),
    ("27 inch monitor", "monitor"), ("4k moniter", "monitor"), ("lcd monitor 19\"", "monitor"),
    ("laser printer", "printer"), ("prnter for photos", "printer"), ("inkjet printer", "printer"),
    ("noise cancelling headset", "headset"), ("hedphones", "headset"), ("earbuds", "headset"),
    ("16GB DDR4 memory module", "memory"), ("sodimm ram", "memory"), ("ram stick 8 gb", "memory"),
    ("external hard drive 2tb", "storage"), ("usb flash drive", "storage"),
    ("ssd 500gb", "storage"),
    ("aa batteries", "battery"), ("laptop batery", "battery"), ("rechargeable battery", "battery"),
    ("power adapter for notebook", "adapter"), ("usb-c charger", "adapter"),
    ("laptop backpack", "bag"), ("notebook sleeve 13\"", "bag"),
    ("projecter", "projector"), ("webcam for video calls", "webcam"),
    ("labels for dymo", "labels"), ("address labels", "labels"),
    ("glossy photo paper", "paper"), ("a4 copy paper", "paper"),
    ("ups battery backup", "ups"), ("uninteruptible power supply", "ups"),
    ("wifi router", "networking"), ("gigabit switch 8 port", "networking"),
    ("intel xeon processor", "processor"), ("core i7 cpu", "processor"),
    ("tv wall mount", "mount"), ("monitor arm", "mount"),
    ("usb-c docking station", "dock"), ("kvm switch", "kvm"),
    ("projector lamp replacement", "projector-lamp"), ("privacy filter 14 inch", "screen-filter"),
]  # fmt: skip

Retrieve = Callable[[SearchQuery], Candidates]


def category_precision(retrieve: Retrieve, k: int = 10) -> float:
    """Mean share of the top ``k`` in the asked-for category over :data:`CATEGORY_QUERIES`."""
    shares = []
    for text, category in CATEGORY_QUERIES:
        items = retrieve(SearchQuery(text=text, k=k)).items[:k]
        shares.append(sum(c.product.category == category for c in items) / k)
    return statistics.fmean(shares)


def known_item_queries(products: list[Product], n: int, seed: int) -> list[tuple[str, str]]:
    """(query, product id) pairs: a product's code-like part number or its EAN as the query."""
    rng = random.Random(seed)
    coded = [p for p in products if identifier_key(p.attributes.get("part_number"))]
    pairs = [(str(p.attributes["part_number"]), p.id) for p in rng.sample(coded, n // 2)]
    with_ean = [p for p in products if p.attributes.get("ean")]
    pairs += [(str(p.attributes["ean"]), p.id) for p in rng.sample(with_ean, n - n // 2)]
    return pairs


def known_item_mrr(retrieve: Retrieve, pairs: list[tuple[str, str]], k: int = 10) -> float:
    """Mean reciprocal rank of the product whose code was queried (0 beyond rank ``k``)."""
    ranks = []
    for text, product_id in pairs:
        ids = [c.product.id for c in retrieve(SearchQuery(text=text, k=k)).items]
        ranks.append(1 / (ids.index(product_id) + 1) if product_id in ids else 0.0)
    return statistics.fmean(ranks)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, required=True)
    parser.add_argument("--variants", action="store_true", help="also try tokenizer variants")
    args = parser.parse_args(argv)
    settings = Settings(
        database_url=f"sqlite:///{args.store / 'shop.db'}", chroma_path=args.store / "chroma"
    )
    repository = ProductRepository(make_session_factory(create_db_engine(settings.database_url)))
    products = list(repository.iter_all())
    dense = DenseRetriever(
        TransformerEmbedder(settings.model_path),
        ChromaVectorIndex(collection=settings.collection_name, path=settings.chroma_path),
        repository,
    )
    known = encoder_words(settings.model_path)
    pairs = known_item_queries(products, 100, seed=11)
    rows: list[tuple[str, float, float]] = []

    def measure(name: str, retrieve: Retrieve) -> None:
        rows.append((name, category_precision(retrieve), known_item_mrr(retrieve, pairs)))
        sys.stdout.write(f"{name:<40} catP@10 {rows[-1][1]:.3f}  codeMRR {rows[-1][2]:.3f}\n")

    measure("dense", dense.retrieve)
    stems = (True, False) if args.variants else (True,)
    for stem in stems:
        tokenizer = ProductTokenizer(stem=stem)
        index = build_lexical_index(products, tokenizer)
        for typo, synonym_weight in ((True, 0.5), (False, 0.5), (True, 0.0), (True, 1.0)):
            lexical = LexicalRetriever(
                index, repository, tokenizer=tokenizer, typo_tolerance=typo,
                synonym_weight=synonym_weight, known_words=known,
            )  # fmt: skip
            tag = f"stem={int(stem)} typo={int(typo)} syn={synonym_weight}"
            measure(f"bm25 {tag}", lexical.retrieve)
            hybrid = HybridRetriever(dense, lexical, repository)
            measure(f"hybrid {tag}", hybrid.retrieve)
            if not args.variants:
                break


if __name__ == "__main__":
    main()
