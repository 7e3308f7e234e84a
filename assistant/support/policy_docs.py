"""Store policy documents (Markdown in ``data/policies``) split into citable passages.

Each ``*.md`` file may start with a YAML front matter (``document``, ``title``, and for the
returns/refunds/warranty documents the machine-readable ``rules``); the front matter is never
indexed. The body is split at its ``#``/``##``/``###`` headings (LangChain's
``MarkdownHeaderTextSplitter``) and long sections into ~500-character passages
(``RecursiveCharacterTextSplitter``), each carrying its document and section for the citation.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from langchain_text_splitters import MarkdownHeaderTextSplitter, RecursiveCharacterTextSplitter
from pydantic import BaseModel, ConfigDict

from assistant.support.errors import PolicyDocumentError
from assistant.support.policy_rules import PolicyRulesError, split_front_matter

CHUNK_CHARS = 500
CHUNK_OVERLAP = 60
_HEADERS = [("#", "h1"), ("##", "h2"), ("###", "h3")]


class PolicyPassage(BaseModel):
    """One citable piece of a policy document.

    Example:
        >>> p = PolicyPassage(document="shipping", title="Shipping and delivery",
        ...                   section="Delivery times", text="Standard shipping arrives ...")
        >>> p.id.startswith("shipping-")
        True
    """

    model_config = ConfigDict(frozen=True)

    document: str
    title: str
    section: str
    text: str

    @property
    def content_hash(self) -> str:
        raw = "\x1f".join((self.document, self.title, self.section, self.text))
        return hashlib.sha256(raw.encode()).hexdigest()

    @property
    def id(self) -> str:
        """Content-derived: an edited passage gets a new id, an unchanged one keeps its id."""
        return f"{self.document}-{self.content_hash[:20]}"

    def embedding_text(self) -> str:
        """What is embedded: the headings give short passages their topic."""
        return f"{self.title}. {self.section}. {self.text}"


def split_document(text: str, default_id: str) -> list[PolicyPassage]:
    """The passages of one Markdown policy document (front matter skipped).

    Raises:
        PolicyDocumentError: The front matter is not valid YAML.
    """
    try:
        meta, body = split_front_matter(text)
    except PolicyRulesError as e:
        raise PolicyDocumentError(f"{default_id}: {e}") from e
    document = str(meta.get("document") or default_id)
    sections = MarkdownHeaderTextSplitter(_HEADERS, strip_headers=True).split_text(body)
    title = str(
        meta.get("title")
        or next((s.metadata["h1"] for s in sections if "h1" in s.metadata), document)
    )
    chunker = RecursiveCharacterTextSplitter(chunk_size=CHUNK_CHARS, chunk_overlap=CHUNK_OVERLAP)
    passages: list[PolicyPassage] = []
    for part in sections:
        headings = [part.metadata[h] for _, h in _HEADERS[1:] if h in part.metadata]
        section = " › ".join(headings) or "Overview"
        for chunk in chunker.split_text(part.page_content):
            if chunk.strip():
                passages.append(
                    PolicyPassage(
                        document=document, title=title, section=section, text=chunk.strip()
                    )
                )
    return passages


def load_policies(folder: Path) -> list[PolicyPassage]:
    """Every passage of every ``*.md`` in ``folder``, in file and reading order.

    Raises:
        PolicyDocumentError: The folder is missing or holds no passages.
    """
    if not folder.is_dir():
        raise PolicyDocumentError(f"no policy folder at {folder}")
    passages: list[PolicyPassage] = []
    for path in sorted(folder.glob("*.md")):
        passages.extend(split_document(path.read_text(encoding="utf-8"), path.stem))
    if not passages:
        raise PolicyDocumentError(f"no policy passages in {folder}")
    return passages
