"""The assistant's phrasing hook: the model's wording when faithful, the template otherwise."""

from __future__ import annotations

import pytest
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel

from assistant.phrasing import LLMPhraser, ReplyValidator, TurnPhraser
from assistant.service import ShoppingAssistant
from ranking.rerank import DiversifiedRanker
from tests.assistant.fakes import FakeIntentClassifier, HashEmbedder
from tests.assistant.memory_store import CatalogRetriever, MemoryConversations
from tests.assistant.phrasing.test_phraser import Recorder
from tests.assistant.test_service import CATALOG, PARSER

pytestmark = pytest.mark.unit


def assistant(
    model: GenericFakeChatModel | None, classifier: FakeIntentClassifier | None = None
) -> tuple[ShoppingAssistant, MemoryConversations]:
    retriever, conversations = CatalogRetriever(CATALOG), MemoryConversations()
    phraser = None
    if model is not None:
        validator = ReplyValidator(sorted({p.brand for p in CATALOG}))
        phraser = TurnPhraser(LLMPhraser(model, validator), retriever)
    built = ShoppingAssistant(
        PARSER,
        retriever,
        DiversifiedRanker(max_per_brand=10),
        conversations,
        classifier=classifier or FakeIntentClassifier(),
        embedder=HashEmbedder(),
        products=retriever,
        candidates_k=20,
        results_k=3,
        phraser=phraser,
    )
    return built, conversations


def template_turn(message: str) -> tuple[str, str, str]:
    """The template reply, top title and top price of ``message`` (no phraser)."""
    plain, _ = assistant(None)
    result = plain.chat(None, message)
    top = result.products[0]
    return result.reply, top.title, f"${top.price:,.2f}"


def test_without_a_phraser_the_response_is_unchanged() -> None:
    plain, _ = assistant(None)
    body = plain.chat(None, "laptops under 700 dollars").model_dump(mode="json")
    assert "phrased_by" not in body


def test_a_faithful_phrasing_becomes_the_reply_and_the_stored_turn() -> None:
    template, title, price = template_turn("laptops under 700 dollars")
    wording = f"My top pick under $700.00 is the {title}, which costs {price}."
    phrased, conversations = assistant(GenericFakeChatModel(messages=iter([wording])))
    result = phrased.chat(None, "laptops under 700 dollars")
    assert result.reply == wording != template
    assert result.model_dump(mode="json")["phrased_by"] == "llm"
    assert conversations.turns[-1].reply == wording  # the transcript shows what was said


def test_an_invented_price_keeps_the_template_reply() -> None:
    template, title, _ = template_turn("laptops under 700 dollars")
    wording = f"My top pick is the {title}, today only $1.00."
    phrased, conversations = assistant(GenericFakeChatModel(messages=iter([wording])))
    result = phrased.chat(None, "laptops under 700 dollars")
    assert result.reply == template
    assert "phrased_by" not in result.model_dump(mode="json")
    assert conversations.turns[-1].reply == template


def test_order_turns_are_never_sent_to_the_model() -> None:
    recorder = Recorder()
    model = GenericFakeChatModel(messages=iter(["Your order has shipped."]), callbacks=[recorder])
    classifier = FakeIntentClassifier(default="order_status")
    phrased, _ = assistant(model, classifier)
    result = phrased.chat(None, "where is my order 10234?")
    assert result.intent == "order_status"
    assert recorder.calls == []
    assert "phrased_by" not in result.model_dump(mode="json")


def test_turn_phraser_needs_intents() -> None:
    model = GenericFakeChatModel(messages=iter([]))
    with pytest.raises(ValueError, match="intent"):
        TurnPhraser(LLMPhraser(model, ReplyValidator()), CatalogRetriever([]), intents=())


def test_a_streaming_caller_phrases_the_finished_turn_itself() -> None:
    template, title, price = template_turn("laptops under 700 dollars")
    wording = f"My top pick under $700.00 is the {title}. It costs {price}."
    recorder = Recorder()
    model = GenericFakeChatModel(messages=iter([wording]), callbacks=[recorder])
    phrased, _ = assistant(model)
    result = phrased.chat(None, "laptops under 700 dollars", phrase=False)
    assert result.reply == template and recorder.calls == []  # not phrased twice
    stream = phrased_turns(model).stream_result(result)
    pieces = list(stream)
    assert len(pieces) == 2 and "".join(pieces) == wording
    assert (stream.text, stream.phrased_by, stream.replaced) == (wording, "llm", False)


def test_a_stream_that_fails_falls_back_to_the_template() -> None:
    template, title, _ = template_turn("laptops under 700 dollars")
    plain, _ = assistant(None)
    result = plain.chat(None, "laptops under 700 dollars")
    early = phrased_turns(GenericFakeChatModel(messages=iter(["Only $1.00 today!"])))
    stream = early.stream_result(result)
    assert list(stream) == [template]  # nothing sent yet: the template is streamed instead
    assert (stream.text, stream.phrased_by, stream.replaced) == (template, "template", False)
    late = phrased_turns(
        GenericFakeChatModel(messages=iter([f"I like the {title}. It is only $1.00 today."]))
    )
    stream = late.stream_result(result)
    assert list(stream) == [f"I like the {title}. "]
    assert (stream.text, stream.phrased_by, stream.replaced) == (template, "template", True)


def test_turns_that_are_not_phrased_stream_their_template() -> None:
    classifier = FakeIntentClassifier(default="order_status")
    plain, _ = assistant(None, classifier)
    result = plain.chat(None, "where is my order 10234?")
    stream = phrased_turns(GenericFakeChatModel(messages=iter([]))).stream_result(result)
    assert list(stream) == [result.reply] and stream.phrased_by == "template"


def phrased_turns(model: GenericFakeChatModel) -> TurnPhraser:
    validator = ReplyValidator(sorted({p.brand for p in CATALOG}))
    return TurnPhraser(LLMPhraser(model, validator), CatalogRetriever(CATALOG))
