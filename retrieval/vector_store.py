"""The product vector index: a Chroma collection of product embeddings with filterable metadata."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Protocol

import numpy as np
from pydantic import BaseModel, ConfigDict

from retrieval.catalog.product import Product
from retrieval.embedder import Vectors
from retrieval.errors import VectorIndexError
from retrieval.filters import SearchFilters

MetadataValue = str | int | float | bool


class VectorHit(BaseModel):
    """One nearest neighbour: product id and cosine similarity (higher is closer)."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    score: float


class VectorIndex(Protocol):
    """Stores product vectors and answers filtered nearest-neighbour queries."""

    def upsert(
        self, ids: Sequence[str], vectors: Vectors, metadatas: Sequence[Mapping[str, Any]]
    ) -> None: ...

    def delete(self, ids: Sequence[str]) -> None: ...

    def query(self, vector: Vectors, k: int, filters: SearchFilters | None) -> list[VectorHit]: ...

    def content_hashes(self) -> dict[str, str]: ...

    def count(self) -> int: ...


_COLOR_KEY = re.compile(r"[^a-z]+")


def color_key(color: str) -> str:
    """The metadata flag name for one colour, e.g. ``"Light blue"`` -> ``"color_light_blue"``."""
    return "color_" + _COLOR_KEY.sub("_", color.strip().lower()).strip("_")


def product_metadata(product: Product) -> dict[str, MetadataValue]:
    """The metadata stored beside a product's vector, used by filtered queries.

    Multi-colour products ("Black,Silver") get one boolean flag per colour so that a
    colour filter is an exact-match clause Chroma can evaluate.
    """
    meta: dict[str, MetadataValue] = {
        "brand": product.brand,
        "category": product.category,
        "price": float(product.price),
        "content_hash": product.content_hash(),
    }
    for part in re.split(r"[,/&]| and ", product.color):
        if part.strip():
            meta[color_key(part)] = True
    return meta


def build_where(filters: SearchFilters | None) -> dict[str, Any] | None:
    """Translate :class:`SearchFilters` into a Chroma ``where`` clause (or ``None``)."""
    if filters is None:
        return None
    clauses: list[dict[str, Any]] = []
    if filters.category:
        clauses.append({"category": filters.category})
    if filters.brands:
        clauses.append({"brand": {"$in": list(filters.brands)}})
    if filters.exclude_brands:
        clauses.append({"brand": {"$nin": list(filters.exclude_brands)}})
    if filters.price_min is not None:
        clauses.append({"price": {"$gte": float(filters.price_min)}})
    if filters.price_max is not None:
        clauses.append({"price": {"$lte": float(filters.price_max)}})
    if filters.color:
        clauses.append({color_key(filters.color): True})
    if not clauses:
        return None
    return clauses[0] if len(clauses) == 1 else {"$and": clauses}


@contextmanager
def chroma_errors(action: str) -> Iterator[None]:
    """Turn whatever chromadb (or, with a server, its HTTP client) raises into
    :class:`VectorIndexError`, so a Chroma server that is down or restarting is a 503 at the API
    edge, not an unhandled 500."""
    try:
        yield
    except VectorIndexError:
        raise
    except Exception as e:  # chromadb raises many unrelated types (httpx, ValueError, ...)
        raise VectorIndexError(f"vector index {action} failed: {e}") from e


class ChromaVectorIndex:
    """A cosine-space Chroma collection, embedded (``PersistentClient``) or remote (``HttpClient``).

    An embedded Chroma directory must have exactly one writer process; several app
    workers share a Chroma server instead (set ``host``).

    Example:
        >>> index = ChromaVectorIndex(path=Path("var/chroma"), collection="products")
        >>> index.count()
        0
    """

    def __init__(
        self,
        *,
        collection: str,
        path: Path | None = None,
        host: str | None = None,
        port: int = 8000,
    ) -> None:
        if len(collection) < 3:
            raise ValueError("Chroma collection names need at least 3 characters")
        if (path is None) == (host is None):
            raise ValueError("give exactly one of path (embedded) or host (server)")
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        try:
            if host is not None:
                self._client = chromadb.HttpClient(host=host, port=port, settings=chroma_settings)
            else:
                assert path is not None
                path.mkdir(parents=True, exist_ok=True)
                self._client = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
            self._collection = self._client.get_or_create_collection(
                name=collection,
                configuration={"hnsw": {"space": "cosine"}},
                embedding_function=None,
            )
        except Exception as e:  # chromadb raises many unrelated types
            raise VectorIndexError(f"could not open Chroma collection {collection!r}: {e}") from e

    def upsert(
        self, ids: Sequence[str], vectors: Vectors, metadatas: Sequence[Mapping[str, Any]]
    ) -> None:
        if not ids:
            return
        with chroma_errors("upsert"):
            self._collection.upsert(
                ids=list(ids),
                embeddings=vectors.tolist(),
                metadatas=[dict(m) for m in metadatas],
            )

    def delete(self, ids: Sequence[str]) -> None:
        if ids:
            with chroma_errors("delete"):
                self._collection.delete(ids=list(ids))

    def query(self, vector: Vectors, k: int, filters: SearchFilters | None) -> list[VectorHit]:
        if k <= 0:
            raise ValueError("k must be positive")
        with chroma_errors("query"):
            result = self._collection.query(
                query_embeddings=vector.reshape(1, -1).astype(np.float32),
                n_results=k,
                where=build_where(filters),
                include=["distances"],
            )
        ids = result["ids"][0]
        distances = (result.get("distances") or [[]])[0]
        return [
            VectorHit(product_id=pid, score=1.0 - float(dist))
            for pid, dist in zip(ids, distances, strict=True)
        ]

    def content_hashes(self) -> dict[str, str]:
        hashes: dict[str, str] = {}
        total = self.count()
        page = 5000
        for offset in range(0, total, page):
            with chroma_errors("read"):
                batch = self._collection.get(limit=page, offset=offset, include=["metadatas"])
            for pid, meta in zip(batch["ids"], batch["metadatas"] or [], strict=False):
                hashes[pid] = str((meta or {}).get("content_hash", ""))
        return hashes

    def export(self) -> tuple[list[str], Vectors, list[dict[str, Any]]]:
        """Every id with its vector and metadata, read page by page (for an in-memory copy)."""
        ids: list[str] = []
        blocks: list[Vectors] = []
        metadatas: list[dict[str, Any]] = []
        page = 5000
        for offset in range(0, self.count(), page):
            with chroma_errors("export"):
                batch = self._collection.get(
                    limit=page, offset=offset, include=["embeddings", "metadatas"]
                )
            ids.extend(batch["ids"])
            blocks.append(np.asarray(batch["embeddings"], dtype=np.float32))
            metadatas.extend(dict(m or {}) for m in batch["metadatas"] or [])
        vectors = np.vstack(blocks) if blocks else np.zeros((0, 0), dtype=np.float32)
        return ids, vectors, metadatas

    def count(self) -> int:
        with chroma_errors("count"):
            return int(self._collection.count())
