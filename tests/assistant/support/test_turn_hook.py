"""The turn pipeline's side of the desk: failure streak, lapsing offers, missed store questions."""

from __future__ import annotations

import pytest

from assistant.dialogue import DialogueState
from assistant.intents.base import IntentLabel, IntentPrediction
from assistant.policy import Action, Decision
from assistant.support.turn_hook import SupportTurns
from assistant.support.types import Source, SupportReply, SupportRequest

pytestmark = pytest.mark.unit


class FakeDesk:
    def __init__(self, resolved: bool = True, sure: SupportReply | None = None) -> None:
        self.resolved = resolved
        self.sure = sure
        self.handed: list[str] = []

    def handle(self, request: SupportRequest) -> SupportReply:
        return SupportReply(
            reply="answer", resolved=self.resolved, support_state={"desk": {"offered_human": True}}
        )

    def hand_off(
        self, request: SupportRequest, reason: str, before: SupportReply | None = None
    ) -> SupportReply:
        self.handed.append(reason)
        return SupportReply(reply="Passed to staff.", handoff=True, support_state={"desk": {}})

    def answer_if_sure(self, request: SupportRequest, min_score: float) -> SupportReply | None:
        return self.sure


def _decision(intent: IntentLabel, action: Action) -> Decision:
    return Decision(intent=intent, action=action, label=intent, confidence=0.9)


PREDICTION = IntentPrediction(label="faq", confidence=0.9)


def test_unresolved_support_turn_counts_and_a_resolved_one_resets() -> None:
    hook = SupportTurns(FakeDesk(resolved=False))
    done = hook.support("q", _decision("faq", "support"), PREDICTION, DialogueState(), "s1")
    assert done.state.failed_turns == 1
    ok = SupportTurns(FakeDesk(resolved=True))
    again = ok.support("q", _decision("faq", "support"), PREDICTION, done.state, "s1")
    assert again.state.failed_turns == 0


def test_clarify_right_after_a_failed_support_turn_hands_over() -> None:
    desk = FakeDesk()
    state = DialogueState(failed_turns=1)
    settled = SupportTurns(desk).settle(
        "Did you mean...?", state, _decision("other", "clarify"), PREDICTION, "hmm", "s1"
    )
    assert desk.handed == ["2 unresolved turns in a row"]
    assert settled.reply == "Did you mean...? Passed to staff." and settled.state.failed_turns == 0


def test_a_shopping_turn_resets_the_streak_and_lapses_the_offer() -> None:
    desk = FakeDesk()
    state = DialogueState(
        failed_turns=1,
        support_state={"desk": {"offered_human": True, "handoff_id": 2}, "orders": {"x": 1}},
    )
    settled = SupportTurns(desk).settle(
        "Here are 5 mice.", state, _decision("search", "search"), PREDICTION, "mice", "s1"
    )
    assert desk.handed == [] and settled.reply == "Here are 5 mice."
    assert settled.state.failed_turns == 0
    assert settled.state.support_state == {"desk": {"handoff_id": 2}, "orders": {"x": 1}}


def test_a_fallback_the_policies_answer_confidently_is_answered() -> None:
    source = Source(document="faq", section="Gift wrapping", snippet="We do not gift wrap.")
    sure = SupportReply(reply="From our FAQ: no gift wrap.", sources=[source])
    settled = SupportTurns(FakeDesk(sure=sure)).settle(
        "I'm not sure what you mean.", DialogueState(), _decision("other", "fallback"),
        PREDICTION, "do you gift wrap", "s1",
    )  # fmt: skip
    assert settled.reply == "From our FAQ: no gift wrap." and settled.sources == [source]
    not_sure = SupportTurns(FakeDesk()).settle(
        "I'm not sure.", DialogueState(), _decision("other", "fallback"), PREDICTION, "?", "s1"
    )
    assert not_sure.reply == "I'm not sure." and not_sure.sources == []


def test_fallback_threshold_is_validated() -> None:
    with pytest.raises(ValueError):
        SupportTurns(FakeDesk(), fallback_min_score=2.0)


def test_a_product_question_with_nothing_shown_may_be_a_store_question() -> None:
    source = Source(document="payment", section="When you are charged", snippet="When it ships.")
    sure = SupportReply(reply="From our Payment policy: when it ships.", sources=[source])
    hook = SupportTurns(FakeDesk(sure=sure))
    nothing_shown = hook.settle(
        "I haven't shown you any products yet.", DialogueState(),
        _decision("product_question", "answer"), PREDICTION, "when is my card charged", "s1",
    )  # fmt: skip
    assert nothing_shown.sources == [source]
    with_products = hook.settle(
        "It weighs 1.2 kg.", DialogueState(shown_ids=["p1"]),
        _decision("product_question", "answer"), PREDICTION, "how heavy is it", "s1",
    )  # fmt: skip
    assert with_products.reply == "It weighs 1.2 kg." and with_products.sources == []
