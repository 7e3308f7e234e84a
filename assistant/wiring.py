"""Build the services from settings, and bring the store up (migrate, ingest, index)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.parser import TurnParser
from assistant.service import ShoppingAssistant
from db.conversations import ConversationRepository
from db.products import ProductRepository
from db.session import create_db_engine, make_session_factory, migrate
from ranking.rerank import DiversifiedRanker
from retrieval.catalog.loading import ColumnMapping, LoadReport, load_catalog
from retrieval.embedder import TransformerEmbedder
from retrieval.index import IndexBuilder, IndexReport
from retrieval.search import DenseRetriever
from retrieval.vector_store import ChromaVectorIndex
from retrieval.writer_lock import exclusive_writer

log = logging.getLogger(__name__)


def quiet_third_parties() -> None:
    """Nothing may call out: no analytics, no telemetry, no model hub."""
    for key, value in {
        "GRADIO_ANALYTICS_ENABLED": "False",
        "HF_HUB_OFFLINE": "1",
        "TRANSFORMERS_OFFLINE": "1",
        "ANONYMIZED_TELEMETRY": "False",
        "TOKENIZERS_PARALLELISM": "false",
    }.items():
        os.environ.setdefault(key, value)


@dataclass
class Services:
    """Lazily built components, one instance per process.

    The encoder and the vector index are only loaded when first used, so commands
    that only touch SQL (``shopbot ingest``) stay fast.
    """

    settings: Settings
    engine: Engine = field(init=False)
    session_factory: sessionmaker[Session] = field(init=False)

    def __post_init__(self) -> None:
        quiet_third_parties()
        self.engine = create_db_engine(self.settings.database_url)
        migrate(self.engine)
        self.session_factory = make_session_factory(self.engine)

    @cached_property
    def products(self) -> ProductRepository:
        return ProductRepository(self.session_factory)

    @cached_property
    def conversations(self) -> ConversationRepository:
        return ConversationRepository(self.session_factory)

    @cached_property
    def embedder(self) -> TransformerEmbedder:
        s = self.settings
        return TransformerEmbedder(
            s.model_path,
            batch_size=s.embed_batch_size,
            max_length=s.embed_max_length,
            threads=s.torch_threads,
        )

    @cached_property
    def vector_index(self) -> ChromaVectorIndex:
        s = self.settings
        if s.chroma_host:
            return ChromaVectorIndex(
                collection=s.collection_name, host=s.chroma_host, port=s.chroma_port
            )
        return ChromaVectorIndex(collection=s.collection_name, path=s.chroma_path)

    @cached_property
    def retriever(self) -> DenseRetriever:
        return DenseRetriever(self.embedder, self.vector_index, self.products)

    @cached_property
    def assistant(self) -> ShoppingAssistant:
        s = self.settings
        return ShoppingAssistant(
            TurnParser(self.products.brands()),
            self.retriever,
            DiversifiedRanker(max_per_brand=s.max_per_brand),
            self.conversations,
            candidates_k=s.candidates_k,
            results_k=s.results_k,
            max_message_chars=s.max_message_chars,
        )

    def ingest(
        self,
        path: os.PathLike[str] | str | None = None,
        fmt: str | None = None,
        mapping: ColumnMapping | None = None,
    ) -> LoadReport:
        """Load a catalog file into the products table (upsert by id)."""
        target = Path(path) if path is not None else self.settings.catalog_path
        fmt = fmt or self.settings.catalog_format
        loaded = load_catalog(target, fmt, mapping)  # type: ignore[arg-type]
        counts = self.products.upsert_many(loaded.products)
        log.info("ingested %s: %s", target, counts.model_dump())
        return loaded.report

    def build_index(self, show_progress: bool = True) -> IndexReport:
        """Reconcile the vector index with the products table (one writer per directory)."""
        builder = IndexBuilder(
            self.embedder, self.vector_index, self.products, show_progress=show_progress
        )
        if self.settings.chroma_host:
            return builder.build()
        with exclusive_writer(self.settings.chroma_path):
            return builder.build()

    def bootstrap(self, show_progress: bool = True) -> None:
        """First-run set-up: load the bundled catalog if the store is empty, then index it."""
        if self.products.count() == 0:
            report = self.ingest()
            log.info("loaded bundled catalog: %d products", report.loaded)
        if self.settings.index_on_start:
            self.build_index(show_progress=show_progress)

    def close(self) -> None:
        self.engine.dispose()
