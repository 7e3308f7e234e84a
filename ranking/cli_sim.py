"""``shopbot simulate`` and ``shopbot experiment``: simulated traffic, the conversion experiment."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ranking.simulate import SessionLog, ShopperSimulator, SimulationReport

if TYPE_CHECKING:
    from assistant.wiring import Services
    from ranking.experiment import ExperimentReport
    from ranking.sim_stats import Estimate

sim_app = typer.Typer(help="Simulated shoppers and the conversion experiment.")

_PROGRESS_EVERY = 100


def _services() -> Services:
    # Imported here: the wiring pulls in torch and Chroma, which `--help` does not need.
    from assistant.config import Settings
    from assistant.wiring import Services

    logging.basicConfig(level=logging.WARNING)
    return Services(Settings())


def _progress(total: int) -> Callable[[SessionLog], None]:
    done = 0

    def tick(_: SessionLog) -> None:
        nonlocal done
        done += 1
        if done % _PROGRESS_EVERY == 0 or done == total:
            typer.echo(f"{done}/{total} sessions", err=True)

    return tick


def format_simulation(report: SimulationReport) -> str:
    """The human summary of a simulation run."""
    return (
        f"sessions {report.sessions}  turns {report.turns}  impressions {report.impressions}  "
        f"clicks {report.clicks}  carts {report.carts}  purchases {report.purchases}\n"
        f"CTR {report.ctr:.4f} (clicks/impressions)  sessions with a click "
        f"{report.session_ctr:.4f}  in {report.seconds:.1f}s ({report.turns_per_second:.1f} "
        "turns/s)"
    )


@sim_app.command()
def simulate(
    sessions: Annotated[int, typer.Option(min=1, max=1_000_000)] = 100,
    seed: Annotated[int, typer.Option(min=0)] = 1,
    start: Annotated[int, typer.Option(min=0, help="Index of the first session.")] = 0,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Simulated shoppers chat with the assistant; their sessions and events go to the store."""
    services = _services()
    simulator = ShopperSimulator.from_services(services)
    report = simulator.run(seed, sessions, start, on_session=_progress(sessions))
    typer.echo(report.model_dump_json(indent=2) if as_json else format_simulation(report))


@sim_app.command()
def experiment(
    sessions: Annotated[int, typer.Option(min=2, max=1_000_000)] = 500,
    seed: Annotated[int, typer.Option(min=0)] = 7,
    store: Annotated[
        Path | None,
        typer.Option(help="SQLite file for the experiment's traffic (default: a temp copy)."),
    ] = None,
    bootstrap: Annotated[int, typer.Option(min=100, max=100_000)] = 2000,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Control (retrieval + DiversifiedRanker) vs treatment (retrieval + CTR re-ranking)."""
    from ranking.experiment import ExperimentError, ctr_treatment, run_experiment

    services = _services()
    try:
        report = run_experiment(
            services,
            ctr_treatment,
            sessions=sessions,
            seed=seed,
            store=store,
            bootstrap=bootstrap,
            on_session=_progress(2 * sessions),
        )
    except ExperimentError as e:
        typer.echo(f"error: {e}", err=True)
        raise typer.Exit(code=2) from e
    if as_json:
        typer.echo(json.dumps(report.model_dump(mode="json"), indent=2))
    else:
        typer.echo(format_experiment(report))


def format_experiment(report: ExperimentReport) -> str:
    """A plain-text table of the report."""
    from ranking.experiment import METRIC_LABELS

    lines = [
        f"{report.sessions} shoppers (seed {report.seed}) through control "
        f"[{report.control_ranker}] and treatment [{report.treatment_ranker}] in "
        f"{report.seconds:.0f}s; traffic in {report.store}",
        f"impressions by ranker: control {report.control_served}, "
        f"treatment {report.treatment_served}",
        f"{'metric':<30}{'control (95% CI)':<26}{'treatment (95% CI)':<26}{'lift (95% CI)':<28}p",
    ]
    for name, c in report.metrics.items():
        lift = (
            f"{c.lift:+.1%} ({c.lift_low:+.1%}, {c.lift_high:+.1%})"
            if c.lift is not None and c.lift_low is not None and c.lift_high is not None
            else "n/a"
        )
        lines.append(
            f"{METRIC_LABELS[name]:<30}{_fmt(c.control):<26}{_fmt(c.treatment):<26}{lift:<28}"
            f"{c.p_value:.2g}"
        )
    lines.append(
        "Intervals: Wilson for per-session proportions, bootstrap over sessions for clicks per "
        "impression; lift CI: paired bootstrap; p: McNemar exact (proportions), paired bootstrap "
        "(clicks per impression)."
    )
    return "\n".join(lines)


def _fmt(e: Estimate) -> str:
    return f"{e.value:.3f} ({e.low:.3f}-{e.high:.3f})"
