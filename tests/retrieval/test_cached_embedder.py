"""CachedEmbedder: one encode per distinct text, LRU eviction, same vectors as uncached."""

from __future__ import annotations

import threading

import numpy as np
import pytest

from retrieval.embedder import CachedEmbedder
from tests.retrieval.fakes import HashEmbedder

pytestmark = pytest.mark.unit


def test_same_vectors_and_one_encode_per_distinct_text() -> None:
    inner = HashEmbedder()
    cached = CachedEmbedder(inner, max_size=10)
    first = cached.embed(["usb-c cable", "laptop", "usb-c cable"])
    np.testing.assert_array_equal(
        first, HashEmbedder().embed(["usb-c cable", "laptop", "usb-c cable"])
    )
    assert inner.calls == [2]  # the repeated text inside one call is encoded once
    again = cached.embed(["laptop"])
    np.testing.assert_array_equal(again[0], first[1])
    assert inner.calls == [2] and (cached.hits, cached.misses) == (1, 2)


def test_least_recently_used_text_is_evicted() -> None:
    inner = HashEmbedder()
    cached = CachedEmbedder(inner, max_size=2)
    cached.embed(["a"])
    cached.embed(["b"])
    cached.embed(["a"])  # "a" is now the most recent
    cached.embed(["c"])  # evicts "b"
    cached.embed(["a"])
    assert inner.calls == [1, 1, 1]
    cached.embed(["b"])
    assert inner.calls == [1, 1, 1, 1]


def test_callers_cannot_change_the_cached_vector() -> None:
    cached = CachedEmbedder(HashEmbedder(), max_size=4)
    out = cached.embed(["mouse"])
    out[0] = 0.0
    assert np.linalg.norm(cached.embed(["mouse"])[0]) == pytest.approx(1.0, abs=1e-5)


def test_concurrent_callers_get_consistent_vectors() -> None:
    cached = CachedEmbedder(HashEmbedder(), max_size=8)
    expected = HashEmbedder().embed([f"t{i}" for i in range(20)])
    errors: list[str] = []

    def work() -> None:
        for _ in range(20):
            got = cached.embed([f"t{i}" for i in range(20)])
            if not np.array_equal(got, expected):
                errors.append("mismatch")

    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


def test_validation() -> None:
    with pytest.raises(ValueError):
        CachedEmbedder(HashEmbedder(), max_size=0)
