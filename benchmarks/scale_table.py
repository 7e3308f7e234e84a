"""The table :mod:`benchmarks.run` prints: one row per figure, one column per catalog scale.

Example:
    >>> table = format_table({"1": {"products": 19406, "chat_p50_ms": 55.7, "chat_p95_ms": 120.7}})
    >>> [line.split()[-3:] for line in table.splitlines() if line.startswith("chat p50")]
    [['55.7', '/', '120.7']]
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

Figures = Mapping[str, Any]


def _number(key: str, digits: int = 1) -> Callable[[Figures], str]:
    def shown(figures: Figures) -> str:
        value = figures.get(key)
        if value is None:
            return "not timed" if figures.get("reused") else "-"
        return f"{value:,.{digits}f}" if isinstance(value, float) else f"{value:,}"

    return shown


def _pair(prefix: str) -> Callable[[Figures], str]:
    def shown(figures: Figures) -> str:
        p50, p95 = figures.get(f"{prefix}_p50_ms"), figures.get(f"{prefix}_p95_ms")
        return "-" if p50 is None or p95 is None else f"{p50:.1f} / {p95:.1f}"

    return shown


def _errors(kind: str) -> Callable[[Figures], str]:
    def shown(figures: Figures) -> str:
        return f"{figures.get(f'{kind}_errors', '-')} of {figures.get(f'{kind}_requests', '-')}"

    return shown


def _build(figures: Figures) -> str:
    return "reused" if figures.get("reused") else "built now"


ROWS: list[tuple[str, Callable[[Figures], str]]] = [
    ("products", _number("products")),
    ("store", _build),
    ("ingest (load + scale + SQL) s", _number("ingest_seconds")),
    ("vector index build s", _number("index_seconds")),
    ("  products/s embedded", _number("index_products_per_second")),
    ("BM25 index build s", _number("lexical_seconds")),
    ("reconcile at start s", _number("reconcile_seconds")),
    ("build peak RSS MiB", _number("build_peak_rss_mb", 0)),
    ("server start to /health s", _number("server_start_seconds")),
    ("search p50 / p95 ms (HTTP, k=10)", _pair("search_hybrid_all")),
    ("  filtered", _pair("search_hybrid_filtered")),
    ("  search errors", _errors("search_hybrid")),
    ("retrieve p50 / p95 ms (100 cand.)", _pair("retrieve")),
    ("chat p50 / p95 ms (HTTP)", _pair("chat")),
    ("  chat errors", _errors("chat")),
    ("rerank CTR 100 cand. p50 / p95 ms", _pair("rerank_ctr")),
    ("  added over diversified", _pair("rerank_added")),
    ("  CPU (this thread)", _pair("rerank_ctr_cpu")),
    ("server peak RSS MiB", _number("server_peak_rss_mb", 0)),
]


def format_table(results: Mapping[str, Figures]) -> str:
    """``results`` (scale label -> figures) as a fixed-width text table."""
    width = max(len(label) for label, _ in ROWS)
    columns = {
        f"{scale}x": [shown(figures) for _, shown in ROWS] for scale, figures in results.items()
    }
    col_width = {
        name: max(len(name), *(len(v) for v in values)) for name, values in columns.items()
    }
    lines = [f"{'':<{width}}" + "".join(f"  {name:>{col_width[name]}}" for name in columns)]
    for i, (label, _) in enumerate(ROWS):
        cells = "".join(f"  {values[i]:>{col_width[name]}}" for name, values in columns.items())
        lines.append(f"{label:<{width}}{cells}")
    for key, name in (("embedder", "encoder"), ("rerank_model", "re-ranking model")):
        values = sorted({str(f[key]) for f in results.values() if key in f})
        if values:
            lines.append(f"{name}: {', '.join(values)}")
    return "\n".join(lines) + "\n"
