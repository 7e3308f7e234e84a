"""The support desk: routes a support turn by intent and hands conversations over to staff.

* ``return_policy`` and ``faq`` → a policy answer quoting the passage, with its citation; below
  the relevance threshold an honest "I don't know" and an offer of a person.
* ``order_status``, ``return_request``, ``cancel_order`` and refund-status questions → the
  orders desk (:class:`~assistant.support.orders_desk.OrderDesk`).
* ``human_agent``, a "yes" to the offer of a person, a follow-up on a low-confidence answer, or
  two unresolved turns in a row → a handoff (one open per session) with a summary for staff.

The desk keeps its own state under ``support_state["desk"]``; the rest of ``support_state``
belongs to the orders desk and is passed through untouched.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from assistant.support.handoff import HandoffDesk, is_affirmative, is_negative
from assistant.support.policies import PolicyAnswer, PolicyLibrary
from assistant.support.return_flow import STATE_KEY as ORDERS_STATE_KEY
from assistant.support.types import SupportHandler, SupportReply, SupportRequest

log = logging.getLogger(__name__)

ORDER_INTENTS = frozenset({"order_status", "return_request", "cancel_order"})
POLICY_INTENTS = frozenset({"return_policy", "faq"})
DESK_KEY = "desk"
MAX_FAILED_TURNS = 2

DONT_KNOW_REPLY = (
    "I'm sorry, I couldn't find that in our store policies, and I'd rather not guess. "
    "Would you like me to pass your question to a person on our team? "
    "Say “yes” and a team member will reply here in this chat."
)
DECLINED_REPLY = (
    "All right. If you change your mind, just ask for a person. "
    "Is there anything else I can help you with?"
)
NO_ORDERS_REPLY = (
    "I can't look up orders in this chat. Say “talk to a person” and our customer service "
    "team will take it from here."
)


def policy_reply(answer: PolicyAnswer) -> str:
    """The quoted answer: which policy and section, then the passage's relevant sentences."""
    source = answer.source
    assert source is not None
    return f"From our {source.title} policy ({source.section}): “{source.snippet}”"


def handoff_reply(handoff_id: int, created: bool) -> str:
    if created:
        return (
            f"I've passed your conversation to our customer service team (case #{handoff_id}). "
            "A team member will reply right here in this chat, usually within one business "
            "day (Monday to Friday, 9:00–18:00 Eastern Time)."
        )
    return (
        f"Your conversation is already with our customer service team (case #{handoff_id}); "
        "a team member will reply right here in this chat."
    )


def _lead_in(before: SupportReply | None) -> str:
    """What the failed answer said, kept before the handoff notice (not a repeated offer)."""
    if before is None:
        return ""
    if before.reply == DONT_KNOW_REPLY:
        return "I'm sorry, I couldn't find an answer to that in our store policies. "
    return before.reply + " "


