"""Turn-parsing latency over the embedding: intent ``predict`` + slot parsing, median and p95.

Run: ``.venv/bin/python -m benchmarks.parse [--messages 500] [--threads N]``

The messages are a fixed-seed sample of the store's own labelled utterances (English and
Chinese, terse and long) plus edge cases (2,000-character messages, emoji, control
characters, mixed scripts). Each message is embedded alone, as a chat turn is, and then
classified, then its slots are parsed with the catalog's brand list; each step is timed
separately after a warm-up, and "parse total" is classifier + slots (the embedding excluded).
"""

from __future__ import annotations

import argparse
import logging
import random
import statistics
import time

import numpy as np

from assistant.config import Settings
from assistant.intents.base import INTENT_LABELS, IntentContext
from assistant.intents.classifier import TrainedIntentClassifier
from assistant.intents.data import DEFAULT_DATA_DIR, load_store_utterances
from assistant.parser import TurnParser
from retrieval.catalog.loading import bundled_catalog_path, load_catalog
from retrieval.embedder import TransformerEmbedder

EDGE_CASES = [
    "laptop " * 290,
    "我想退货，" * 400,
    "😀🙂👍🏽🇨🇳" * 20,
    "only HP\x00\x07\x1b[31m please\u202e",
    "Привет, do you have 便宜的 mice? مرحبا",
    "",
    "?",
]


def messages(count: int, seed: int = 1) -> list[tuple[str, IntentContext]]:
    """``count`` messages with a plausible context each (fixed seed)."""
    rng = random.Random(seed)
    rows = load_store_utterances(DEFAULT_DATA_DIR / "shopping.jsonl")
    picked = [(r.text, r.context) for r in rng.sample(rows, min(count, len(rows)))]
    edge = [(text, IntentContext(has_results=rng.random() < 0.5)) for text in EDGE_CASES]
    out = (edge * (1 + count // 50))[: max(1, count // 10)] + picked
    return out[:count]


def percentile(values: list[float], q: float) -> float:
    return float(np.percentile(np.array(values), q))


def run(count: int, threads: int) -> dict[str, float]:
    settings = Settings()
    embedder = TransformerEmbedder(settings.model_path, threads=threads)
    classifier = TrainedIntentClassifier.load(settings.intent_model_path)
    brands = sorted({p.brand for p in load_catalog(bundled_catalog_path()).products if p.brand})
    parser = TurnParser(brands)
    batch = messages(count)
    for text, context in batch[:20]:  # warm-up: tokenizer, torch kernels, caches
        classifier.predict(text, embedder.embed([text])[0], context)
        parser.parse(text)
    embed_ms, predict_ms, slots_ms, total_ms, labels = [], [], [], [], []
    for text, context in batch:
        started = time.perf_counter()
        vector = embedder.embed([text])[0]
        embedded = time.perf_counter()
        prediction = classifier.predict(text, vector, context)
        predicted = time.perf_counter()
        parser.parse(text)
        done = time.perf_counter()
        embed_ms.append((embedded - started) * 1000)
        predict_ms.append((predicted - embedded) * 1000)
        slots_ms.append((done - predicted) * 1000)
        total_ms.append((done - embedded) * 1000)
        labels.append(prediction.label)
    assert all(label in INTENT_LABELS for label in labels)
    return {
        "messages": len(batch),
        "predict_median_ms": statistics.median(predict_ms),
        "predict_p95_ms": percentile(predict_ms, 95),
        "slots_median_ms": statistics.median(slots_ms),
        "slots_p95_ms": percentile(slots_ms, 95),
        "parse_total_median_ms": statistics.median(total_ms),
        "parse_total_p95_ms": percentile(total_ms, 95),
        "embed_median_ms": statistics.median(embed_ms),
        "embed_p95_ms": percentile(embed_ms, 95),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--threads", type=int, default=0, help="torch threads (0: default)")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    figures = run(args.messages, args.threads)
    print(f"turn parsing over {figures['messages']} messages (embedding excluded):")
    for name, key in (("predict", "predict"), ("slots", "slots"), ("total", "parse_total")):
        print(
            f"  {name:<8} median {figures[key + '_median_ms']:.2f} ms   "
            f"p95 {figures[key + '_p95_ms']:.2f} ms"
        )
    print(
        f"  embed    median {figures['embed_median_ms']:.2f} ms   "
        f"p95 {figures['embed_p95_ms']:.2f} ms   (the MiniLM embedding, for comparison)"
    )


if __name__ == "__main__":
    main()
