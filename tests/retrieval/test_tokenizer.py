import pytest
from hypothesis import given
from hypothesis import strategies as st

from retrieval.tokenizer import ProductTokenizer, is_plain_word, light_stem, raw_tokens
from retrieval.units import normalize_units

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def tokenizer() -> ProductTokenizer:
    return ProductTokenizer()


@pytest.mark.parametrize(
    ("spellings", "token"),
    [
        (['13.3"', "13.3 inch", "13.3-inch", "13.3in", "13.3 inches", "13.30”"], "13.3in"),
        (["16GB", "16 GB", "16 gb", "16-GB", "16 gigabytes"], "16gb"),
        (["10 ft", "10ft", "10-ft", "10 feet", "10 ft."], "10ft"),
        (["3 m", "3m", "3 metres", "3.0 m"], "3m"),
        (["2 TB", "2tb"], "2tb"),
        (["4-port", "4 ports"], "4port"),
    ],
)
def test_every_spelling_of_a_measurement_is_one_token(
    tokenizer: ProductTokenizer, spellings: list[str], token: str
) -> None:
    for spelling in spellings:
        assert tokenizer.tokenize(f"cable {spelling} long") == ["cable", token, "long"], spelling


def test_icecat_title_measurements() -> None:
    assert normalize_units('hp 39.1 cm (15.4") 1200 x 800 pixels') == (
        "hp 39.1cm (15.4in) 1200 x 800 pixels"
    )


def test_spaced_in_stays_a_preposition(tokenizer: ProductTokenizer) -> None:
    # "in" is a stop word; the number must not become "15in".
    assert tokenizer.tokenize("15 in black") == ["15", "black"]


def test_part_numbers_are_kept_whole_and_lower_case(tokenizer: ProductTokenizer) -> None:
    assert tokenizer.tokenize("Xerox 006R90321 and HP CE285A") == [
        "xerox",
        "006r90321",
        "hp",
        "ce285a",
    ]


def test_hyphenated_code_is_whole_joined_and_split(tokenizer: ProductTokenizer) -> None:
    assert tokenizer.tokenize("dv7-1211ea") == ["dv7-1211ea", "dv71211ea", "dv7", "1211ea"]


def test_hyphenated_word_matches_its_spaced_and_joined_forms(tokenizer: ProductTokenizer) -> None:
    hyphenated = set(tokenizer.tokenize("Wi-Fi USB-C"))
    assert {"wifi", "usbc"} <= hyphenated
    assert set(tokenizer.tokenize("wifi usb c")) <= hyphenated


def test_case_and_width_do_not_matter(tokenizer: ProductTokenizer) -> None:
    assert tokenizer.tokenize("ＣＥ２８５Ａ Toner") == tokenizer.tokenize("ce285a toner")


def test_decimal_numbers_are_not_split(tokenizer: ProductTokenizer) -> None:
    assert tokenizer.tokenize("62.5/125 fibre") == ["62.5/125", "625125", "62.5", "125", "fibre"]


def test_stop_words_dropped_but_kept_inside_compounds(tokenizer: ProductTokenizer) -> None:
    assert tokenizer.tokenize("a cable for the all-in-one") == [
        "cable",
        "all-in-one",
        "allinone",
        "all",
        "in",
        "one",
    ]


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("cables", "cable"),
        ("cartridges", "cartridge"),
        ("batteries", "battery"),
        ("switches", "switch"),
        ("boxes", "box"),
        ("wireless", "wireless"),
        ("ups", "ups"),
        ("status", "status"),
        ("leds", "led"),
        ("16gb", "16gb"),
    ],
)
def test_light_stem(word: str, stem: str) -> None:
    assert light_stem(word) == stem


def test_stemming_can_be_switched_off() -> None:
    assert ProductTokenizer(stem=False).tokenize("cables") == ["cables"]
    assert ProductTokenizer(stem=False).signature != ProductTokenizer().signature


def test_raw_tokens_and_plain_words() -> None:
    assert raw_tokens("StarTech.com 10 ft USB-C cable") == [
        "startech.com",
        "10ft",
        "usb-c",
        "cable",
    ]
    assert is_plain_word("laptop") and is_plain_word("笔记本")
    assert not is_plain_word("ce285a") and not is_plain_word("usb-c")


@given(st.text(max_size=200))
def test_tokenize_never_fails_and_yields_clean_terms(text: str) -> None:
    terms = ProductTokenizer().tokenize(text)
    assert all(
        term and term == term.lower() and not any(c.isspace() for c in term) for term in terms
    )


@given(st.text(alphabet='abcdefgh0123456789 -./"', max_size=60))
def test_document_and_query_tokenisation_agree(text: str) -> None:
    # The same words give the same terms whatever surrounds them (what BM25 relies on).
    tokenizer = ProductTokenizer()
    assert tokenizer.tokenize(text + " end") == tokenizer.tokenize(text) + ["end"]