class SupportDesk:
    """One support turn: policy answers, orders, and handoffs to staff.

    Example:
        >>> desk = SupportDesk(library, HandoffDesk(handoffs, conversations), orders=order_desk)
        >>> reply = desk.handle(request)  # "how long does delivery take?"
        >>> reply.sources[0].document, reply.sources[0].section
        ('shipping', 'Delivery times')
    """

    def __init__(
        self,
        policies: PolicyLibrary,
        handoffs: HandoffDesk,
        *,
        orders: SupportHandler | None = None,
        is_refund_question: Callable[[str], bool] | None = None,
        general_min_score: float | None = None,
    ) -> None:
        self.general_min_score = general_min_score
        self._policies = policies
        self._handoffs = handoffs
        self._orders = orders
        self._is_refund_question = is_refund_question or (lambda _: False)

    def handle(self, request: SupportRequest) -> SupportReply:
        desk = dict(request.support_state.get(DESK_KEY) or {})
        offered = bool(desk.get("offered_human"))
        if offered and is_affirmative(request.text):
            return self.hand_off(request, "the shopper accepted the offer of a person")
        if request.intent == "human_agent":
            return self.hand_off(request, "the shopper asked for a person")
        if offered and is_negative(request.text):
            return self._reply(request, DECLINED_REPLY, desk={})
        if request.intent in ORDER_INTENTS or (
            request.intent in POLICY_INTENTS and self._is_refund_question(request.text)
        ):
            reply = self._ask_orders(request)
            if reply.handoff:
                return self.hand_off(request, reply.handoff_reason or "the orders desk", reply)
            reply = self._with_general_answer(request, reply)
        elif request.intent in POLICY_INTENTS:
            reply = self._answer_policy(request, offered)
        else:
            reply = self._reply(request, DONT_KNOW_REPLY, desk={"offered_human": True}, ok=False)
        if (
            not reply.handoff
            and not reply.resolved
            and request.failed_turns + 1 >= MAX_FAILED_TURNS
        ):
            return self.hand_off(request, f"{MAX_FAILED_TURNS} unresolved turns in a row", reply)
        return reply

    def hand_off(
        self, request: SupportRequest, reason: str, before: SupportReply | None = None
    ) -> SupportReply:
        """Flag the conversation for staff (or find its open handoff) and say so."""
        handoff, created = self._handoffs.hand_off(request, reason)
        log.info(
            "handoff session=%s handoff=%d created=%s reason=%s",
            request.session_id, handoff.id, created, reason,
        )  # fmt: skip
        text = handoff_reply(handoff.id, created)
        state = dict(before.support_state if before else self._others(request))
        state[DESK_KEY] = {"handoff_id": handoff.id}
        return SupportReply(
            reply=_lead_in(before) + text,
            sources=before.sources if before else [],
            support_state=state,
            order_number=before.order_number if before else request.order_number,
            handoff=True,
            handoff_reason=reason,
            resolved=True,
        )

    def answer_if_sure(self, request: SupportRequest, min_score: float) -> SupportReply | None:
        """A policy answer for a turn the classifier did not read as support ("do you gift
        wrap?" labelled ``other``), only when a passage clears the stricter ``min_score``."""
        answer = self._policies.answer(request.text)
        best = answer.best
        if best is None or best.score < min_score or answer.source is None:
            return None
        return self._reply(request, policy_reply(answer), desk={}, sources=[answer.source])

    def _with_general_answer(self, request: SupportRequest, reply: SupportReply) -> SupportReply:
        """An order question about no order in particular ("how long does delivery take?",
        "how do I track my package?") also gets the policy passage that answers it in general,
        when one clears the stricter fallback threshold; the orders desk's own reply (sign in,
        which order?) follows. Not inside a return walk-through, nor once an order is named."""
        if (
            self.general_min_score is None
            or request.order_number
            or reply.order_number
            or request.support_state.get(ORDERS_STATE_KEY)
        ):
            return reply
        general = self.answer_if_sure(request, self.general_min_score)
        if general is None:
            return reply
        return reply.model_copy(
            update={"reply": f"{general.reply} {reply.reply}", "sources": general.sources}
        )

    def _answer_policy(self, request: SupportRequest, offered: bool) -> SupportReply:
        answer = self._policies.answer(request.text)
        if answer.confident and answer.source is not None:
            return self._reply(request, policy_reply(answer), desk={}, sources=[answer.source])
        if offered:
            # The shopper follows up on an answer we were not sure of: a person takes over.
            return self.hand_off(request, "a low-confidence policy answer was followed up")
        desk = {"offered_human": True, "question": request.text[:500]}
        return self._reply(request, DONT_KNOW_REPLY, desk=desk, ok=False)

    def _ask_orders(self, request: SupportRequest) -> SupportReply:
        if self._orders is None:
            return self._reply(request, NO_ORDERS_REPLY, desk={}, ok=False)
        desk_state = request.support_state.get(DESK_KEY) or {}
        reply = self._orders.handle(
            request.model_copy(update={"support_state": self._others(request)})
        )
        state = {
            **reply.support_state,
            DESK_KEY: {k: v for k, v in desk_state.items() if k == "handoff_id"},
        }
        return reply.model_copy(update={"support_state": state})

    @staticmethod
    def _others(request: SupportRequest) -> dict[str, Any]:
        return {k: v for k, v in request.support_state.items() if k != DESK_KEY}

    def _reply(
        self,
        request: SupportRequest,
        text: str,
        *,
        desk: dict[str, Any],
        ok: bool = True,
        sources: list[Any] | None = None,
    ) -> SupportReply:
        return SupportReply(
            reply=text,
            sources=sources or [],
            support_state={**self._others(request), DESK_KEY: desk},
            order_number=request.order_number,
            resolved=ok,
        )
