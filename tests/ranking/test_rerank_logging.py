"""Serving signals reach the impression log through a real chat turn."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def test_impressions_carry_retrieval_signals_and_the_ranker(services) -> None:  # type: ignore[no-untyped-def]
    result = services.assistant.chat(None, "usb cable")
    assert result.products
    (turn,) = services.conversations.list_turns(result.session_id)
    assert [p.product_id for p in turn.products] == [c.id for c in result.products]
    for shown in turn.products:
        assert shown.ranker == "diversified"  # no CTR model trained in this store
        assert {"retrieval_score", "retrieval_rank"} <= set(shown.signals)
        assert shown.signals["retrieval_rank"] >= 1
        found_by = {name for name in ("dense", "lexical") if f"{name}_rank" in shown.signals}
        assert found_by, shown.signals
        for name in found_by:
            assert shown.signals[f"{name}_rank"] >= 1 and f"{name}_score" in shown.signals
    both = [s for s in turn.products if {"dense_rank", "lexical_rank"} <= set(s.signals)]
    assert both  # hybrid retrieval: the top results were found by both retrievers


def test_a_turn_embeds_its_text_once(services) -> None:  # type: ignore[no-untyped-def]
    real = services.embedder
    texts: list[str] = []

    class Counting:
        dimension = real.dimension

        def embed(self, batch, progress=None):  # type: ignore[no-untyped-def]
            texts.extend(batch)
            return real.embed(batch, progress)

    services.__dict__["embedder"] = Counting()  # before the cached query embedder is built
    services.assistant.chat(None, "wireless mouse")
    assert texts.count("wireless mouse") == 1  # intent classifier and dense retrieval share it
    services.assistant.chat(None, "wireless mouse")
    assert texts.count("wireless mouse") == 1


def test_settings_choose_the_ranker(settings, embedder) -> None:  # type: ignore[no-untyped-def]
    from assistant.wiring import Services
    from ranking.ctr_ranker import CtrRanker
    from ranking.rerank import DiversifiedRanker

    default = Services(settings)
    default.__dict__["embedder"] = embedder
    assert isinstance(default.ranker, CtrRanker)
    assert default.ctr_models.current() is None  # no model trained: cold start
    default.close()
    off = Services(settings.model_copy(update={"ranker": "diversified"}))
    assert isinstance(off.ranker, DiversifiedRanker)
    off.close()
