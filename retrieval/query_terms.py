"""From a shopper's query to weighted BM25 term groups: tokenise, correct typos, add synonyms."""

from __future__ import annotations

import re
from collections.abc import Container

from pydantic import BaseModel, ConfigDict, Field

from retrieval.spelling import SpellingCorrector
from retrieval.synonyms import SynonymExpander
from retrieval.tokenizer import ProductTokenizer, raw_tokens


class QueryTerms(BaseModel):
    """The analysed query.

    ``groups`` holds one mapping per query term: the term (or its correction) with weight 1 and
    its synonyms with a lower weight. ``corrected_text`` is the query with misspelled words
    replaced, for the dense retriever.
    """

    model_config = ConfigDict(frozen=True)

    groups: list[dict[str, float]]
    corrections: dict[str, str] = Field(default_factory=dict)
    corrected_text: str


class QueryAnalyzer:
    """Turns query text into :class:`QueryTerms` for one lexical index.

    Args:
        tokenizer: The tokenizer the index was built with.
        vocabulary: The index's terms (a term found there is never "corrected").
        corrector: Typo correction, or ``None`` to keep words as typed.
        synonyms: Synonym expansion, or ``None``.

    Example:
        >>> analyzer = QueryAnalyzer(ProductTokenizer(), {"laptop"}, corrector, synonyms)
        >>> analyzer.analyze("Labtop").corrected_text
        'laptop'
    """

    def __init__(
        self,
        tokenizer: ProductTokenizer,
        vocabulary: Container[str],
        corrector: SpellingCorrector | None = None,
        synonyms: SynonymExpander | None = None,
    ) -> None:
        self._tokenizer = tokenizer
        self._vocabulary = vocabulary
        self._corrector = corrector
        self._synonyms = synonyms

    def analyze(self, text: str) -> QueryTerms:
        groups: list[dict[str, float]] = []
        corrections: dict[str, str] = {}
        seen: set[str] = set()
        for raw in raw_tokens(text):
            for term in self._tokenizer.terms(raw):
                if term in seen:
                    continue
                seen.add(term)
                main = self._correct(term, raw)
                if main != term:
                    corrections[raw] = main
                group = {main: 1.0}
                if self._synonyms is not None:
                    for synonym, weight in self._synonyms.expand(main).items():
                        group.setdefault(synonym, weight)
                groups.append(group)
        return QueryTerms(
            groups=groups,
            corrections=corrections,
            corrected_text=_replace_words(text, corrections),
        )

    def _correct(self, term: str, raw: str) -> str:
        if self._corrector is None or term in self._vocabulary:
            return term
        return self._corrector.correct(term, typed=raw) or term


def _replace_words(text: str, corrections: dict[str, str]) -> str:
    for wrong, right in corrections.items():
        text = re.sub(rf"(?<!\w){re.escape(wrong)}(?!\w)", right, text, flags=re.IGNORECASE)
    return text
