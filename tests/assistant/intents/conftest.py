"""Fixtures for the intent tests: a deterministic fake embedder and a tiny training set."""

from __future__ import annotations

import csv
import hashlib
import json
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from assistant.intents.base import INTENT_LABELS
from assistant.intents.data import BITEXT_TO_INTENT, LabelledUtterance

DIM = 384


class HashEmbedder:
    """Unit vectors derived from a hash of the text: deterministic, instant, no model."""

    dimension = DIM
    model_path = "fake-hash-embedder"

    def __init__(self) -> None:
        self.calls = 0

    def embed(
        self, texts: Sequence[str], progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        self.calls += 1
        out = np.zeros((len(texts), DIM), dtype=np.float32)
        for i, text in enumerate(texts):
            seed = int.from_bytes(hashlib.sha256(text.encode()).digest()[:8], "little")
            vector = np.random.default_rng(seed).standard_normal(DIM)
            out[i] = vector / np.linalg.norm(vector)
        return out


# A few hand-written phrasings per label: enough for the pipeline, far too few to be good.
TINY_TEXTS: dict[str, list[str]] = {
    "search": ["a laptop under 500", "wireless mouse", "hp toner", "27 inch monitor"],
    "refine": ["cheaper", "only hp", "in black", "show more"],
    "compare": ["compare the first two", "which is better", "1 vs 2", "difference?"],
    "product_question": ["does it have hdmi", "how heavy is it", "is it 4k", "specs?"],
    "return_policy": ["return policy", "days to return", "can I return it", "refund rules"],
    "return_request": ["I want a refund", "return my order", "我想退货", "send it back"],
    "order_status": ["where is my order", "track my parcel", "我的订单到哪了", "eta?"],
    "cancel_order": ["cancel my order", "cancel purchase", "stop my order", "取消订单"],
    "human_agent": ["talk to a human", "agent please", "complaint", "real person"],
    "faq": ["payment methods", "forgot password", "shipping options", "invoice"],
    "greeting": ["hi", "thanks", "bye", "你好"],
    "other": ["weather today", "tell a joke", "capital of peru", "lol"],
}


def tiny_rows() -> list[LabelledUtterance]:
    return [
        LabelledUtterance(text=t, label=label, source="store", has_results=label == "refine")
        for label, texts in TINY_TEXTS.items()
        for t in texts
    ]


def write_tiny_data(directory: Path) -> Path:
    """A data folder in the real file formats: two Bitext rows, the rest as store rows."""
    directory.mkdir(parents=True, exist_ok=True)
    with (directory / "bitext_mapped.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["instruction", "bitext_intent", "label"])
        writer.writerow(
            ["how do I cancel order 123", "cancel_order", BITEXT_TO_INTENT["cancel_order"]]
        )
        writer.writerow(["i forgot my pin", "recover_password", "faq"])
    with (directory / "shopping.jsonl").open("w") as handle:
        for row in tiny_rows():
            record = {"text": row.text, "label": row.label, "has_results": row.has_results}
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    return directory


@pytest.fixture
def hash_embedder() -> HashEmbedder:
    return HashEmbedder()


@pytest.fixture
def tiny_data(tmp_path: Path) -> Path:
    return write_tiny_data(tmp_path / "data")


@pytest.fixture(scope="session")
def labels() -> tuple[str, ...]:
    return INTENT_LABELS
