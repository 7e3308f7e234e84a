"""ConversationRepository events: validation of every reference."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from db.conversations import ConversationRepository
from db.errors import InvalidReferenceError, NotFoundError
from db.records import NewEvent, NewTurn, ShownProduct
from retrieval.catalog.product import Product

pytestmark = pytest.mark.unit


def _turn(conversations: ConversationRepository, session_id: str) -> int:
    shown = [ShownProduct(product_id="p1", position=1, score=1.0)]
    turn = NewTurn(
        session_id=session_id, user_message="hi", reply="hello", intent="search", products=shown
    )
    return conversations.record_turn(turn).id


def test_record_and_list_events(
    conversations: ConversationRepository, catalog: list[Product]
) -> None:
    chat = conversations.create_session()
    turn_id = _turn(conversations, chat.id)
    click = conversations.record_event(
        NewEvent(session_id=chat.id, product_id="p1", type="click", turn_id=turn_id)
    )
    purchase = conversations.record_event(
        NewEvent(session_id=chat.id, product_id="p2", type="purchase", source="simulated")
    )
    assert (click.type, click.turn_id, click.source) == ("click", turn_id, "live")
    assert (purchase.turn_id, purchase.source) == (None, "simulated")
    assert conversations.list_events(chat.id) == [click, purchase]
    other = conversations.create_session()
    assert conversations.list_events(other.id) == []


@pytest.mark.parametrize(
    ("session_id", "product_id", "turn_id", "entity"),
    [
        ("no-such-session", "p1", None, "session"),
        (None, "ghost", None, "product"),
        (None, "p1", 999_999, "turn"),
    ],
)
def test_record_event_unknown_references(
    conversations: ConversationRepository,
    catalog: list[Product],
    session_id: str | None,
    product_id: str,
    turn_id: int | None,
    entity: str,
) -> None:
    chat = conversations.create_session()
    event = NewEvent(
        session_id=session_id or chat.id, product_id=product_id, type="click", turn_id=turn_id
    )
    with pytest.raises(NotFoundError) as info:
        conversations.record_event(event)
    assert info.value.entity == entity
    assert conversations.list_events(chat.id) == []


def test_record_event_rejects_turn_of_another_session(
    conversations: ConversationRepository, catalog: list[Product]
) -> None:
    mine = conversations.create_session()
    theirs = conversations.create_session()
    their_turn = _turn(conversations, theirs.id)
    with pytest.raises(InvalidReferenceError):
        conversations.record_event(
            NewEvent(session_id=mine.id, product_id="p1", type="add_to_cart", turn_id=their_turn)
        )
    assert conversations.list_events(mine.id) == []


def test_unknown_event_type_is_refused() -> None:
    with pytest.raises(ValidationError):
        NewEvent.model_validate({"session_id": "s", "product_id": "p", "type": "view"})


def test_list_events_unknown_session(conversations: ConversationRepository) -> None:
    with pytest.raises(NotFoundError):
        conversations.list_events("no-such-session")


def test_session_activity_lists_events_and_impressions_with_product_facts(
    conversations: ConversationRepository, catalog: list[Product]
) -> None:
    chat = conversations.create_session()
    shown = [ShownProduct(product_id=p, position=i, score=1.0)
             for i, p in enumerate(["p2", "p1"], 1)]  # fmt: skip
    first = conversations.record_turn(
        NewTurn(session_id=chat.id, user_message="a", reply="b", intent="search", products=shown)
    ).id
    conversations.record_event(NewEvent(session_id=chat.id, product_id="p1", type="click",
                                        turn_id=first))  # fmt: skip
    second = [ShownProduct(product_id="p3", position=1, score=1.0)]
    conversations.record_turn(
        NewTurn(session_id=chat.id, user_message="c", reply="d", intent="search", products=second)
    )
    conversations.record_event(NewEvent(session_id=chat.id, product_id="p3", type="purchase"))
    facts = {p.id: (p.brand, p.category, p.price) for p in catalog}

    activity = conversations.session_activity(chat.id)

    assert activity.events == [
        ("p1", *facts["p1"], "click"),
        ("p3", *facts["p3"], "purchase"),
    ]
    assert activity.shown == [
        ("p2", facts["p2"][0], facts["p2"][2], 1),
        ("p1", facts["p1"][0], facts["p1"][2], 2),
        ("p3", facts["p3"][0], facts["p3"][2], 1),
    ]
    assert conversations.session_activity("unknown") == ([], [])
