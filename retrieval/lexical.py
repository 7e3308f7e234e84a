"""Lexical product search: BM25 over product text, exact part-number/EAN lookup, filters."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from retrieval.lexical_index import LexicalIndex
from retrieval.query_terms import QueryAnalyzer, QueryTerms
from retrieval.search import Candidates, ProductLookup, SearchQuery, hydrate
from retrieval.spelling import SpellingCorrector
from retrieval.synonyms import SynonymExpander
from retrieval.tokenizer import ProductTokenizer
from retrieval.vector_store import build_where


class LexicalHit(BaseModel):
    """One lexical match: product id, BM25 score, and whether its code was in the query."""

    model_config = ConfigDict(frozen=True)

    product_id: str
    score: float
    exact: bool = False


class LexicalRetriever:
    """BM25 search over the lexical index with the query's filters applied.

    A product whose part number or EAN appears in the query comes first whatever its
    score (filters still apply); the rest follow by BM25 score.

    Args:
        index: The lexical index.
        products: Where hits are hydrated from (the products table).
        tokenizer: Must be the tokenizer the index was built with.
        typo_tolerance: Correct query words the catalog does not know.
        synonym_weight: Weight of taxonomy synonyms (0 switches expansion off).
        known_words: Real words never corrected (see :class:`SpellingCorrector`).

    Example:
        >>> retriever = LexicalRetriever(LexicalIndex.load(Path("var/lexical")), repository)
        >>> retriever.retrieve(SearchQuery(text="CE285A", k=5)).items[0].exact_match
        True
    """

    def __init__(
        self,
        index: LexicalIndex,
        products: ProductLookup,
        *,
        tokenizer: ProductTokenizer | None = None,
        typo_tolerance: bool = True,
        synonym_weight: float = 0.5,
        known_words: set[str] | frozenset[str] = frozenset(),
    ) -> None:
        if not 0 <= synonym_weight <= 1:
            raise ValueError("synonym_weight must be between 0 and 1")
        tokenizer = tokenizer or ProductTokenizer()
        if tokenizer.signature != index.manifest.tokenizer:
            raise ValueError(
                f"index built with tokenizer {index.manifest.tokenizer}, not {tokenizer.signature}"
            )
        self.index = index
        self._products = products
        terms = index.terms()
        self.analyzer = QueryAnalyzer(
            tokenizer,
            terms,
            SpellingCorrector(terms, known_words=known_words) if typo_tolerance else None,
            SynonymExpander(tokenizer, weight=synonym_weight) if synonym_weight > 0 else None,
        )

    def analyze(self, text: str) -> QueryTerms:
        """The query's term groups and typo corrections."""
        return self.analyzer.analyze(text)

    def search(self, query: SearchQuery, terms: QueryTerms | None = None) -> list[LexicalHit]:
        """Up to ``query.k`` hits by product id: exact code matches first, then by BM25 score."""
        terms = terms or self.analyze(query.text)
        mask = self.index.metadata.mask(build_where(query.filters))
        scores = self.index.score(terms.groups)
        exact = [d for d in self.index.lookup(query.text) if mask is None or mask[d]]
        exact_set = set(exact)
        ranked = [d for d, _ in self.index.top(scores, query.k + len(exact), mask)]
        docs = (exact + [d for d in ranked if d not in exact_set])[: query.k]
        ids = self.index.product_ids
        return [
            LexicalHit.model_construct(
                product_id=ids[d], score=float(scores[d]), exact=d in exact_set
            )
            for d in docs
        ]

    def retrieve(self, query: SearchQuery) -> Candidates:
        hits = self.search(query)
        return hydrate(
            query,
            [(h.product_id, h.score) for h in hits],
            self._products,
            "lexical",
            frozenset(h.product_id for h in hits if h.exact),
        )
