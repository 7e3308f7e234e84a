from pathlib import Path

import pytest

from retrieval.query_terms import QueryAnalyzer
from retrieval.spelling import SpellingCorrector, encoder_words
from retrieval.synonyms import SynonymExpander
from retrieval.tokenizer import ProductTokenizer

pytestmark = pytest.mark.unit

VOCABULARY = {
    "laptop": 500,
    "keyboard": 240,
    "toner": 1800,
    "tower": 230,
    "cable": 3700,
    "label": 800,
    "ergonomic": 11,
    "lapton": 1,  # a catalog typo: too rare to be offered as a correction
    "mouse": 140,
}


@pytest.fixture(scope="module")
def corrector() -> SpellingCorrector:
    return SpellingCorrector(VOCABULARY, known_words={"cheap", "gift"})


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("labtop", "laptop"),
        ("keybaord", "keyboard"),  # a swap counts as one edit
        ("tonner", "toner"),  # toner (1 edit) beats tower (2 edits)
        ("cabel", "cable"),  # cable and label are both 1 edit away: the more frequent wins
        ("ergonomc", "ergonomic"),
        ("lapton", None),  # a catalog term is never corrected
        ("mous", "mouse"),  # up to five letters: one edit allowed
        ("moze", None),  # ... but not two
        ("cheap", None),  # a known word
        ("gift", None),
        ("lap", None),  # too short
        ("ce285a", None),  # not a plain word
        ("zzzzzzzz", None),  # nothing close
    ],
)
def test_correct(corrector: SpellingCorrector, typed: str, expected: str | None) -> None:
    assert corrector.correct(typed) == expected


def test_typed_form_of_a_stemmed_word_counts_as_known() -> None:
    corrector = SpellingCorrector({"toner": 100}, known_words={"tones"})
    # "tones" is stemmed to "tone", one edit from "toner"; the word as typed is a real word.
    assert corrector.correct("tone") == "toner"
    assert corrector.correct("tone", typed="tones") is None
    assert corrector.correct("tonr", typed="tonrs") == "toner"


def test_corrector_validates_configuration() -> None:
    with pytest.raises(ValueError):
        SpellingCorrector(VOCABULARY, min_length=2)
    with pytest.raises(ValueError):
        SpellingCorrector(VOCABULARY, min_frequency=0)


def test_encoder_words(tmp_path: Path) -> None:
    (tmp_path / "vocab.txt").write_text("[PAD]\n[unused0]\nthe\n##ing\nlaptop\n2020\ncheap\n")
    assert encoder_words(tmp_path) == {"the", "laptop", "cheap"}
    assert encoder_words(tmp_path / "missing") == set()


def test_synonyms_come_from_the_taxonomy() -> None:
    expander = SynonymExpander(ProductTokenizer(), weight=0.4)
    assert expander.expand("notebook")["laptop"] == 0.4
    assert expander.expand("laptop")["notebook"] == 0.4
    assert "cable" in expander.expand("cord") and "cord" in expander.expand("cable")
    assert "laptop" not in expander.expand("laptop")
    assert expander.expand("ce285a") == {}
    # Phrases are left out: "power cord" would add "power" to every cable query.
    assert "power" not in expander.expand("cable")
    with pytest.raises(ValueError):
        SynonymExpander(ProductTokenizer(), weight=0)


def test_custom_table() -> None:
    expander = SynonymExpander(ProductTokenizer(), table={"sofa": "couch", "couches": "couch"})
    assert expander.expand("sofa") == {"couch": 0.5}


def test_analyzer_groups_corrections_and_text(corrector: SpellingCorrector) -> None:
    tokenizer = ProductTokenizer()
    analyzer = QueryAnalyzer(tokenizer, VOCABULARY, corrector, SynonymExpander(tokenizer))
    terms = analyzer.analyze("Ergonomc KEYBAORD for my Labtop, USB-C")
    assert terms.corrections == {
        "ergonomc": "ergonomic",
        "keybaord": "keyboard",
        "labtop": "laptop",
    }
    assert terms.corrected_text == "ergonomic keyboard for my laptop, USB-C"
    mains = [next(iter(group)) for group in terms.groups]
    assert mains == ["ergonomic", "keyboard", "laptop", "usb-c", "usbc", "usb", "c"]
    laptop_group = terms.groups[2]
    assert laptop_group["laptop"] == 1.0 and laptop_group["notebook"] == 0.5


def test_analyzer_without_corrector_or_synonyms_keeps_words() -> None:
    analyzer = QueryAnalyzer(ProductTokenizer(), VOCABULARY)
    terms = analyzer.analyze("labtop labtop")
    assert terms.groups == [{"labtop": 1.0}] and terms.corrections == {}
    assert terms.corrected_text == "labtop labtop"
