import pytest

from assistant.product_qa import answer_question
from tests.assistant.products import BIG_LAPTOP, CABLE, HP_LAPTOP, LENOVO_LAPTOP, TONER, product

pytestmark = pytest.mark.unit


def test_yes_no_from_counts() -> None:
    yes = answer_question("does it have HDMI?", HP_LAPTOP)
    assert yes.known and yes.text.startswith("Yes") and "Hdmi ports quantity: 1" in yes.text
    no = answer_question("does the second one have HDMI?", LENOVO_LAPTOP)
    assert no.known and no.text.startswith("No")


def test_quotes_the_attribute() -> None:
    ram = answer_question("how much RAM does it have?", HP_LAPTOP)
    assert "Memory (RAM): 3 GB" in ram.text and ram.attributes[0] == "internal_memory"
    colour = answer_question("what colour is it?", HP_LAPTOP)
    assert "Colour: Black" in colour.text
    length = answer_question("how long is it?", CABLE)
    assert "3.05 m (10.0 ft)" in length.text


def test_price_and_brand() -> None:
    assert "$649.00" in answer_question("how much is it?", HP_LAPTOP).text
    assert "made by HP" in answer_question("who makes it?", HP_LAPTOP).text


def test_says_when_the_data_does_not_tell() -> None:
    answer = answer_question("is it waterproof?", BIG_LAPTOP)
    assert not answer.known and answer.text.startswith("I don't know")
    assert "waterproof" in answer.text
    battery = answer_question("how long does the battery last?", HP_LAPTOP)
    assert not battery.known


def test_words_matching_attribute_keys() -> None:
    weight = answer_question("what is the weight?", HP_LAPTOP)
    assert "Weight: 2000 g" in weight.text


def test_compatibility_questions() -> None:
    yes = answer_question("will it work with my Lexmark E320?", TONER, "Lexmark E320")
    assert yes.known and yes.text.startswith("Yes")
    no = answer_question("does it fit a Lexmark T420?", TONER, "Lexmark T420")
    assert "doesn't mention Lexmark T420" in no.text and "E322" in no.text
    unknown = answer_question("does it work with HP LaserJet 1000?", HP_LAPTOP, "HP LaserJet 1000")
    assert not unknown.known


def test_colour_question_quotes_the_product_colour_only() -> None:
    monitor = product(
        "9", "AOC 27B2H monitor", "142.94", category="monitor",
        attributes={"display_number_of_colours": "16.78 million colours", "colour_depth": 8.0,
                    "product_colour": "Black"},
    )  # fmt: skip
    answer = answer_question("what colour is it?", monitor)
    assert "Colour: Black" in answer.text and "million" not in answer.text


def test_a_bare_reference_gets_a_summary_and_a_question() -> None:
    answer = answer_question("the HP one", HP_LAPTOP)
    assert answer.known and answer.text.startswith("That's HP ProBook")
    assert "$649.00" in answer.text and 'Screen size: 13.3"' in answer.text
    assert answer.text.endswith("What would you like to know about it?")
    assert answer_question("and the HP?", HP_LAPTOP).text.startswith("That's HP ProBook")


def test_chinese_question_words() -> None:
    assert answer_question("第二个有HDMI吗?", HP_LAPTOP).text.startswith("Yes")
    assert "HDMI" in answer_question("有HDMI吗", BIG_LAPTOP).text
