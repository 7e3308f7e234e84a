"""The best AUC any CTR model could reach on simulated logs: the simulator's own click odds.

    python -m benchmarks.ctr_oracle --store DIR [--sessions 300] [--seed 11]

Simulates ``--sessions`` shoppers against a copy of the store's database (retrieval only, the
diversified ranker, as the training logs were made) and scores every impression with the click
model's true probability, ``examination(position) × attractiveness`` (which knows the shopper's
hidden favourite brands, budget and need). Its AUC against the simulated clicks bounds what a
model of the logged features can reach. Figures land in ``benchmarks/results/ctr_oracle.json``.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray
from sklearn.metrics import roc_auc_score

from benchmarks.run import scratch_services, write_figures
from ranking.sim_clicks import ClickDecision, ClickModel, ShownItem
from ranking.sim_profile import ShopperProfile
from ranking.simulate import ShopperSimulator


class RecordingClickModel(ClickModel):
    """The click model, keeping (true click probability, attractiveness, position, clicked)."""

    def __init__(self, base: ClickModel) -> None:
        super().__init__(base.params)
        self.rows: list[tuple[float, float, int, bool]] = []

    def decide(
        self, items: list[ShownItem], profile: ShopperProfile, uniforms: NDArray[np.float64]
    ) -> list[ClickDecision]:
        decisions = super().decide(items, profile, uniforms)
        for d in decisions:
            true = self.examination(d.position) * d.attractiveness
            self.rows.append((true, d.attractiveness, d.position, d.clicked))
        # After a purchase the shopper leaves: the rest of the list is never examined.
        self.rows += [(0.0, 0.0, p, False) for p in range(len(decisions) + 1, len(items) + 1)]
        return decisions


def oracle_auc(store: Path, sessions: int, seed: int) -> dict[str, Any]:
    with scratch_services(store, ranker="diversified") as services:
        simulator = ShopperSimulator.from_services(services)
        recorder = RecordingClickModel(simulator.clicks)
        simulator.clicks = recorder
        simulator.run(seed=seed, sessions=sessions)
    rows = np.array(recorder.rows, dtype=np.float64)
    clicked = rows[:, 3].astype(bool)
    return {
        "oracle_sessions": sessions,
        "oracle_seed": seed,
        "oracle_impressions": len(rows),
        "oracle_clicks": int(clicked.sum()),
        "oracle_auc": float(roc_auc_score(clicked, rows[:, 0])),
        "oracle_attractiveness_auc": float(roc_auc_score(clicked, rows[:, 1])),
        "oracle_position_auc": float(roc_auc_score(clicked, -rows[:, 2])),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, required=True, help="a store folder (var/ copy)")
    parser.add_argument("--sessions", type=int, default=300)
    parser.add_argument("--seed", type=int, default=11)
    args = parser.parse_args(argv)
    write_figures(oracle_auc(args.store, args.sessions, args.seed), "ctr_oracle.json")


if __name__ == "__main__":
    main()
