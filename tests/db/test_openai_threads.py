"""OpenAIThreadRepository and thread_digest: resent histories find their session."""

from __future__ import annotations

import pytest
from sqlalchemy import delete
from sqlalchemy.orm import Session, sessionmaker

from db.conversations import ConversationRepository
from db.errors import NotFoundError
from db.models import ChatSessionRow
from db.openai_threads import OpenAIThreadRepository, thread_digest

pytestmark = pytest.mark.unit

HISTORY = [("user", "laptops"), ("assistant", "Here are 5 laptops.")]


@pytest.fixture
def threads(session_factory: sessionmaker[Session]) -> OpenAIThreadRepository:
    return OpenAIThreadRepository(session_factory)


def test_digest_is_stable_and_scoped_to_key_user_and_every_message() -> None:
    base = thread_digest(HISTORY)
    assert base == thread_digest(list(HISTORY)) and len(base) == 64
    others = {
        thread_digest(HISTORY, api_key_id=1),
        thread_digest(HISTORY, user="alice"),
        thread_digest([("user", "laptops"), ("assistant", "Here are 5 laptops!")]),
        thread_digest([("system", "laptops"), ("assistant", "Here are 5 laptops.")]),
        thread_digest(HISTORY[:1]),
    }
    assert base not in others and len(others) == 5


def test_digest_does_not_confuse_message_boundaries() -> None:
    assert thread_digest([("user", "a b")]) != thread_digest([("user", "a"), ("user", "b")])


def test_remember_then_find(
    threads: OpenAIThreadRepository, conversations: ConversationRepository
) -> None:
    session = conversations.create_session()
    digest = thread_digest(HISTORY)
    assert threads.find(digest) is None
    threads.remember(digest, session.id)
    assert threads.find(digest) == session.id


def test_a_known_digest_keeps_its_first_session(
    threads: OpenAIThreadRepository, conversations: ConversationRepository
) -> None:
    first, second = conversations.create_session(), conversations.create_session()
    digest = thread_digest(HISTORY)
    threads.remember(digest, first.id)
    threads.remember(digest, second.id)
    assert threads.find(digest) == first.id


def test_unknown_session_is_refused(threads: OpenAIThreadRepository) -> None:
    with pytest.raises(NotFoundError):
        threads.remember(thread_digest(HISTORY), "no-such-session")
    assert threads.find(thread_digest(HISTORY)) is None


def test_deleting_the_session_forgets_its_threads(
    threads: OpenAIThreadRepository,
    conversations: ConversationRepository,
    session_factory: sessionmaker[Session],
) -> None:
    session = conversations.create_session()
    threads.remember(thread_digest(HISTORY), session.id)
    with session_factory.begin() as db:
        db.execute(delete(ChatSessionRow).where(ChatSessionRow.id == session.id))
    assert threads.find(thread_digest(HISTORY)) is None
