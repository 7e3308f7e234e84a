"""The hook the assistant calls after a turn: phrase its reply with the model, or keep it."""

from __future__ import annotations

import logging
from collections.abc import Collection, Iterator, Sequence
from typing import TYPE_CHECKING

from assistant.compare import ComparisonTable
from assistant.phrasing.errors import PhrasingError
from assistant.phrasing.facts import ProductLookup, phrasing_input
from assistant.phrasing.phraser import LLMPhraser
from assistant.phrasing.types import PhrasedBy, Phrasing, PhrasingInput
from assistant.replies import ProductCard
from assistant.support.types import Source
from assistant.turns import TurnOutcome
from retrieval.filters import SearchFilters

if TYPE_CHECKING:
    from assistant.service import ChatResult

log = logging.getLogger(__name__)

# Turns whose reply only restates catalog and policy facts. Order status, returns,
# cancellations and handoffs keep their exact template wording (order numbers, dates and
# next steps the shopper must follow).
PHRASED_INTENTS: frozenset[str] = frozenset(
    {"search", "refine", "compare", "product_question", "return_policy", "faq", "greeting"}
)


class TurnPhraser:
    """Phrases the replies of the intents in ``intents`` with an :class:`LLMPhraser`.

    Example:
        >>> phraser = TurnPhraser(LLMPhraser(model, ReplyValidator(brands)), repository)
        >>> phraser.phrase_turn("search", outcome, session_id="s1").phrased_by
        'llm'
    """

    def __init__(
        self,
        phraser: LLMPhraser,
        products: ProductLookup,
        *,
        intents: Collection[str] = PHRASED_INTENTS,
    ) -> None:
        if not intents:
            raise ValueError("at least one intent must be phrased")
        self.phraser = phraser
        self._products = products
        self.intents = frozenset(intents)

    def input_for(
        self,
        intent: str,
        filters: SearchFilters,
        reply: str,
        *,
        cards: Sequence[ProductCard] = (),
        sources: Sequence[Source] = (),
        comparison: ComparisonTable | None = None,
    ) -> PhrasingInput | None:
        """The model's view of a turn, or None when this intent keeps its template reply.

        Also what a streaming endpoint needs: build it from a ``ChatResult`` (``intent``,
        ``filters``, ``reply``, ``products``, ``sources``, ``comparison``) and pass it to
        :meth:`LLMPhraser.stream`.
        """
        if intent not in self.intents or not reply.strip():
            return None
        return phrasing_input(
            intent, filters, reply, self._products,
            cards=cards, sources=sources, comparison=comparison,
        )  # fmt: skip

    def phrase_turn(
        self, intent: str, outcome: TurnOutcome, session_id: str | None = None
    ) -> Phrasing:
        """The reply to show for ``outcome``: the model's when it is faithful, else the template."""
        facts = self.input_for(
            intent,
            outcome.state.filters,
            outcome.reply,
            cards=outcome.cards,
            sources=outcome.sources,
            comparison=outcome.comparison,
        )
        if facts is None:
            return Phrasing(text=outcome.reply, phrased_by="template", fallback_reason="intent")
        phrasing = self.phraser.phrase(facts)
        if phrasing.phrased_by == "template":
            # The template text itself, not the neutralised copy the model saw.
            phrasing = phrasing.model_copy(update={"text": outcome.reply})
        log.info(
            "phrasing session=%s intent=%s by=%s ms=%.1f reason=%s",
            session_id or "-", intent, phrasing.phrased_by, phrasing.ms,
            phrasing.fallback_reason or "-",
        )  # fmt: skip
        return phrasing

    def stream_result(self, result: ChatResult) -> PhrasedStream:
        """Stream the wording of a finished turn (``assistant.chat(..., phrase=False)``).

        Iterate the returned :class:`PhrasedStream` for the reply's pieces; afterwards its
        ``text`` and ``phrased_by`` are the reply to send in the final ``done`` event.
        """
        facts = self.input_for(
            result.intent,
            result.filters,
            result.reply,
            cards=result.products,
            sources=result.sources,
            comparison=result.comparison,
        )
        return PhrasedStream(
            self.phraser if facts else None, facts, result.reply, result.session_id
        )


class PhrasedStream:
    """The pieces of a streamed reply, with the template reply as the fallback.

    Iterating yields validated pieces of the model's reply. If the model fails or states an
    unsupported claim before anything was yielded, the template reply is yielded instead. If
    it fails later, iteration stops; ``replaced`` is then True: the pieces already sent were
    faithful but are superseded by ``text`` (the template), which the client should show.

    Example:
        >>> stream = turn_phraser.stream_result(assistant.chat(None, "laptops", phrase=False))
        >>> "".join(stream) == stream.text or stream.replaced
        True
    """

    def __init__(
        self,
        phraser: LLMPhraser | None,
        facts: PhrasingInput | None,
        template: str,
        session_id: str | None = None,
    ) -> None:
        self._phraser = phraser
        self._facts = facts
        self.template = template
        self.session_id = session_id
        self.text = template
        self.phrased_by: PhrasedBy = "template"
        self.replaced = False
        self.fallback_reason = ""

    def __iter__(self) -> Iterator[str]:
        if self._phraser is None or self._facts is None:
            yield self.template
            return
        sent: list[str] = []
        try:
            for piece in self._phraser.stream(self._facts):
                sent.append(piece)
                yield piece
        except PhrasingError as e:
            self.fallback_reason = f"{type(e).__name__}: {e}"
            log.info(
                "phrasing session=%s by=template streamed=%d reason=%s",
                self.session_id or "-", len(sent), self.fallback_reason,
            )  # fmt: skip
            if not sent:
                yield self.template
            self.replaced = bool(sent)
            return
        self.text, self.phrased_by = "".join(sent), "llm"
        log.info("phrasing session=%s by=llm streamed=%d", self.session_id or "-", len(sent))
