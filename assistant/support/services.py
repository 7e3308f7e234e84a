"""The customer service desk's components, built lazily from the settings and the store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from functools import cached_property
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from assistant.config import Settings
from assistant.support.console import ReturnsBook, StaffConsole
from assistant.support.desk import SupportDesk
from assistant.support.handoff import HandoffDesk, TranscriptReader
from assistant.support.policies import PolicyLibrary, PolicySyncReport
from assistant.support.policy_docs import load_policies
from assistant.support.staff_auth import StaffAuth
from assistant.support.turn_hook import SupportTurns
from assistant.support.types import SupportHandler
from db.handoffs import HandoffRepository
from db.staff import StaffRepository
from retrieval.embedder import Embedder
from retrieval.vector_store import ChromaVectorIndex


class SupportServices:
    """Policies, handoffs, staff accounts and the desk, one instance per process.

    ``orders`` builds the orders desk (a :class:`SupportHandler`) when first needed,
    ``is_refund_question`` tells refund-status questions apart from refund-policy ones, and
    ``returns`` gives the return requests staff decide on.

    Example:
        >>> support = SupportServices(settings, session_factory, embedder, conversations)
        >>> support.policies.sync().embedded  # 0 when the documents did not change
        0
    """

    def __init__(
        self,
        settings: Settings,
        session_factory: sessionmaker[Session],
        embedder: Embedder,
        transcripts: TranscriptReader,
        *,
        orders: Callable[[], SupportHandler | None] = lambda: None,
        is_refund_question: Callable[[str], bool] | None = None,
        returns: Callable[[], ReturnsBook | None] = lambda: None,
    ) -> None:
        self.settings = settings
        self._session_factory = session_factory
        self._embedder = embedder
        self._transcripts = transcripts
        self._orders = orders
        self._is_refund_question = is_refund_question
        self._returns = returns

    @cached_property
    def handoffs(self) -> HandoffRepository:
        return HandoffRepository(self._session_factory)

    @cached_property
    def staff(self) -> StaffRepository:
        return StaffRepository(self._session_factory)

    @cached_property
    def staff_auth(self) -> StaffAuth:
        ttl = timedelta(minutes=self.settings.staff_token_ttl_minutes)
        return StaffAuth(self.staff, token_ttl=ttl)

    @cached_property
    def policy_index(self) -> ChromaVectorIndex:
        s = self.settings
        if s.chroma_host:
            return ChromaVectorIndex(
                collection=s.policy_collection, host=s.chroma_host, port=s.chroma_port
            )
        return ChromaVectorIndex(collection=s.policy_collection, path=Path(s.chroma_path))

    @cached_property
    def policies(self) -> PolicyLibrary:
        """The policy passages; the collection is synced on the first question (or ``sync``)."""
        return PolicyLibrary(
            load_policies(self.settings.policies_path),
            self._embedder,
            self.policy_index,
            min_score=self.settings.policy_min_score,
        )

    def sync_policies(self) -> PolicySyncReport:
        """Embed new or edited passages and drop removed ones (cheap when nothing changed)."""
        return self.policies.sync()

    @cached_property
    def desk(self) -> SupportDesk:
        return SupportDesk(
            self.policies,
            HandoffDesk(self.handoffs, self._transcripts),
            orders=self._orders(),
            is_refund_question=self._is_refund_question,
            general_min_score=self.settings.policy_fallback_min_score,
        )

    @cached_property
    def console(self) -> StaffConsole:
        """The staff side: handoff queue with transcripts, replies, return decisions."""
        return StaffConsole(self.handoffs, self._transcripts, self._returns())

    @cached_property
    def turns(self) -> SupportTurns:
        return SupportTurns(self.desk, fallback_min_score=self.settings.policy_fallback_min_score)
