import pytest

from assistant.dialogue import DialogueState
from assistant.lexicon import common_english_words
from assistant.parser import TurnParser
from assistant.policy import IntentPolicy
from retrieval.filters import SearchFilters
from tests.assistant.fakes import prediction
from tests.assistant.products import BIG_LAPTOP, HP_LAPTOP, LENOVO_LAPTOP

pytestmark = pytest.mark.unit

SHOWN = [HP_LAPTOP, LENOVO_LAPTOP, BIG_LAPTOP]
LAPTOPS = DialogueState(
    query="laptops", filters=SearchFilters(category="laptop"), shown_ids=["1", "2", "3"]
)


@pytest.fixture(scope="module")
def parser() -> TurnParser:
    return TurnParser(["HP", "Lenovo", "DELL"], common_words=common_english_words())


@pytest.fixture(scope="module")
def policy() -> IntentPolicy:
    return IntentPolicy(min_confidence=0.5)


def _decide(policy, parser, text, label, state=LAPTOPS, confidence=0.9, shown=SHOWN):  # type: ignore[no-untyped-def]
    return policy.decide(prediction(label, confidence), parser.parse(text), state, shown)


def test_the_label_comes_from_the_classifier(policy: IntentPolicy, parser: TurnParser) -> None:
    decision = _decide(policy, parser, "I want to send this back", "return_request")
    assert (decision.intent, decision.action) == ("return_request", "support")
    assert _decide(policy, parser, "hello", "greeting").action == "greet"
    assert _decide(policy, parser, "blah", "other").action == "fallback"


def test_refine_with_nothing_to_refine_is_a_search(
    policy: IntentPolicy, parser: TurnParser
) -> None:
    decision = _decide(policy, parser, "under $800", "refine", state=DialogueState(), shown=[])
    assert (decision.intent, decision.action, decision.reason) == (
        "search", "search", "nothing to refine")  # fmt: skip


def test_refine_naming_another_category_is_a_new_search(
    policy: IntentPolicy, parser: TurnParser
) -> None:
    decision = _decide(policy, parser, "what about monitors", "refine")
    assert (decision.intent, decision.reason) == ("search", "new category")


def test_search_with_only_filter_slots_refines(policy: IntentPolicy, parser: TurnParser) -> None:
    assert _decide(policy, parser, "only HP", "search").intent == "refine"
    assert _decide(policy, parser, "cheaper", "search").intent == "refine"
    # new words describe a new product: stays a search
    assert _decide(policy, parser, "a gaming chair", "search").intent == "search"


def test_show_more_pages(policy: IntentPolicy, parser: TurnParser) -> None:
    decision = _decide(policy, parser, "show me more", "refine")
    assert (decision.intent, decision.action) == ("refine", "page")
    nothing_shown = _decide(policy, parser, "show me more", "refine", state=DialogueState())
    assert nothing_shown.action == "search"


def test_compare_resolves_references(policy: IntentPolicy, parser: TurnParser) -> None:
    decision = _decide(policy, parser, "compare 1 and 3", "compare")
    assert (decision.action, decision.product_ids) == ("compare", ("1", "3"))
    everything = _decide(policy, parser, "which is better?", "compare")
    assert everything.product_ids == ("1", "2", "3")
    missing = _decide(policy, parser, "compare 2 and 9", "compare")
    assert missing.missing_positions == (9,)


def test_product_question_resolves_one_product(policy: IntentPolicy, parser: TurnParser) -> None:
    decision = _decide(policy, parser, "does the second one have HDMI?", "product_question")
    assert (decision.action, decision.product_ids) == ("answer", ("2",))
    focused = LAPTOPS.model_copy(update={"focus_ids": ["3"]})
    it = _decide(policy, parser, "how much RAM does it have?", "product_question", state=focused)
    assert it.product_ids == ("3",)


def test_question_about_products_with_nothing_shown_but_product_words_searches(
    policy: IntentPolicy, parser: TurnParser
) -> None:
    decision = _decide(
        policy, parser, "do you have 17 inch laptops?", "product_question",
        state=DialogueState(), shown=[],
    )  # fmt: skip
    assert (decision.intent, decision.action) == ("search", "search")


def test_low_confidence_asks_unless_slots_back_it(policy: IntentPolicy, parser: TurnParser) -> None:
    unsure = _decide(policy, parser, "hmm that thing", "order_status", confidence=0.3)
    assert (unsure.intent, unsure.action) == ("other", "clarify")
    backed = _decide(policy, parser, "HP laptops under $500", "search", confidence=0.3)
    assert backed.action in ("search", "refine")
    compare = _decide(policy, parser, "1 vs 3", "compare", confidence=0.3)
    assert compare.action == "compare"


def test_min_confidence_is_validated() -> None:
    with pytest.raises(ValueError):
        IntentPolicy(min_confidence=1.5)
