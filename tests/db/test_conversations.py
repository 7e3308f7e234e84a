"""ConversationRepository: sessions, turns with impressions, durability."""

from __future__ import annotations

import threading
from datetime import UTC

import pytest
from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.conversations import ConversationRepository
from db.errors import NotFoundError
from db.models import ImpressionRow
from db.records import NewTurn, ShownProduct
from db.session import create_db_engine, make_session_factory, migrate
from retrieval.catalog.product import Product

pytestmark = pytest.mark.unit


def new_turn(session_id: str, message: str = "hp laptop", **overrides: object) -> NewTurn:
    fields: dict[str, object] = {
        "session_id": session_id,
        "user_message": message,
        "reply": f"Results for {message}",
        "intent": "search",
        "filters": {"brands": ["HP"], "price_max": "800"},
        "state": {"last_query": message},
        "query": message,
        "products": [],
    }
    fields.update(overrides)
    return NewTurn.model_validate(fields)


def test_create_and_get_session(conversations: ConversationRepository) -> None:
    created = conversations.create_session({"category": "laptop"})
    assert len(created.id) == 36
    assert created.created_at.tzinfo == UTC
    fetched = conversations.get_session(created.id)
    assert fetched == created
    assert fetched is not None and fetched.state == {"category": "laptop"}
    assert conversations.get_session("no-such-session") is None
    assert conversations.create_session().state == {}


def test_create_session_rejects_non_json_state(conversations: ConversationRepository) -> None:
    with pytest.raises(ValidationError):
        conversations.create_session({"when": object()})


def test_turn_round_trip_with_impressions(
    conversations: ConversationRepository, catalog: list[Product]
) -> None:
    chat = conversations.create_session()
    shown = [
        ShownProduct(product_id="p2", position=2, score=0.5),
        ShownProduct(product_id="p1", position=1, score=0.9),
    ]
    recorded = conversations.record_turn(
        new_turn(chat.id, products=shown, latency_ms=12.5, state={"step": 1})
    )
    assert recorded.turn_number == 1
    assert [s.product_id for s in recorded.products] == ["p1", "p2"]
    [stored] = conversations.list_turns(chat.id)
    assert stored == recorded
    assert stored.filters == {"brands": ["HP"], "price_max": "800"}
    assert stored.latency_ms == 12.5
    session = conversations.get_session(chat.id)
    assert session is not None
    assert session.state == {"step": 1}
    assert session.updated_at >= chat.updated_at


def test_impressions_carry_query_position_and_source(
    conversations: ConversationRepository,
    catalog: list[Product],
    session_factory: sessionmaker[Session],
) -> None:
    chat = conversations.create_session()
    shown = [ShownProduct(product_id="p3", position=1, score=0.7)]
    conversations.record_turn(
        new_turn(chat.id, "toner", products=shown, query="xerox toner", source="simulated")
    )
    with session_factory() as session:
        row = session.scalars(select(ImpressionRow)).one()
    assert (row.product_id, row.position, row.query, row.source) == (
        "p3",
        1,
        "xerox toner",
        "simulated",
    )
    assert row.session_id == chat.id


def test_turns_are_numbered_per_session_and_do_not_mix(
    conversations: ConversationRepository, catalog: list[Product]
) -> None:
    first = conversations.create_session()
    second = conversations.create_session()
    for i in range(3):
        conversations.record_turn(new_turn(first.id, f"first {i}"))
        shown = [ShownProduct(product_id="p1", position=1, score=float(i))]
        conversations.record_turn(new_turn(second.id, f"second {i}", products=shown))
    first_turns = conversations.list_turns(first.id)
    second_turns = conversations.list_turns(second.id)
    assert [t.turn_number for t in first_turns] == [1, 2, 3]
    assert [t.user_message for t in first_turns] == ["first 0", "first 1", "first 2"]
    assert all(t.products == [] for t in first_turns)
    assert [t.turn_number for t in second_turns] == [1, 2, 3]
    assert [t.products[0].score for t in second_turns] == [0.0, 1.0, 2.0]


