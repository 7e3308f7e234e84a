"""Feature parity: a logged impression's training features equal the serving features.

Serving side: what the CTR ranker builds before a turn is stored (SQL history via
SqlHistoryReader, index vectors, the embedded query, real retrieval candidates).
Training side: the same turn read back from the logs by ranking.dataset.
"""

from __future__ import annotations

import numpy as np
import pytest

from ranking.dataset import load_training_rows
from ranking.encoders import FeatureEncoders
from ranking.features import FeatureBuilder, RankInputs, apply_popularity
from ranking.history import SqlHistoryReader, serving_inputs
from ranking.models import BatchTensors
from ranking.train import fit_popularity
from tests.ranking.ctr_logs import write_synthetic_logs

pytestmark = pytest.mark.integration


def _serving_inputs(services, session_id: str, query: str, cands) -> RankInputs:
    history = SqlHistoryReader(services.conversations).history(session_id)
    query_vector = services.embedder.embed([query])[0]
    return serving_inputs(query_vector, list(cands), history, services.dense_index)


def test_training_features_equal_serving_features(services) -> None:
    served: dict[tuple[str, int], RankInputs] = {}
    turn_counter: dict[str, int] = {}

    def before_turn(session_id: str, query: str, cands) -> None:
        turn_counter[session_id] = turn_counter.get(session_id, 0) + 1
        inputs = _serving_inputs(services, session_id, query, cands)
        served[(session_id, turn_counter[session_id])] = inputs

    sessions = write_synthetic_logs(services, sessions=6, seed=3, before_turn=before_turn)
    rows = load_training_rows(services, "simulated")
    everything = np.arange(len(rows))
    popularity = fit_popularity(rows, everything)
    apply_popularity(rows.raw, popularity)
    encoders = FeatureEncoders.fit(rows.raw, min_brand_count=1)
    offline = BatchTensors(encoders.encode(rows.raw, np.ones(len(rows), dtype=np.int64)))
    offline_batch = encoders.encode(rows.raw, np.ones(len(rows), dtype=np.int64))
    builder = FeatureBuilder(encoders)
    number_of = {
        t.id: t.turn_number for sid in sessions for t in services.conversations.list_turns(sid)
    }
    checked_with_history = checked_with_skips = 0
    for turn_id in sorted(set(rows.turn_ids)):
        at = np.flatnonzero(np.asarray(rows.turn_ids) == turn_id)
        inputs = served[(rows.sessions[at[0]], number_of[turn_id])]
        online_batch = builder.build(inputs, popularity, positions=None)
        online = BatchTensors(online_batch).all()
        offline_rows = offline.rows(at)
        np.testing.assert_allclose(offline_batch.numeric[at], online_batch.numeric, atol=1e-5)
        np.testing.assert_array_equal(offline_batch.categorical[at], online_batch.categorical)
        for name in ("query_index", "candidate_index", "history_index"):
            np.testing.assert_allclose(
                offline_rows.vectors[getattr(offline_rows, name)].numpy(),
                online.vectors[getattr(online, name)].numpy(),
                atol=1e-6,
            )
        assert offline_rows.history_mask.tolist() == online.history_mask.tolist()
        for name, values in online_batch.reasons.items():
            np.testing.assert_allclose(offline_batch.reasons[name][at], values, atol=1e-6)
        checked_with_history += bool(inputs.history.items)
        checked_with_skips += bool(inputs.history.skipped())
    # The comparison covered turns with a session history and with skipped products.
    assert checked_with_history > 0 and checked_with_skips > 0
