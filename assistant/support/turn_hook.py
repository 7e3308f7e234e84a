"""Where the turn pipeline meets the support desk.

A ``support`` turn goes to the desk with the dialogue's support state; its reply, citations and
new support state come back into the dialogue state, and an unresolved answer counts towards
the failed-turns streak. After any other turn the desk's pending offer of a person lapses, and
a clarifying question or fallback right after an unresolved support answer is the second
failure in a row: the conversation is handed to staff.
"""

from __future__ import annotations

from typing import Any, Protocol

from pydantic import BaseModel, ConfigDict, Field

from assistant.dialogue import DialogueState
from assistant.intents.base import IntentPrediction
from assistant.policy import Decision
from assistant.support.types import Source, SupportReply, SupportRequest

DESK_KEY = "desk"
_OFFER_KEYS = ("offered_human", "question")


class SupportService(Protocol):
    def handle(self, request: SupportRequest) -> SupportReply: ...

    def hand_off(
        self, request: SupportRequest, reason: str, before: SupportReply | None = None
    ) -> SupportReply: ...

    def answer_if_sure(self, request: SupportRequest, min_score: float) -> SupportReply | None: ...


class SupportTurn(BaseModel):
    """The reply of a support turn, what it cites, and the dialogue state after it."""

    model_config = ConfigDict(frozen=True)

    reply: str
    state: DialogueState
    sources: list[Source] = Field(default_factory=list)


class SupportTurns:
    """Runs support turns through a :class:`SupportService` and keeps the failure streak.

    Example:
        >>> hook = SupportTurns(support_desk)
        >>> hook.support("how long does delivery take?", decision, prediction, state, sid).sources
        [Source(document='shipping', section='Delivery times', ...)]
    """

    def __init__(self, desk: SupportService, *, fallback_min_score: float = 0.45) -> None:
        if not -1.0 <= fallback_min_score <= 1.0:
            raise ValueError("fallback_min_score is a cosine similarity in [-1, 1]")
        self._desk = desk
        self.fallback_min_score = fallback_min_score

    @staticmethod
    def _request(
        text: str,
        decision: Decision,
        prediction: IntentPrediction,
        state: DialogueState,
        session_id: str,
        customer_id: str | None,
    ) -> SupportRequest:
        return SupportRequest(
            session_id=session_id,
            text=text,
            intent=decision.intent,
            prediction=prediction,
            customer_id=customer_id,
            order_number=state.order_number,
            support_state=state.support_state,
            failed_turns=state.failed_turns,
        )

    def support(
        self,
        text: str,
        decision: Decision,
        prediction: IntentPrediction,
        after: DialogueState,
        session_id: str,
        customer_id: str | None = None,
    ) -> SupportTurn:
        """Answer a ``support`` turn."""
        request = self._request(text, decision, prediction, after, session_id, customer_id)
        reply = self._desk.handle(request)
        state = after.model_copy(
            update={
                "support_state": reply.support_state,
                "order_number": (reply.order_number or after.order_number or None),
                "failed_turns": 0 if reply.resolved else after.failed_turns + 1,
            }
        )
        return SupportTurn(reply=reply.reply, state=state, sources=reply.sources)

    def settle(
        self,
        reply: str,
        state: DialogueState,
        decision: Decision,
        prediction: IntentPrediction,
        text: str,
        session_id: str,
        customer_id: str | None = None,
    ) -> SupportTurn:
        """After a non-support turn: a store question the classifier missed gets its policy
        answer; a second failure in a row is handed over; otherwise the streak resets."""
        failed = decision.action in ("clarify", "fallback") and state.failed_turns > 0
        # A fallback, or a question about products when none were shown, may be a store
        # question the classifier missed ("do you gift wrap?", "when is my card charged?").
        missed = decision.action == "fallback" or (
            decision.action in ("compare", "answer") and not state.shown_ids
        )
        state = state.model_copy(
            update={"support_state": _lapse_offer(state.support_state), "failed_turns": 0}
        )
        request = self._request(text, decision, prediction, state, session_id, customer_id)
        if missed:
            answered = self._desk.answer_if_sure(request, self.fallback_min_score)
            if answered is not None:
                return SupportTurn(reply=answered.reply, state=state, sources=answered.sources)
        if not failed:
            return SupportTurn(reply=reply, state=state)
        handed = self._desk.hand_off(request, "2 unresolved turns in a row")
        return SupportTurn(
            reply=f"{reply} {handed.reply}",
            state=state.model_copy(update={"support_state": handed.support_state}),
        )


def _lapse_offer(support_state: dict[str, Any]) -> dict[str, Any]:
    """The support state without the desk's pending offer of a person (it was not taken up)."""
    desk = {k: v for k, v in (support_state.get(DESK_KEY) or {}).items() if k not in _OFFER_KEYS}
    others = {k: v for k, v in support_state.items() if k != DESK_KEY}
    return {**others, DESK_KEY: desk} if desk else others