def test_set_turn_reply_changes_only_that_turn(conversations: ConversationRepository) -> None:
    session = conversations.create_session()
    first = conversations.record_turn(new_turn(session.id, "first"))
    second = conversations.record_turn(new_turn(session.id, "second"))
    conversations.set_turn_reply(second.id, "Two HP laptops fit.")
    turns = conversations.list_turns(session.id)
    assert [t.reply for t in turns] == [first.reply, "Two HP laptops fit."]
    assert turns[1].user_message == "second"


def test_set_turn_reply_unknown_turn(conversations: ConversationRepository) -> None:
    with pytest.raises(NotFoundError) as caught:
        conversations.set_turn_reply(987654, "text")
    assert caught.value.entity == "turn"


def test_concurrent_turns_get_distinct_numbers(
    conversations: ConversationRepository,
) -> None:
    chat = conversations.create_session()
    errors: list[BaseException] = []

    def talk(worker: int) -> None:
        try:
            for i in range(5):
                conversations.record_turn(new_turn(chat.id, f"w{worker} m{i}"))
        except BaseException as e:  # reported to the main thread
            errors.append(e)

    threads = [threading.Thread(target=talk, args=(w,)) for w in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert [t.turn_number for t in conversations.list_turns(chat.id)] == list(range(1, 21))


def test_record_turn_unknown_session_stores_nothing(
    conversations: ConversationRepository,
) -> None:
    with pytest.raises(NotFoundError) as info:
        conversations.record_turn(new_turn("no-such-session"))
    assert info.value.entity == "session"


def test_record_turn_unknown_product_rolls_back(
    conversations: ConversationRepository, catalog: list[Product]
) -> None:
    chat = conversations.create_session({"step": 0})
    shown = [ShownProduct(product_id="ghost", position=1, score=1.0)]
    with pytest.raises(NotFoundError) as info:
        conversations.record_turn(new_turn(chat.id, products=shown, state={"step": 1}))
    assert info.value.entity == "product"
    assert conversations.list_turns(chat.id) == []
    session = conversations.get_session(chat.id)
    assert session is not None and session.state == {"step": 0}


def test_list_turns_unknown_session(conversations: ConversationRepository) -> None:
    with pytest.raises(NotFoundError):
        conversations.list_turns("no-such-session")


def test_new_turn_rejects_duplicate_positions() -> None:
    with pytest.raises(ValidationError):
        new_turn(
            "s",
            products=[
                ShownProduct(product_id="a", position=1, score=1.0),
                ShownProduct(product_id="b", position=1, score=0.5),
            ],
        )


def test_injection_looking_strings_are_stored_verbatim(
    conversations: ConversationRepository,
) -> None:
    nasty = "'; DROP TABLE turns; --"
    chat = conversations.create_session({"note": nasty})
    conversations.record_turn(new_turn(chat.id, nasty, reply=nasty + '"', intent=nasty[:20]))
    [turn] = conversations.list_turns(chat.id)
    assert (turn.user_message, turn.reply, turn.intent) == (nasty, nasty + '"', nasty[:20])
    session = conversations.get_session(chat.id)
    assert session is not None and session.state == {"last_query": nasty}


def test_acknowledged_turn_survives_reopening(db_url: str) -> None:
    engine = create_db_engine(db_url)
    migrate(engine)
    writer = ConversationRepository(make_session_factory(engine))
    chat = writer.create_session()
    recorded = writer.record_turn(new_turn(chat.id, "remember me"))
    engine.dispose()

    reopened = create_db_engine(db_url)
    try:
        migrate(reopened)
        reader = ConversationRepository(make_session_factory(reopened))
        assert reader.list_turns(chat.id) == [recorded]
    finally:
        reopened.dispose()
