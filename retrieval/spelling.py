"""Typo tolerance: a query word the catalog never uses is corrected to a close catalog word.

"labtop" -> "laptop", "keybaord" -> "keyboard", "tonner" -> "toner". Only plain words of at
least ``min_length`` letters that are neither catalog terms nor known words are touched; the
correction is the catalog word at the smallest optimal-string-alignment distance (a swap of
two neighbouring letters counts once), the most frequent one on a tie.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path

from rapidfuzz import process
from rapidfuzz.distance import OSA

from retrieval.tokenizer import is_plain_word


class SpellingCorrector:
    """Corrects words against the catalog vocabulary.

    Args:
        vocabulary: Catalog term -> document frequency (the lexical index's terms).
        known_words: Real words never to correct even when the catalog lacks them
            (e.g. the encoder's word list), so "cheap" or "gift" stay as typed.
        min_length: Shorter words are left alone (too many close neighbours).
        min_frequency: Catalog terms rarer than this are not offered as corrections
            (single occurrences are often the catalog's own typos).

    Example:
        >>> corrector = SpellingCorrector({"laptop": 500, "keyboard": 240})
        >>> corrector.correct("labtop"), corrector.correct("keybaord"), corrector.correct("mouse")
        ('laptop', 'keyboard', None)
    """

    def __init__(
        self,
        vocabulary: Mapping[str, int],
        *,
        known_words: Iterable[str] = (),
        min_length: int = 4,
        min_frequency: int = 2,
    ) -> None:
        if min_length < 3:
            raise ValueError("min_length must be at least 3")
        if min_frequency < 1:
            raise ValueError("min_frequency must be positive")
        self.min_length = min_length
        self._vocabulary = vocabulary
        self._known = frozenset(w.lower() for w in known_words)
        self._by_length: dict[int, list[str]] = defaultdict(list)
        for word, frequency in vocabulary.items():
            if frequency >= min_frequency and is_plain_word(word):
                self._by_length[len(word)].append(word)

    @staticmethod
    def max_distance(word: str) -> int:
        """Edits allowed: one for words of up to five letters, two for longer ones."""
        return 1 if len(word) <= 5 else 2

    def needs_correction(self, word: str, typed: str | None = None) -> bool:
        """Whether ``word`` is a candidate: long enough, letters only, unknown everywhere.

        ``typed`` is the word as the shopper wrote it when ``word`` is its stemmed form.
        """
        return (
            len(word) >= self.min_length
            and is_plain_word(word)
            and word not in self._vocabulary
            and word not in self._known
            and (typed is None or typed.lower() not in self._known)
        )

    def correct(self, word: str, typed: str | None = None) -> str | None:
        """The catalog word ``word`` most likely misspells, or ``None`` (no change)."""
        if not self.needs_correction(word, typed):
            return None
        limit = self.max_distance(word)
        candidates = [
            w for n in range(len(word) - limit, len(word) + limit + 1) for w in self._by_length[n]
        ]
        matches = process.extract(
            word, candidates, scorer=OSA.distance, score_cutoff=limit, limit=None
        )
        if not matches:
            return None
        best = min(matches, key=lambda m: (m[1], -self._vocabulary[m[0]], m[0]))
        return str(best[0])


def encoder_words(model_path: str | Path) -> set[str]:
    """Whole words of a BERT word-piece vocabulary (``vocab.txt``), or none if there is none.

    They serve as a dictionary of real words: a word the encoder knows is not a typo.
    """
    vocab_file = Path(model_path) / "vocab.txt"
    try:
        lines = vocab_file.read_text(encoding="utf-8").splitlines()
    except OSError:
        return set()
    return {w for w in lines if w.isalpha() and not w.startswith("[")}
