"""The turn loop with in-memory fakes: wiring of parser, classifier, policy, state and replies."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from assistant.errors import InvalidMessageError, UnknownSessionError
from assistant.intents.base import INTENT_LABELS
from assistant.lexicon import common_english_words
from assistant.parser import TurnParser
from assistant.service import ShoppingAssistant
from ranking.rerank import DiversifiedRanker
from retrieval.filters import SearchFilters
from tests.assistant.fakes import FakeIntentClassifier, HashEmbedder
from tests.assistant.memory_store import CatalogRetriever, MemoryConversations
from tests.assistant.products import (
    BIG_LAPTOP,
    CABLE,
    HP_LAPTOP,
    LENOVO_LAPTOP,
    MEMORY_MB,
    TONER,
    product,
)

pytestmark = pytest.mark.unit

CATALOG = [HP_LAPTOP, LENOVO_LAPTOP, BIG_LAPTOP, CABLE, TONER, MEMORY_MB] + [
    product(str(100 + i), f"Dell Latitude {i} Notebook", str(300 + 50 * i), brand="DELL")
    for i in range(8)
]
PARSER = TurnParser([p.brand for p in CATALOG], common_words=common_english_words())


def _assistant(classifier: FakeIntentClassifier, embedder: HashEmbedder | None = None):  # type: ignore[no-untyped-def]
    retriever = CatalogRetriever(CATALOG)
    return ShoppingAssistant(
        PARSER,
        retriever,
        DiversifiedRanker(max_per_brand=10),
        MemoryConversations(),
        classifier=classifier,
        embedder=embedder or HashEmbedder(),
        products=retriever,
        candidates_k=20,
        results_k=3,
    )


def test_one_embedding_per_message_reaches_the_classifier() -> None:
    classifier, embedder = FakeIntentClassifier(), HashEmbedder()
    assistant = _assistant(classifier, embedder)
    first = assistant.chat(None, "laptops")
    assistant.chat(first.session_id, "only Dell")
    assert embedder.calls == [["laptops"], ["only Dell"]]
    (_, vector, context), (_, _, second_context) = classifier.calls
    assert vector.shape == (384,) and not context.has_results
    assert second_context.has_results and second_context.previous_intent == "search"


def test_a_session_started_with_an_api_key_is_only_found_with_that_key() -> None:
    assistant = _assistant(FakeIntentClassifier())
    mine = assistant.chat(None, "laptops", api_key_id=1)
    with pytest.raises(UnknownSessionError):
        assistant.chat(mine.session_id, "only Dell", api_key_id=2)
    assert assistant.chat(mine.session_id, "only Dell", api_key_id=1).session_id == mine.session_id
    page = assistant.chat(None, "laptops")  # the chat page's session: no key
    with pytest.raises(UnknownSessionError):
        assistant.chat(page.session_id, "only Dell", api_key_id=1)


def test_pages_through_results_then_stops_at_the_end() -> None:
    classifier = FakeIntentClassifier(default="refine")
    classifier.queue("search")
    assistant = _assistant(classifier)
    first = assistant.chat(None, "laptops")
    seen = [p.id for p in first.products]
    session = first.session_id
    for _ in range(5):
        page = assistant.chat(session, "show more")
        seen += [p.id for p in page.products]
    assert len(seen) == len(set(seen)) == 11  # every laptop once
    assert "That's all I have" in page.reply
    again = assistant.chat(session, "the first one, how much is it?")
    assert again.reply  # the last page is still what "the first one" points at


def test_attribute_filters_apply_to_candidates() -> None:
    assistant = _assistant(FakeIntentClassifier())
    result = assistant.chat(None, "a 17 inch laptop")
    assert [p.id for p in result.products] == [BIG_LAPTOP.id]
    cards = assistant.search("laptop", SearchFilters(memory_gb_min=8.0), k=5)
    assert [c.id for c in cards] == [LENOVO_LAPTOP.id]


def test_configuration_is_validated() -> None:
    with pytest.raises(ValueError):
        ShoppingAssistant(
            PARSER, CatalogRetriever([]), DiversifiedRanker(), MemoryConversations(),
            classifier=FakeIntentClassifier(), embedder=HashEmbedder(),
            products=CatalogRetriever([]), results_k=10, candidates_k=5,
        )  # fmt: skip


_MESSAGES = st.one_of(
    st.text(min_size=1, max_size=2000),
    st.lists(
        st.sampled_from(
            ["laptop", "under", "$800", "not", "Dell", "😀", "笔记本", "500元以下", "\x07",
             "compare", "1", "and", "3", "17", "inch", "for", "Lexmark", "E320", "#10234",
             "cheaper", "more", "the", "second", "one", "it", "?", "кабель", "عربي"]
        ),
        min_size=1,
        max_size=60,
    ).map(" ".join),
)  # fmt: skip


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(_MESSAGES, st.sampled_from(INTENT_LABELS), st.floats(0, 1)),
        min_size=1,
        max_size=4,
    )
)
def test_any_conversation_gets_valid_answers(turns: list[tuple[str, str, float]]) -> None:
    classifier = FakeIntentClassifier()
    assistant = _assistant(classifier)
    session = None
    for message, label, confidence in turns:
        classifier.queue(label, confidence)  # type: ignore[arg-type]
        try:
            result = assistant.chat(session, message)
        except InvalidMessageError:
            assert not message.strip()
            continue
        session = result.session_id
        assert result.intent in INTENT_LABELS and result.reply
        assert SearchFilters.model_validate(result.filters.model_dump()) == result.filters
        assert len(result.products) <= 3
        assert all(p.price >= (result.filters.price_min or Decimal(0)) for p in result.products)


def test_questions_about_a_brand_that_was_not_shown() -> None:
    classifier = FakeIntentClassifier()
    assistant = _assistant(classifier)
    shown = assistant.chat(None, "laptops")
    assert {p.brand for p in shown.products} == {"HP", "Lenovo"}
    classifier.queue("product_question")
    answer = assistant.chat(shown.session_id, "and the Dell one?")
    assert answer.reply.startswith("None of the products I showed is from DELL")
    classifier.queue("product_question")
    lenovo = assistant.chat(shown.session_id, "what about the Lenovo?")
    assert lenovo.reply.startswith("That's Lenovo IdeaPad S340")
