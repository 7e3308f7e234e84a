"""Synonym expansion from the store taxonomy: laptop <-> notebook, cord <-> cable.

The words shoppers use for one category (:data:`retrieval.catalog.categories.CATEGORY_SYNONYMS`)
are alternatives of each other. Only single-term synonyms take part: a phrase such as
"power cord" would add its generic words ("power") to every query of the category.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

from retrieval.catalog.categories import CATEGORY_SYNONYMS
from retrieval.tokenizer import ProductTokenizer


class SynonymExpander:
    """Maps a query term to the other terms of its category, with a weight below one.

    Args:
        tokenizer: The index tokenizer (synonyms are compared as index terms).
        weight: Weight of a synonym relative to the word typed (0 < weight <= 1).
        table: Word or phrase -> category slug.

    Example:
        >>> expander = SynonymExpander(ProductTokenizer(), weight=0.5)
        >>> expander.expand("notebook")["laptop"]
        0.5
    """

    def __init__(
        self,
        tokenizer: ProductTokenizer,
        *,
        weight: float = 0.5,
        table: Mapping[str, str] = CATEGORY_SYNONYMS,
    ) -> None:
        if not 0 < weight <= 1:
            raise ValueError("weight must be in (0, 1]")
        self.weight = weight
        groups: dict[str, set[str]] = defaultdict(set)
        for phrase, slug in table.items():
            terms = tokenizer.tokenize(phrase)
            if len(terms) == 1:
                groups[slug].add(terms[0])
        self._expansions: dict[str, tuple[str, ...]] = {}
        for members in groups.values():
            for term in members:
                self._expansions[term] = tuple(sorted(members - {term}))

    def expand(self, term: str) -> dict[str, float]:
        """The synonyms of ``term`` with their weight (empty when it has none)."""
        return dict.fromkeys(self._expansions.get(term, ()), self.weight)
