"""OpenAI-style conversations mapped to assistant sessions (``openai_threads``).

OpenAI clients are stateless: every request resends the whole history. After answering, the
API stores the digest of the history *including* the reply it sent; the client's next request
resends exactly that history plus a new user message, so the digest of everything before that
message finds the session again.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from db.column_types import utcnow
from db.errors import ConstraintViolationError, NotFoundError
from db.models import ChatSessionRow, OpenAIThreadRow
from db.transactions import check_session_factory, read_scope, write_scope


def thread_digest(
    messages: Iterable[tuple[str, str]], api_key_id: int | None = None, user: str | None = None
) -> str:
    """sha256 hex of the (role, content) pairs, scoped to the API key and the end ``user``.

    Example:
        >>> a = thread_digest([("user", "laptops"), ("assistant", "Here are 5 laptops.")])
        >>> a == thread_digest([("user", "laptops"), ("assistant", "Here are 5 laptops.")], 1)
        False
    """
    canonical = json.dumps(
        {"key": api_key_id, "user": user, "messages": [[role, text] for role, text in messages]},
        ensure_ascii=False,
        separators=(",", ":"),
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


class OpenAIThreadRepository:
    """Finds the session a resent history continues, and remembers new ones.

    Example:
        >>> threads = OpenAIThreadRepository(make_session_factory(engine))
        >>> threads.remember(digest, session.id)
        >>> threads.find(digest) == session.id
        True
    """

    def __init__(self, session_factory: sessionmaker[Session]) -> None:
        self._sessions = check_session_factory(session_factory)

    def find(self, digest: str) -> str | None:
        """The session id stored for ``digest``, or None."""
        with read_scope(self._sessions) as session:
            return session.scalar(
                select(OpenAIThreadRow.session_id).where(OpenAIThreadRow.digest == digest)
            )

    def remember(self, digest: str, session_id: str) -> None:
        """Map ``digest`` to ``session_id`` (a digest seen before keeps its first session).

        Raises:
            NotFoundError: Unknown session.
        """
        row = OpenAIThreadRow(digest=digest, session_id=session_id, created_at=utcnow())
        try:
            with write_scope(self._sessions) as session:
                if session.get(ChatSessionRow, session_id) is None:
                    raise NotFoundError("session", session_id)
                if session.get(OpenAIThreadRow, digest) is None:
                    session.add(row)
        except ConstraintViolationError:
            # The same history answered twice at once: the first mapping wins.
            return
