"""The store policies as a LangChain retriever (one document per citable passage)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Protocol, runtime_checkable

from langchain_core.callbacks import CallbackManagerForRetrieverRun
from langchain_core.documents import Document
from langchain_core.retrievers import BaseRetriever
from pydantic import Field


class Passage(Protocol):
    """A policy passage (:class:`assistant.support.policy_docs.PolicyPassage`)."""

    @property
    def id(self) -> str: ...

    @property
    def document(self) -> str: ...

    @property
    def title(self) -> str: ...

    @property
    def section(self) -> str: ...

    @property
    def text(self) -> str: ...


class PassageHit(Protocol):
    """A passage and its cosine similarity to the question."""

    @property
    def passage(self) -> Passage: ...

    @property
    def score(self) -> float: ...


@runtime_checkable
class PassageSearch(Protocol):
    """Nearest passages to a question (:meth:`assistant.support.policies.PolicyLibrary.search`)."""

    def search(self, question: str, k: int | None = None) -> Sequence[PassageHit]: ...


class PolicyRetriever(BaseRetriever):
    """LangChain retriever over the store policy passages, with their citation.

    Each document's ``page_content`` is the passage text; the metadata holds ``document``
    (e.g. ``"returns"``), ``title``, ``section`` (the heading path), the passage ``id`` and
    its ``score``. Passages below ``min_score`` (cosine) are left out.

    Example:
        >>> retriever = services.langchain_policy_retriever(k=2)
        >>> doc = retriever.invoke("how long do I have to return a laptop?")[0]
        >>> doc.metadata["document"]
        'returns'
    """

    library: PassageSearch
    k: Annotated[int, Field(ge=1, le=100)] = 3
    min_score: Annotated[float, Field(ge=-1, le=1)] | None = None

    def _get_relevant_documents(
        self, query: str, *, run_manager: CallbackManagerForRetrieverRun, k: int | None = None
    ) -> list[Document]:
        wanted = self.k if k is None else k
        if wanted <= 0:
            raise ValueError("k must be positive")
        hits = self.library.search(query, wanted)
        return [
            Document(
                page_content=hit.passage.text,
                id=hit.passage.id,
                metadata={
                    "id": hit.passage.id,
                    "document": hit.passage.document,
                    "title": hit.passage.title,
                    "section": hit.passage.section,
                    "score": float(hit.score),
                },
            )
            for hit in hits
            if self.min_score is None or hit.score >= self.min_score
        ]
