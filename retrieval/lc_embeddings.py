"""The product encoder as a LangChain :class:`~langchain_core.embeddings.Embeddings`."""

from __future__ import annotations

from langchain_core.embeddings import Embeddings

from retrieval.embedder import Embedder


class EncoderEmbeddings(Embeddings):
    """Our BERT encoder (all-MiniLM-L6-v2, 384 dimensions) behind LangChain's interface.

    Queries and documents share one space and every vector is L2-normalised, so a dot
    product is the cosine similarity. Nothing is downloaded: the wrapped encoder loads
    from a local folder.

    Args:
        embedder: Any :class:`~retrieval.embedder.Embedder` (e.g. ``services.embedder``, or
            ``services.query_embedder`` to share the turn's LRU cache).

    Example:
        >>> embeddings = EncoderEmbeddings(services.embedder)
        >>> len(embeddings.embed_query("thin and light laptop"))
        384
    """

    def __init__(self, embedder: Embedder) -> None:
        if embedder.dimension <= 0:
            raise ValueError("the embedder reports no dimension")
        self._embedder = embedder

    @property
    def dimension(self) -> int:
        """Length of every vector."""
        return self._embedder.dimension

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        """One vector per text, in input order."""
        if not texts:
            return []
        vectors: list[list[float]] = self._embedder.embed(texts).tolist()
        return vectors

    def embed_query(self, text: str) -> list[float]:
        """The vector of one query."""
        vector: list[float] = self._embedder.embed([text])[0].tolist()
        return vector
