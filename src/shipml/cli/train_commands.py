"""CLI: `profile`, `train` and `predict`, the commands that read data."""

from __future__ import annotations

from contextlib import nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from shipml.cli.console import JsonOpt, QuietOpt, RichProgress, emit_json, err, guarded, out

if TYPE_CHECKING:
    from shipml.pipeline.result import TrainingResult


def register(app: typer.Typer) -> None:
    app.command("profile")(profile)
    app.command("train")(train)
    app.command("predict")(predict)


@guarded
def profile(
    spec: Annotated[Path, typer.Argument(help="The spec file.")],
    out_path: Annotated[Path | None, typer.Option("--out", help="JSON profile path.")] = None,
    as_json: JsonOpt = False,
) -> None:
    """Profile the spec's data: types, missingness, balance, leakage and PII suspects."""
    from shipml.pipeline.profile import profile_spec
    from shipml.registry.home import shipml_home
    from shipml.tasks.load import load_spec

    loaded = load_spec(spec)
    path = out_path or shipml_home() / "profiles" / f"{loaded.spec.name}.json"
    result = profile_spec(loaded, path)
    if as_json:
        emit_json(result.profile)
        return
    out.print(result.text, markup=False)
    err.print(f"profile written to {result.path}")


@guarded
def train(
    spec: Annotated[Path, typer.Argument(help="The spec file.")],
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Train the ladder, select and register the champion; print the leaderboard."""
    from shipml.cli import LAUNCHED
    from shipml.pipeline.train import train as run_training
    from shipml.tasks.load import load_spec

    loaded = load_spec(spec)
    bar = RichProgress() if not (quiet or as_json) else None
    with bar if bar is not None else nullcontext():
        result = run_training(loaded, progress=bar, started=LAUNCHED)
    if as_json:
        emit_json(result.summary())
        return
    if not quiet:
        _print_leaderboard(result)
    _print_outcome(result)


@guarded
def predict(
    source: Annotated[
        str, typer.Argument(help="Spec file, bundle folder or NAME[@alias|/version].")
    ],
    data: Annotated[Path, typer.Argument(help="CSV or Parquet file to score.")],
    out_path: Annotated[Path, typer.Option("--out", "-o", help=".csv or .parquet output.")],
    strict: Annotated[
        bool, typer.Option("--strict", help="Reject categories never seen in training.")
    ] = False,
    chunk_rows: Annotated[int, typer.Option("--chunk-rows", min=1)] = 100_000,
    quiet: QuietOpt = False,
    as_json: JsonOpt = False,
) -> None:
    """Score a file in chunks; write `prediction`, `proba_<label>` and `model_version`."""
    from shipml.batch import predict_file

    bar = RichProgress() if not (quiet or as_json) else None
    with bar if bar is not None else nullcontext():
        summary = predict_file(
            source, data, out_path, chunk_rows=chunk_rows, strict=strict, progress=bar
        )
    if as_json:
        emit_json(vars(summary))
        return
    for column, n in summary.unseen.items():
        err.print(f"warning: {n} values of {column!r} were never seen in training (unknown bucket)")
    err.print(f"scored {summary.rows} rows with version {summary.version} into {summary.out}")


def _print_leaderboard(result: TrainingResult) -> None:
    from rich.table import Table

    secondary = next(iter(result.leaderboard[0].secondary), None)
    table = Table(title=f"Leaderboard: {result.name} ({result.primary_metric}, CV mean ± sd)")
    for name in ("family", result.primary_metric, secondary or "", "p95 ms", "MB", "trials", "s"):
        if name:
            table.add_column(name, justify="left" if name == "family" else "right")
    for row in result.leaderboard:
        mark = " *" if row.family == result.selection.champion else ""
        cells = [row.family + mark, f"{row.cv_mean:.4f} ± {row.cv_std:.4f}"]
        if secondary:
            cells.append(f"{row.secondary[secondary][0]:.4f}")
        cells += [f"{row.latency_p95_ms:.2f}", f"{row.size_mb:.2f}", str(row.n_trials)]
        cells.append(f"{row.tuning_seconds:.1f}")
        table.add_row(*cells, style="bold" if mark else None)
    err.print(table)


def _print_outcome(result: TrainingResult) -> None:
    h, metric = result.holdout, result.primary_metric
    base = h.baseline_metrics.get(metric)
    err.print(f"champion: {result.selection.champion} ({result.selection.reason})")
    vs = f" vs baseline {base:.4f}" if base is not None else ""
    err.print(f"test {metric}: {h.test_score:.4f}{vs}; {h.diagnosis}", markup=False)
    if h.against_baseline is not None:
        err.print(f"verdict: {h.against_baseline.sentence()}", markup=False)
    unused = result.model.schema.unused()
    if unused:
        err.print(f"not used by the model ({len(unused)} of the input columns):", markup=False)
        for u in unused:
            err.print(f"  {u.column}: {u.reason} [{u.reason_code}]", markup=False)
    from shipml.cli.decide_commands import decision_lines

    for line in decision_lines(result.decision.policy.summary, h.decided):
        err.print(line, markup=False)
    for w in result.warnings:
        err.print(f"[yellow]warning:[/] {w}")
    if result.registered is not None:
        r = result.registered
        err.print(f"registered {r.name} version {r.version} as @{r.alias}: {r.alias_reason}")
    if result.report is not None:
        err.print(f"report: {result.report}")
    out.print(str(result.bundle_dir), markup=False)
