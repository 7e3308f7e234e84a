"""Build the services from settings, and bring the store up (migrate, ingest, index)."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.intents.classifier import TrainedIntentClassifier, classifier_from_settings
from assistant.parser import TurnParser
from assistant.service import ShoppingAssistant
from assistant.support.demo_seed import SeedReport, seed_demo
from assistant.support.identity import CustomerTokens, load_or_create_secret
from assistant.support.orders_desk import OrderDesk, is_refund_question
from assistant.support.policy_rules import StoreRules, load_store_rules
from assistant.support.services import SupportServices
from db.column_types import utcnow
from db.conversations import ConversationRepository
from db.orders import OrderRepository
from db.products import ProductRepository
from db.session import create_db_engine, make_session_factory, migrate, startup_lock
from ranking.ctr_ranker import CtrRanker, Scorer
from ranking.history import SqlHistoryReader
from ranking.hot_reload import ModelWatcher
from ranking.popularity import SqlPopularity
from ranking.rerank import DiversifiedRanker, Ranker
from retrieval.catalog.loading import ColumnMapping, LoadReport, load_catalog
from retrieval.dense_snapshot import SnapshotVectorIndex
from retrieval.embedder import CachedEmbedder, Embedder
from retrieval.embedder_factory import build_embedder
from retrieval.hybrid import HybridRetriever
from retrieval.index import IndexBuilder, IndexReport
from retrieval.lexical import LexicalRetriever
from retrieval.lexical_build import LexicalBuildReport, LexicalIndexBuilder
from retrieval.lexical_index import LexicalIndex
from retrieval.onnx_embedder import OnnxEmbedder
from retrieval.search import DenseRetriever
from retrieval.spelling import encoder_words
from retrieval.vector_store import ChromaVectorIndex
from retrieval.writer_lock import exclusive_writer

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel

    from assistant.observability.metrics import ShopMetrics
    from assistant.phrasing.turns import TurnPhraser
    from assistant.streaming import ReplyStreamer
    from db.openai_threads import OpenAIThreadRepository
    from retrieval.filters import SearchFilters
    from retrieval.lc_embeddings import EncoderEmbeddings
    from retrieval.lc_policies import PolicyRetriever
    from retrieval.lc_products import ProductRetriever

log = logging.getLogger(__name__)


def load_ctr_scorer(path: Path) -> Scorer:
    """Load the CTR model at ``path`` (imported on first use: serving starts without one)."""
    from ranking.artifact import CtrScorer

    scorer: Scorer = CtrScorer.load(path)
    return scorer


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
    def embedder(self) -> Embedder:
        """The encoder ``embedder_backend`` names (torch, or ONNX exported on first use)."""
        s = self.settings
        return build_embedder(
            s.embedder_backend,
            s.model_path,
            batch_size=s.embed_batch_size,
            max_length=s.embed_max_length,
            threads=s.torch_threads,
            onnx_cache_dir=s.onnx_cache_dir,
        )

    def set_encoder_threads(self, threads: int) -> None:
        """Intra-op threads from now on (torch's global pool and an ONNX Runtime session)."""
        import torch

        torch.set_num_threads(threads)
        encoder = self.__dict__.get("embedder")  # not loaded yet: it starts with torch_threads
        if isinstance(encoder, OnnxEmbedder):
            encoder.set_threads(threads)

    @cached_property
    def query_embedder(self) -> CachedEmbedder:
        """The encoder behind an LRU cache: a turn's text is embedded once for intent,
        dense retrieval and CTR re-ranking (index builds use :attr:`embedder` directly)."""
        return CachedEmbedder(self.embedder, max_size=self.settings.embed_cache_size)

    @cached_property
    def vector_index(self) -> ChromaVectorIndex:
        s = self.settings
        if s.chroma_host:
            return ChromaVectorIndex(
                collection=s.collection_name, host=s.chroma_host, port=s.chroma_port
            )
        return ChromaVectorIndex(collection=s.collection_name, path=s.chroma_path)

    @cached_property
    def dense_index(self) -> ChromaVectorIndex | SnapshotVectorIndex:
        """The vector index searches go to: filtered ones answered exactly from memory."""
        if self.settings.exact_filtered_search:
            return SnapshotVectorIndex(self.vector_index)
        return self.vector_index

    @cached_property
    def dense_retriever(self) -> DenseRetriever:
        return DenseRetriever(self.query_embedder, self.dense_index, self.products)

    @cached_property
    def lexical_index(self) -> LexicalIndex:
        """The BM25 index on disk, (re)built first if it is missing or out of date."""
        builder = LexicalIndexBuilder(self.products, self.settings.lexical_dir)
        if not builder.is_current():
            self.build_lexical_index()
        return LexicalIndex.load(self.settings.lexical_dir)

    @cached_property
    def lexical_retriever(self) -> LexicalRetriever:
        s = self.settings
        return LexicalRetriever(
            self.lexical_index,
            self.products,
            typo_tolerance=s.typo_tolerance,
            synonym_weight=s.synonym_weight,
            known_words=encoder_words(s.model_path),
        )

    @cached_property
    def retriever(self) -> DenseRetriever | LexicalRetriever | HybridRetriever:
        """The retriever ``retrieval_mode`` names (hybrid by default)."""
        s = self.settings
        if s.retrieval_mode == "dense":
            return self.dense_retriever
        if s.retrieval_mode == "lexical":
            return self.lexical_retriever
        return HybridRetriever(
            self.dense_retriever,
            self.lexical_retriever,
            self.products,
            rrf_k=s.fusion_rrf_k,
            dense_weight=s.fusion_dense_weight,
            lexical_weight=s.fusion_lexical_weight,
            depth=s.candidates_k,
        )

    @cached_property
    def intent_classifier(self) -> TrainedIntentClassifier:
        """The trained intent classifier (``intent_model_path``; trained there first if missing)."""
        return classifier_from_settings(self.settings, self.embedder)

    @cached_property
    def product_vectors(self) -> SnapshotVectorIndex:
        """The products' index vectors by id, from the in-memory copy of the vector index."""
        index = self.dense_index
        return index if isinstance(index, SnapshotVectorIndex) else SnapshotVectorIndex(index)

    @cached_property
    def popularity(self) -> SqlPopularity:
        """Smoothed popularity priors over the impression log, refreshed periodically."""
        return SqlPopularity(
            self.conversations, refresh_seconds=self.settings.popularity_refresh_seconds
        )

    @cached_property
    def ctr_models(self) -> ModelWatcher[Scorer]:
        """The served CTR model, reloaded when training swaps ``current.json``."""
        return ModelWatcher(
            self.settings.ctr_model_path,
            load_ctr_scorer,
            check_seconds=self.settings.ctr_reload_seconds,
        )

    @cached_property
    def ranker(self) -> Ranker:
        """The ranker ``ranker`` names; "ctr" is diversified until a model exists."""
        s = self.settings
        if s.ranker == "diversified":
            return DiversifiedRanker(max_per_brand=s.max_per_brand)
        return CtrRanker(
            self.ctr_models,
            self.query_embedder,
            self.product_vectors,
            SqlHistoryReader(self.conversations),
            self.popularity,
            blend_weight=s.ctr_blend_weight,
            max_per_brand=s.max_per_brand,
        )

    @cached_property
    def support(self) -> SupportServices:
        """Customer service: policy answers, handoffs, staff accounts (issue 6, DESK)."""
        return SupportServices(
            self.settings,
            self.session_factory,
            self.embedder,
            self.conversations,
            orders=lambda: self.order_desk,
            is_refund_question=is_refund_question,
            returns=lambda: self.orders,
        )

    # --- orders and customer identity (issue 6, ORDERS) ---------------------------------

    @cached_property
    def orders(self) -> OrderRepository:
        return OrderRepository(self.session_factory)

    @cached_property
    def store_rules(self) -> StoreRules:
        """Return windows, warranty and refund rules from the policy documents' front matter."""
        return load_store_rules(self.settings.policies_path)

    @cached_property
    def order_desk(self) -> OrderDesk:
        return OrderDesk(self.orders, self.store_rules, clock=utcnow)

    @cached_property
    def customer_tokens(self) -> CustomerTokens:
        s = self.settings
        configured = s.secret_key.get_secret_value() if s.secret_key else None
        return CustomerTokens(
            load_or_create_secret(configured, s.secret_file),
            clock=utcnow,
            ttl_seconds=s.customer_token_ttl_minutes * 60,
        )

    def demo_login_customers(self) -> list[tuple[str, str]]:
        """(label, id) of the customers the shopper page's demo login offers (none if off)."""
        if not self.settings.demo_login_enabled:
            return []
        return [(f"{c.name} ({c.id})", c.id) for c in self.orders.list_customers()]

    def seed_demo(self) -> SeedReport:
        """Add the demo customers and orders that are missing (``shopbot demo seed``)."""
        return seed_demo(self.orders, self.settings.demo_orders_path, clock=utcnow)

    @cached_property
    def metrics(self) -> ShopMetrics:
        """This process's Prometheus metrics, in a registry of their own (issue 8,
        observability): the app records requests into them, the assistant its turn stages."""
        from assistant.observability.metrics import ShopMetrics

        return ShopMetrics()

    @cached_property
    def assistant(self) -> ShoppingAssistant:
        s = self.settings
        return ShoppingAssistant(
            TurnParser(self.products.brands()),
            self.retriever,
            self.ranker,
            self.conversations,
            classifier=self.intent_classifier,
            min_confidence=s.intent_min_confidence,
            embedder=self.query_embedder,
            products=self.products,
            candidates_k=s.candidates_k,
            results_k=s.results_k,
            max_message_chars=s.max_message_chars,
            support=self.support.turns,
            staff_messages=self.support.handoffs,
            phraser=self.turn_phraser,
            stages=self.metrics,
        )

    @cached_property
    def reply_streamer(self) -> ReplyStreamer:
        """How streamed answers send their reply text: the finished reply in word groups
        (issue 7), or, with a phrasing model, its validated sentences as they arrive (issue 9)."""
        from assistant.streaming import WordGroups

        if self.turn_phraser is None:
            return WordGroups()
        from assistant.phrasing.streamer import PhrasedReplies

        return PhrasedReplies(self.turn_phraser, self.conversations)

    @cached_property
    def openai_threads(self) -> OpenAIThreadRepository:
        """OpenAI-style histories -> assistant sessions (``/v1/chat/completions``, issue 7)."""
        from db.openai_threads import OpenAIThreadRepository

        return OpenAIThreadRepository(self.session_factory)

    # --- LangChain and optional LLM phrasing (issue 9, LLM) -----------------------------

    @cached_property
    def chat_model(self) -> BaseChatModel | None:
        """The phrasing model ``llm_provider`` names (None: template replies only)."""
        from assistant.phrasing.models import chat_model_from_settings

        return chat_model_from_settings(self.settings)

    @cached_property
    def turn_phraser(self) -> TurnPhraser | None:
        """Phrases replies with :attr:`chat_model`, checked against the facts (None if off)."""
        if self.chat_model is None:
            return None
        from assistant.phrasing import LLMPhraser, ReplyValidator, TurnPhraser

        phraser = LLMPhraser(
            self.chat_model,
            ReplyValidator(self.products.brands()),
            timeout_seconds=self.settings.llm_timeout_seconds,
        )
        return TurnPhraser(phraser, self.products)

    def langchain_product_retriever(
        self, k: int = 5, filters: SearchFilters | None = None
    ) -> ProductRetriever:
        """The product search as a LangChain ``BaseRetriever`` (attribute filters enforced)."""
        from assistant.shopping import ProductSearch
        from retrieval.filters import SearchFilters
        from retrieval.lc_products import ProductRetriever

        # candidates_k=1: the pool is exactly the k asked for (widened for attribute filters);
        # the ranker is never used by ProductSearch.candidates.
        search = ProductSearch(self.retriever, DiversifiedRanker(), candidates_k=1)
        return ProductRetriever(search=search, k=k, filters=filters or SearchFilters())

    def langchain_policy_retriever(
        self, k: int = 3, min_score: float | None = None
    ) -> PolicyRetriever:
        """The store policy passages as a LangChain ``BaseRetriever``."""
        from retrieval.lc_policies import PolicyRetriever

        return PolicyRetriever(library=self.support.policies, k=k, min_score=min_score)

    def langchain_embeddings(self) -> EncoderEmbeddings:
        """The BERT encoder as LangChain ``Embeddings`` (shares the query cache)."""
        from retrieval.lc_embeddings import EncoderEmbeddings

        return EncoderEmbeddings(self.query_embedder)

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
        """Reconcile the vector and lexical indexes with the products table.

        One writer per directory: an embedded Chroma directory and the lexical folder are
        each locked while they are written.
        """
        builder = IndexBuilder(
            self.embedder, self.vector_index, self.products, show_progress=show_progress
        )
        if self.settings.chroma_host:
            report = builder.build()
        else:
            with exclusive_writer(self.settings.chroma_path):
                report = builder.build()
        if report.embedded or report.deleted:
            # The in-memory copy of the vectors is stale: drop what was built on it.
            for name in (
                "dense_index",
                "dense_retriever",
                "retriever",
                "product_vectors",
                "ranker",
            ):
                self.__dict__.pop(name, None)
        return report.model_copy(update={"lexical": self.build_lexical_index()})

    def build_lexical_index(self, force: bool = False) -> LexicalBuildReport:
        """Rebuild the BM25 index if the products table changed since it was built."""
        path = self.settings.lexical_dir
        with exclusive_writer(path):
            report = LexicalIndexBuilder(self.products, path).build(force=force)
        if report.rebuilt:
            # Components built from the old index are dropped; an assistant already built
            # keeps the retriever it was given.
            for name in ("lexical_index", "lexical_retriever", "retriever"):
                self.__dict__.pop(name, None)
        return report

    def bootstrap(self, show_progress: bool = True) -> None:
        """First-run set-up: load the bundled catalog if the store is empty, then index it.

        Several processes sharing the database (workers, machines) take turns (issue 8,
        backends): the first does the set-up, the others find it done.
        """
        with startup_lock(self.engine):
            self._bootstrap(show_progress)

    def _bootstrap(self, show_progress: bool) -> None:
        if self.products.count() == 0:
            report = self.ingest()
            log.info("loaded bundled catalog: %d products", report.loaded)
        if self.settings.index_on_start:
            self.build_index(show_progress=show_progress)
        if self.settings.retrieval_mode != "dense":
            # Load (or, when missing, build) the BM25 index now rather than on the first search.
            log.info("lexical index ready: %d products", self.lexical_index.size)
        if self.settings.retrieval_mode != "lexical" and isinstance(
            self.dense_index, SnapshotVectorIndex
        ):
            log.info("vector snapshot ready: %d products", self.dense_index.warm_up())
        if self.settings.demo_seed_on_start and self.orders.count_customers() == 0:
            log.info("demo orders seeded: %s", self.seed_demo().model_dump())
        # Policy passages: embed new or edited ones, drop removed ones (issue 6, DESK).
        log.info("policies ready: %s", self.support.sync_policies().model_dump())

    def close(self) -> None:
        phraser = self.__dict__.get("turn_phraser")
        if phraser is not None:
            phraser.phraser.close()  # model calls in flight finish in the background
        self.engine.dispose()
