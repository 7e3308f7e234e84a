"""The state of a multi-turn order conversation (return walk-through, cancel) and its parsing.

The state lives in the dialogue state under ``support_state["orders"]`` as JSON, so every
step survives restarts. The parsing reads the shopper's answers: a choice from a numbered list
("the first one", "2", "the printer"), a reason ("it stopped working"), yes / no.

Example:
    >>> flow = ReturnFlow(flow="return", step="item", choices=[Choice(key="1", label="HP ...",
    ...                   words=["hp", "printer"]), Choice(key="2", label="Xerox toner", ...)])
    >>> pick_choice("the printer please", flow.choices)
    '1'
    >>> answers_pending("the printer please", {"orders": flow.model_dump()})
    True
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from assistant.intents.base import IntentLabel
from assistant.order_numbers import extract_order_number
from db.order_records import ReturnReason

STATE_KEY = "orders"
Step = Literal["order", "item", "reason", "opened"]
FlowKind = Literal["return", "cancel", "status"]

_ORDINALS = {
    "first": 1, "1st": 1, "one": 1, "second": 2, "2nd": 2, "two": 2, "third": 3, "3rd": 3,
    "three": 3, "fourth": 4, "4th": 4, "four": 4, "fifth": 5, "5th": 5, "five": 5,
}  # fmt: skip
_LAST = re.compile(r"\b(?:last|latest|most recent|newest)\b", re.I)
_NUMBER = re.compile(r"(?<![\w.])(\d{1,2})(?![\w.])")
_WORD = re.compile(r"[a-z0-9]+")
_STOP = frozenset(
    "the a an my it its one item please this that of for and with to i want return is".split()
)
_REASONS: tuple[tuple[ReturnReason, re.Pattern[str]], ...] = (
    ("wrong_item", re.compile(
        r"\bwrong\b|not what i ordered|didn'?t order|did not order|different (?:model|item|product"
        r"|colou?r)|sent me (?:a|the) ", re.I)),
    ("damaged", re.compile(
        r"\bdamaged?\b|arrived broken|broken (?:on|when) (?:arrival|delivered)|\bcracked\b"
        r"|\bsmashed\b|\bdented\b|\bcrushed\b", re.I)),
    ("defective", re.compile(
        r"\bdefect(?:ive)?\b|\bfaulty\b|doesn'?t work|does not work|not working|stopped working"
        r"|won'?t (?:turn|switch|power|start|print|charge)|\bbroken\b|\bdead\b|malfunction"
        r"|\bbroke\b", re.I)),
    ("changed_mind", re.compile(
        r"chang(?:ed|e) (?:my|of) mind|don'?t (?:want|need|like)|do not (?:want|need|like)"
        r"|no longer (?:want|need)|not (?:needed|what i expected)|didn'?t like|too (?:big|small"
        r"|slow|heavy|loud)|found (?:it )?cheaper|better price|\bunwanted\b|\bchanged mind\b",
        re.I)),
)  # fmt: skip
_NO = re.compile(
    r"\b(?:no|nope|not opened|unopened|never opened|still sealed|sealed|haven'?t opened"
    r"|have not opened|not yet)\b",
    re.I,
)
_YES = re.compile(r"\b(?:yes|yeah|yep|yup|opened|i opened|it'?s open|already open)\b", re.I)
_ABANDON = re.compile(
    r"\b(?:never ?mind|forget (?:it|about it)|stop|abort|don'?t want to return"
    r"|no longer want to return|keep it)\b",
    re.I,
)


class Choice(BaseModel):
    """One option of the list the shopper was shown (an order or an order line)."""

    model_config = ConfigDict(frozen=True)

    key: Annotated[str, Field(max_length=40)]
    label: Annotated[str, Field(max_length=300)]
    words: list[Annotated[str, Field(max_length=40)]] = Field(default_factory=list, max_length=40)


class ReturnFlow(BaseModel):
    """Where a multi-turn order conversation stands (``flow`` None: nothing pending).

    Example:
        >>> ReturnFlow(flow="return", step="reason", order_number="10234", line_number=1)
    """

    model_config = ConfigDict(frozen=True, extra="ignore")

    flow: FlowKind | None = None
    step: Step | None = None
    order_number: Annotated[str, Field(max_length=16)] | None = None
    line_number: Annotated[int, Field(ge=1)] | None = None
    reason: ReturnReason | None = None
    opened: bool | None = None
    # The request as first worded ("return the printer"): names the item once the order is known.
    item_hint: Annotated[str, Field(max_length=300)] = ""
    choices: list[Choice] = Field(default_factory=list, max_length=20)

    @classmethod
    def from_state(cls, support_state: dict[str, Any]) -> ReturnFlow:
        """The flow kept in the support state; an invalid one starts fresh."""
        try:
            return cls.model_validate(support_state.get(STATE_KEY) or {})
        except ValidationError:
            return cls()

    def to_state(self) -> dict[str, Any]:
        """The support-state part to keep (empty when nothing is pending)."""
        if self.flow is None:
            return {}
        return {STATE_KEY: self.model_dump(mode="json")}

    @property
    def pending(self) -> bool:
        return self.flow is not None and self.step is not None


def title_words(*texts: str) -> list[str]:
    """Distinctive lower-case words of an item (title, category) used to match "the printer"."""
    words: list[str] = []
    for text in texts:
        for word in _WORD.findall(text.lower().replace("-", " ")):
            if len(word) >= 2 and word not in _STOP and not word.isdigit() and word not in words:
                words.append(word)
    return words[:40]


def _position(text: str, count: int) -> int | None:
    lowered = text.lower()
    if _LAST.search(lowered) and count:
        return count if "last" in lowered and "most recent" not in lowered else 1
    for word in _WORD.findall(lowered):
        if word in _ORDINALS:
            return _ORDINALS[word]
    numbers = [int(n) for n in _NUMBER.findall(lowered)]
    return numbers[0] if len(numbers) == 1 else None


def pick_choice(text: str, choices: list[Choice], *, by_position: bool = True) -> str | None:
    """The key of the choice the shopper named: by key, by its words, or by position."""
    if not choices:
        return None
    lowered = text.lower()
    for choice in choices:
        if len(choice.key) > 2 and re.search(
            rf"(?<!\d){re.escape(choice.key.lower())}(?!\d)", lowered
        ):
            return choice.key
    said = set(_WORD.findall(lowered.replace("-", " "))) - _STOP
    scores = [(len(said & set(c.words)), c.key) for c in choices]
    best = max(score for score, _ in scores)
    winners = [key for score, key in scores if score == best]
    if best > 0 and len(winners) == 1:
        return winners[0]
    position = _position(text, len(choices)) if by_position else None
    if position is not None and 1 <= position <= len(choices):
        return choices[position - 1].key
    return None


def extract_reason(text: str) -> ReturnReason | None:
    """Why the item goes back, if the message says so."""
    for reason, pattern in _REASONS:
        if pattern.search(text):
            return reason
    return None


def extract_yes_no(text: str) -> bool | None:
    """True for yes/opened, False for no/unopened, None when neither is said."""
    if _NO.search(text):
        return False
    if _YES.search(text):
        return True
    return None


def wants_to_abandon(text: str) -> bool:
    return bool(_ABANDON.search(text))


def answers_pending(text: str, support_state: dict[str, Any]) -> bool:
    """Whether ``text`` answers the question a pending order flow asked (so the turn continues it).

    Used by the turn policy: a reply like "the printer" or "it's broken" would otherwise be
    read as a product search.
    """
    flow = ReturnFlow.from_state(support_state)
    if not flow.pending:
        return False
    if wants_to_abandon(text):
        return True
    if flow.step == "order":
        return (
            extract_order_number(text)[0] is not None or pick_choice(text, flow.choices) is not None
        )
    if flow.step == "item":
        return pick_choice(text, flow.choices) is not None or extract_reason(text) is not None
    if flow.step == "reason":
        return extract_reason(text) is not None
    return extract_yes_no(text) is not None


FLOW_INTENTS: dict[str, IntentLabel] = {
    "return": "return_request",
    "cancel": "cancel_order",
    "status": "order_status",
}
_ORDER_INTENTS = frozenset(FLOW_INTENTS.values())
_SHORT_ANSWER_WORDS = 4


def continuing_intent(
    text: str, support_state: dict[str, Any], label: IntentLabel
) -> IntentLabel | None:
    """The intent of the pending order flow when ``text`` answers its question, else None.

    The classifier's label wins when it asks for a person, or names another order intent in
    more than a short answer ("order 10236" continues a return; "where is my order 10237?"
    is a status question).
    """
    if label == "human_agent" or not answers_pending(text, support_state):
        return None
    flow = ReturnFlow.from_state(support_state)
    intent = FLOW_INTENTS[flow.flow or "return"]
    if label in _ORDER_INTENTS and label != intent and len(text.split()) > _SHORT_ANSWER_WORDS:
        return None
    return intent
