"""The BM25 product index (bm25s) with its filter metadata and part-number table, on disk.

The index folder holds ``CURRENT`` (the name of the current version folder) and that folder:
bm25s' own files (``*.index.npy``, ``vocab.index.json``, ``params.index.json``) plus
``manifest.json`` (format, tokenizer signature, product ids in document order and their
content hashes), ``metadata.json`` (the filter metadata of each document, as the vector index
stores it) and ``keys.json`` (part-number/EAN key -> documents).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray
from pydantic import BaseModel, ConfigDict

from retrieval.errors import RetrievalError
from retrieval.identifiers import lookup
from retrieval.metadata_filter import Mask, MetadataTable

if TYPE_CHECKING:
    import bm25s  # imported where used: it pulls in scipy, slow for SQL-only commands

log = logging.getLogger(__name__)

FORMAT_VERSION = 1
_POINTER = "CURRENT"
Scores = NDArray[np.float32]
TermGroup = Mapping[str, float]
"""Alternative terms for one query word with their weights; a document scores its best one."""


class LexicalIndexError(RetrievalError):
    """The lexical index could not be built, saved or loaded."""


class LexicalManifest(BaseModel):
    """What a persisted lexical index was built from."""

    model_config = ConfigDict(extra="ignore")

    format: int = FORMAT_VERSION
    tokenizer: str
    product_ids: list[str]
    content_hashes: list[str]

    def hashes(self) -> dict[str, str]:
        return dict(zip(self.product_ids, self.content_hashes, strict=True))


class LexicalIndex:
    """BM25 scores of every (term, product), the products' filter metadata and code table.

    Built by :class:`retrieval.lexical_build.LexicalIndexBuilder`; queried by
    :class:`retrieval.lexical.LexicalRetriever`.

    Example:
        >>> index = LexicalIndex.load(Path("var/lexical"))
        >>> scores = index.score([{"toner": 1.0}, {"hp": 1.0}])
        >>> index.top(scores, k=3, mask=None)
        [(1204, 9.81), (77, 9.5), (5121, 9.42)]
    """

    def __init__(
        self,
        bm25: bm25s.BM25,
        manifest: LexicalManifest,
        metadata: Sequence[Mapping[str, Any]],
        keys: Mapping[str, Sequence[int]],
    ) -> None:
        n_docs = int(bm25.scores["num_docs"])
        if not (len(manifest.product_ids) == len(manifest.content_hashes) == n_docs):
            raise ValueError("manifest and BM25 index disagree on the number of documents")
        if len(metadata) != n_docs:
            raise ValueError("one metadata row per document is needed")
        self._bm25 = bm25
        self.manifest = manifest
        self.product_ids = manifest.product_ids
        self._metadata_rows = list(metadata)
        self.metadata = MetadataTable(self._metadata_rows)
        self.keys = {k: list(v) for k, v in keys.items()}
        self._vocabulary: dict[str, int] = {
            str(t): int(i) for t, i in bm25.vocab_dict.items() if t != ""
        }
        indptr = np.asarray(bm25.scores["indptr"])
        self._document_frequency = np.diff(indptr)

    @property
    def size(self) -> int:
        return len(self.product_ids)

    def document_frequency(self, term: str) -> int:
        """In how many documents ``term`` occurs (0 for an unknown term)."""
        term_id = self._vocabulary.get(term)
        return 0 if term_id is None else int(self._document_frequency[term_id])

    def terms(self) -> dict[str, int]:
        """Every indexed term with its document frequency."""
        return {t: int(self._document_frequency[i]) for t, i in self._vocabulary.items()}

    def score(self, groups: Sequence[TermGroup]) -> Scores:
        """BM25 score of every document: per group the best weighted term, summed over groups."""
        data = self._bm25.scores["data"]
        indices = self._bm25.scores["indices"]
        indptr = self._bm25.scores["indptr"]
        total = np.zeros(self.size, dtype=np.float32)
        for group in groups:
            best = np.zeros(self.size, dtype=np.float32)
            for term, weight in group.items():
                term_id = self._vocabulary.get(term)
                if term_id is None or weight <= 0:
                    continue
                start, end = indptr[term_id], indptr[term_id + 1]
                # Postings of one term hold each document once, so fancy indexing is safe.
                docs = indices[start:end]
                best[docs] = np.maximum(best[docs], weight * data[start:end])
            total += best
        return total

    def top(self, scores: Scores, k: int, mask: Mask | None) -> list[tuple[int, float]]:
        """The ``k`` best documents with a positive score that pass ``mask``, best first."""
        if k <= 0:
            raise ValueError("k must be positive")
        if mask is not None:
            scores = np.where(mask, scores, np.float32(0))
        docs = np.flatnonzero(scores > 0)
        if len(docs) > k:
            docs = docs[np.argpartition(-scores[docs], k - 1)[:k]]
        # Ties broken by document number so results are reproducible.
        order = np.lexsort((docs, -scores[docs]))
        return [(int(d), float(scores[d])) for d in docs[order]]

    def lookup(self, text: str) -> list[int]:
        """Documents whose part number or EAN appears in ``text``."""
        return lookup(self.keys, text)

    def save(self, path: Path) -> None:
        """Write the index into a new version folder under ``path``, then switch to it.

        Readers follow ``path/CURRENT``, which is replaced atomically once the new version
        is complete; older versions are removed afterwards.
        """
        version = f"index-{time.time_ns()}-{os.getpid()}"
        target = path / version
        try:
            path.mkdir(parents=True, exist_ok=True)
            self._bm25.save(str(target), show_progress=False)
            _write_json(target / "manifest.json", self.manifest.model_dump())
            _write_json(target / "metadata.json", self._metadata_rows)
            _write_json(target / "keys.json", self.keys)
            pointer = path / f".{_POINTER}.{os.getpid()}"
            pointer.write_text(version, encoding="utf-8")
            os.replace(pointer, path / _POINTER)
        except OSError as e:
            shutil.rmtree(target, ignore_errors=True)
            raise LexicalIndexError(f"could not save the lexical index to {path}: {e}") from e
        for old in path.glob("index-*"):
            if old.name != version:
                shutil.rmtree(old, ignore_errors=True)

    @classmethod
    def load(cls, path: Path) -> LexicalIndex:
        """Read the current version written by :meth:`save`.

        Raises:
            LexicalIndexError: There is no index at ``path``, or it is incomplete.
        """
        folder = current_version(path)
        manifest = read_manifest(path)
        if folder is None or manifest is None:
            raise LexicalIndexError(f"no lexical index at {path}")
        import bm25s

        try:
            bm25 = bm25s.BM25.load(str(folder), show_progress=False)
            metadata = json.loads((folder / "metadata.json").read_text(encoding="utf-8"))
            keys = json.loads((folder / "keys.json").read_text(encoding="utf-8"))
            return cls(bm25, manifest, metadata, keys)
        except (OSError, ValueError, KeyError) as e:
            raise LexicalIndexError(f"could not load the lexical index at {path}: {e}") from e


def current_version(path: Path) -> Path | None:
    """The folder of the index version ``path/CURRENT`` names, if there is one."""
    try:
        name = (path / _POINTER).read_text(encoding="utf-8").strip()
    except OSError:
        return None
    folder = path / name
    return folder if name.startswith("index-") and folder.is_dir() else None


def read_manifest(path: Path) -> LexicalManifest | None:
    """The manifest of the current index at ``path``, or ``None`` if there is no usable one."""
    folder = current_version(path)
    if folder is None:
        return None
    try:
        manifest = LexicalManifest.model_validate_json(
            (folder / "manifest.json").read_text(encoding="utf-8")
        )
    except (OSError, ValueError):
        return None
    return manifest if manifest.format == FORMAT_VERSION else None


def _write_json(path: Path, value: Any) -> None:
    path.write_text(json.dumps(value, ensure_ascii=False), encoding="utf-8")
