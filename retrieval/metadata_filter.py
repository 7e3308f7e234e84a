"""Evaluate Chroma ``where`` clauses over in-memory product metadata, vectorised with numpy.

The lexical retriever filters with the very clause the vector index gets
(:func:`retrieval.vector_store.build_where` over :func:`retrieval.vector_store.product_metadata`),
so both retrievers apply a :class:`~retrieval.filters.SearchFilters` the same way, and a filter
field added there works here with no further change.

Supported: ``$and``, ``$or``, ``{key: value}``, ``$eq``, ``$ne``, ``$gt``, ``$gte``, ``$lt``,
``$lte``, ``$in``, ``$nin``. A document without the key fails every comparison except ``$ne``
and ``$nin``, which are the complements of ``$eq`` and ``$in`` (as in Chroma).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from retrieval.errors import RetrievalError

Mask = NDArray[np.bool_]
_NUMERIC_OPS = {"$gt": np.greater, "$gte": np.greater_equal, "$lt": np.less, "$lte": np.less_equal}


class MetadataFilterError(RetrievalError):
    """A ``where`` clause uses an operator or value this evaluator does not know."""


def _kind(value: Any) -> str | None:
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    return "str" if isinstance(value, str) else None


class _Column:
    """The values of one metadata key: the documents that have it and their values."""

    def __init__(self, kind: str, docs: list[int], values: list[Any]) -> None:
        self.kind = kind
        self.docs = np.asarray(docs, dtype=np.int64)
        self.vocabulary: dict[str, int] = {}
        if kind == "str":
            self.vocabulary = {v: i for i, v in enumerate(sorted(set(values)))}
            self.values: NDArray[Any] = np.asarray(
                [self.vocabulary[v] for v in values], dtype=np.int32
            )
        else:
            self.values = np.asarray(values, dtype=bool if kind == "bool" else np.float64)

    def where(self, n_docs: int, selected: NDArray[np.bool_]) -> Mask:
        mask = np.zeros(n_docs, dtype=bool)
        mask[self.docs[selected]] = True
        return mask

    def eq_many(self, n_docs: int, wanted: Sequence[Any]) -> Mask:
        vocabulary = self.vocabulary
        if self.kind == "str":
            codes = [vocabulary[w] for w in wanted if isinstance(w, str) and w in vocabulary]
            return self.where(n_docs, np.isin(self.values, codes))
        if self.kind == "bool":
            flags = [w for w in wanted if isinstance(w, bool)]
            return self.where(n_docs, np.isin(self.values, flags))
        numbers = [w for w in wanted if _kind(w) == "number"]
        return self.where(n_docs, np.isin(self.values, numbers))

    def compare(self, n_docs: int, op: str, bound: Any) -> Mask:
        if self.kind != "number" or _kind(bound) != "number":
            raise MetadataFilterError(f"{op} needs a numeric key and bound, got {bound!r}")
        return self.where(n_docs, _NUMERIC_OPS[op](self.values, float(bound)))


class MetadataTable:
    """Column-wise product metadata that answers ``where`` clauses with a boolean mask.

    Args:
        rows: One metadata mapping per document, in document order.

    Example:
        >>> table = MetadataTable([{"brand": "HP", "price": 10.0}, {"brand": "Dell", "price": 5.0}])
        >>> table.mask({"$and": [{"brand": {"$in": ["HP"]}}, {"price": {"$lte": 20.0}}]}).tolist()
        [True, False]
    """

    def __init__(self, rows: Sequence[Mapping[str, Any]]) -> None:
        self.n_docs = len(rows)
        gathered: dict[str, tuple[list[int], list[Any]]] = {}
        kinds: dict[str, str] = {}
        for doc, row in enumerate(rows):
            for key, value in row.items():
                # One kind per key, set by its first value; a value of another kind is left out.
                kind = _kind(value)
                if kind is None or kinds.setdefault(key, kind) != kind:
                    continue
                docs, values = gathered.setdefault(key, ([], []))
                docs.append(doc)
                values.append(value)
        self._columns = {
            key: _Column(kinds[key], docs, values) for key, (docs, values) in gathered.items()
        }

    def mask(self, where: Mapping[str, Any] | None) -> Mask | None:
        """Which documents pass ``where``; ``None`` when there is no clause (all pass)."""
        if not where:
            return None
        return self._clause(where)

    def _clause(self, clause: Mapping[str, Any]) -> Mask:
        if len(clause) != 1:
            # Chroma reads several keys in one dict as their conjunction.
            return self._all([{k: v} for k, v in clause.items()])
        ((key, value),) = clause.items()
        if key == "$and":
            return self._all(value)
        if key == "$or":
            masks = [self._clause(c) for c in value]
            return np.logical_or.reduce(masks) if masks else np.zeros(self.n_docs, dtype=bool)
        if key.startswith("$"):
            raise MetadataFilterError(f"unknown logical operator {key!r}")
        if isinstance(value, Mapping):
            return self._all_ops(key, value)
        return self._operator(key, "$eq", value)

    def _all(self, clauses: Sequence[Mapping[str, Any]]) -> Mask:
        masks = [self._clause(c) for c in clauses]
        return np.logical_and.reduce(masks) if masks else np.ones(self.n_docs, dtype=bool)

    def _all_ops(self, key: str, ops: Mapping[str, Any]) -> Mask:
        return np.logical_and.reduce([self._operator(key, op, arg) for op, arg in ops.items()])

    def _operator(self, key: str, op: str, arg: Any) -> Mask:
        if op in ("$ne", "$nin"):
            return ~self._operator(key, "$eq" if op == "$ne" else "$in", arg)
        column = self._columns.get(key)
        if op == "$eq":
            return self._none() if column is None else column.eq_many(self.n_docs, [arg])
        if op == "$in":
            if not isinstance(arg, list | tuple):
                raise MetadataFilterError(f"$in needs a list, got {arg!r}")
            return self._none() if column is None else column.eq_many(self.n_docs, list(arg))
        if op in _NUMERIC_OPS:
            return self._none() if column is None else column.compare(self.n_docs, op, arg)
        raise MetadataFilterError(f"unknown operator {op!r}")

    def _none(self) -> Mask:
        return np.zeros(self.n_docs, dtype=bool)
