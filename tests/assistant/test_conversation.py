"""Whole conversations through the real pipeline (BERT + Chroma + SQLite) on a catalog slice."""

from decimal import Decimal

import pytest

from assistant.errors import InvalidMessageError, UnknownSessionError

pytestmark = pytest.mark.integration


def _story(services, turns):  # type: ignore[no-untyped-def]
    session_id = None
    results = []
    for message in turns:
        result = services.assistant.chat(session_id, message)
        session_id = result.session_id
        results.append(result)
    return results


def test_three_turn_conversation_carries_filters(services) -> None:  # type: ignore[no-untyped-def]
    first, second, third = _story(services, ["I need a laptop", "under $1000", "only HP"])
    assert first.intent == "search" and first.filters.category == "laptop"
    assert all(p.category == "laptop" for p in first.products) and first.products

    assert second.intent == "refine"
    assert second.filters.price_max == Decimal("1000.00")
    assert all(p.price <= 1000 for p in second.products)

    assert third.intent == "refine"
    assert (third.filters.category, third.filters.brands) == ("laptop", ["HP"])
    assert third.products and all(p.brand == "HP" and p.price <= 1000 for p in third.products)
    assert "within your $1,000.00 budget" in third.products[0].reason

    turns = services.conversations.list_turns(first.session_id)
    assert [t.turn_number for t in turns] == [1, 2, 3]
    assert [p.product_id for p in turns[2].products] == [p.id for p in third.products]


def test_budget_query_answers_with_cheap_laptops(services) -> None:  # type: ignore[no-untyped-def]
    (result,) = _story(services, ["thin and light laptop under 800 dollars"])
    assert result.products
    assert all(p.category == "laptop" and p.price <= 800 for p in result.products)
    assert "under $800.00" in result.reply


def test_impossible_filters_say_so(services) -> None:  # type: ignore[no-untyped-def]
    (result,) = _story(services, ["laptop under $1"])
    assert result.products == []
    assert "couldn't find" in result.reply


def test_show_more_returns_new_products(services) -> None:  # type: ignore[no-untyped-def]
    first, more = _story(services, ["toner cartridge", "show more"])
    assert more.intent == "refine"
    assert not {p.id for p in first.products} & {p.id for p in more.products}


def test_greeting_and_support_do_not_search(services) -> None:  # type: ignore[no-untyped-def]
    hello, support = _story(services, ["hi", "how do I return my order?"])
    assert hello.intent == "greeting" and hello.products == []
    assert support.intent == "other" and "support" in support.reply


def test_bad_input(services) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InvalidMessageError):
        services.assistant.chat(None, "   ")
    with pytest.raises(UnknownSessionError):
        services.assistant.chat("no-such-session", "laptop")
