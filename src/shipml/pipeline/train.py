"""Pipeline: `train`, the flow from a spec to a tracked, registered champion, on one screen."""

from __future__ import annotations

import dataclasses
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

from shipml.core.enums import SUSPECT_FLAGS, ColumnFlag, SplitKind
from shipml.core.protocols import NullProgress, NullTracker, Progress, Tracker
from shipml.decision import DecisionOutcome, fit_decision_policy
from shipml.evaluation import (
    HoldoutReport,
    Leaderboard,
    Selection,
    evaluate_holdout,
    select_champion,
)
from shipml.framing import ProblemFrame, probe_leakage
from shipml.framing.metrics import DEFINITIONS, MetricDef
from shipml.pipeline.budget import DATA_STAGE, SEARCH_STAGE, Stopwatch
from shipml.pipeline.decide import champion_oof
from shipml.pipeline.frames import spec_with_frames
from shipml.pipeline.persist import write_bundle_files
from shipml.pipeline.prepare import frame_data, prepare_data
from shipml.pipeline.profile import shape_warnings
from shipml.pipeline.promotion import comparer
from shipml.pipeline.report import build_report, held_out_rows
from shipml.pipeline.result import TrainingResult
from shipml.pipeline.search import search_ladder
from shipml.pipeline.verdicts import not_champion, test_shift
from shipml.registry.bundle import new_bundle_key, write_bundle
from shipml.registry.doctor import doctor
from shipml.registry.register import Registered, register_bundle
from shipml.registry.tracking import MlflowTracker
from shipml.spec.load import LoadedSpec
from shipml.tasks import task_kind
from shipml.tasks.sections import task_section


def train(
    spec: LoadedSpec | str | Path | dict[str, Any],
    *,
    train: pd.DataFrame | None = None,
    test: pd.DataFrame | None = None,
    progress: Progress | None = None,
    track: bool = True,
    started: float | None = None,
) -> TrainingResult:
    """Train, evaluate, persist and (when `track`) log and register a model from a spec.

    `spec` is a YAML path, a dict or a loaded spec; `train` and `test` (DataFrames) take the
    place of its `data.train` and `data.test`, as a DataFrame inside a dict spec does (each is
    stored once as Parquet under the shipml home: `pipeline/frames.py`). `track=False` trains
    and writes the bundle without MLflow: nothing is logged or registered. A time budget counts
    from `started` (a `time.monotonic()` value: the CLI passes its launch), else from now."""
    watch = Stopwatch(None, started=started)
    loaded = spec_with_frames(spec, train, test)
    s, progress = loaded.spec, progress or NullProgress()
    watch.budget_s = s.constraints.time_budget_s
    watch.lap("start and spec")

    progress.note("Loading and checking the data")
    data = prepare_data(loaded)
    frame = frame_data(loaded, data)
    leaks = [f for f in probe_leakage(frame) if f.column not in s.features.keep_suspects]
    frame = frame.without(
        {
            f.column: f"leakage suspect: {f.reason} (keep with features.keep_suspects)"
            for f in leaks
        },
        "excluded_feature",
        ColumnFlag.LEAKAGE,
    )
    watch.lap(DATA_STAGE)

    run_name = f"train-{time.strftime('%Y%m%d-%H%M%S')}"
    tracker: Tracker = MlflowTracker(s.name, run_name) if track else NullTracker()
    try:
        deadline = watch.search_deadline(report=s.explain.enabled)
        search = search_ladder(s, frame, tracker, progress, deadline)
        watch.lap(SEARCH_STAGE)
        metric = DEFINITIONS[frame.primary]
        selection = select_champion(search.rows, metric, strict=s.constraints.strict)
        champion = search.refits[selection.champion]
        progress.note("Calibrating and choosing the decision policy")
        decision = fit_decision_policy(
            champion_oof(frame, search.tuned, selection.champion),
            task=frame.task,
            classes=frame.classes,
            decision=s.decision,
            seed=s.seed,
            time_ordered=frame.strategy is SplitKind.TIME,
            primary=frame.primary,
            stop_below=getattr(task_section(s, task_kind(frame.task)), "stop_below", 0.0),
        )
        model = dataclasses.replace(champion.model, policy=decision.policy)
        board = {r.family: r for r in search.rows}
        base = search.refits.get("baseline")
        holdout = evaluate_holdout(
            model,
            base.model if base else None,
            frame,
            train_score=champion.train_score,
            cv_score=board[selection.champion].cv_mean,
            baseline_cv=board["baseline"].cv_mean if "baseline" in board else float("nan"),
        )

        gate = not_champion(holdout)
        watch.lap("decision and test evaluation")
        shift = test_shift(frame, s.monitoring.drift.psi_alert)
        warnings = (
            data.warnings + tuple(shape_warnings(data, frame)) + _suspect_warnings(frame)
            + selection.warnings + decision.warnings
            + shift.warnings() + ((f"{gate}; it is registered as @challenger",) if gate else ())
        )  # fmt: skip
        written: dict[str, Any] = {}

        def fill(folder: Path) -> None:
            written["manifest"] = write_bundle_files(
                folder, loaded=loaded, data=data, frame=frame, champion=model, rows=search.rows,
                oofs={c.family.name: c.outcome.oof for c in search.tuned}, selection=selection,
                holdout=holdout, decision=decision, warnings=warnings,
            )  # fmt: skip
            if s.explain.enabled:
                progress.note("Explaining the champion and writing the report")
                test = held_out_rows(data, frame, model, s)
                path = build_report(folder, spec=loaded, test=test)
                written["report"] = path.relative_to(folder)

        key = tracker.run_id if isinstance(tracker, MlflowTracker) else new_bundle_key()
        bundle_dir = write_bundle(s.name, key, fill)
        watch.lap("bundle and report")
        manifest = written["manifest"]
        report = bundle_dir / written["report"] if "report" in written else None
        registered = run_id = None
        if isinstance(tracker, MlflowTracker):
            progress.note("Registering the model")
            doctor(s.name, fix=True)  # what interrupted writes left behind, before adding to it
            registered = _register(
                tracker, s.name, bundle_dir, holdout, selection, metric, decision, gate
            )
            run_id = tracker.run_id
            watch.lap("registration")
    except BaseException:
        if isinstance(tracker, MlflowTracker):
            tracker.finish("FAILED")
        raise
    return TrainingResult(
        name=s.name, task=str(frame.task), primary_metric=str(frame.primary),
        model=model, leaderboard=Leaderboard(search.rows), selection=selection, holdout=holdout,
        decision=decision, choices=frame.choices, profile=data.profile,
        warnings=warnings + ((over,) if (over := watch.overrun()) else ()),
        bundle_dir=bundle_dir, report=report,
        manifest=manifest, registered=registered, run_id=run_id,
        seconds=watch.elapsed, stages=dict(watch.stages),
    )  # fmt: skip


def _register(
    tracker: MlflowTracker,
    name: str,
    bundle_dir: Path,
    holdout: HoldoutReport,
    selection: Selection,
    metric: MetricDef,
    decision: DecisionOutcome,
    gate: str | None,
) -> Registered:
    """Log the run's summary and evaluation files, then register the bundle as a version
    (@challenger, not @champion, when `gate` says why it may not be the champion)."""
    policy = decision.policy
    tracker.log_run(
        params={
            "champion": selection.champion,
            "primary_metric": str(metric.metric),
            "decision_rule": policy.rule,
            "calibration": policy.summary.get("calibration", "none"),
            "threshold": policy.threshold,
        },
        metrics={"cv_score": holdout.cv_score, "test_score": holdout.test_score},
        tags={"shipml.diagnosis": holdout.diagnosis[:250], "shipml.bundle": str(bundle_dir)},
    )
    tracker.log_artifacts(bundle_dir / "evaluation", "evaluation")
    if (bundle_dir / "report").is_dir():
        tracker.log_artifacts(bundle_dir / "report", "report")
    registered = register_bundle(
        name, tracker.run_id, bundle_dir, holdout.test_score, metric.greater_is_better,
        not_champion=gate, compare=comparer(name, bundle_dir),
    )  # fmt: skip
    tracker.finish()
    return registered


def _suspect_warnings(frame: ProblemFrame) -> tuple[str, ...]:
    """One visible warning for each suspect column (leakage, identifier, PII, future datetime)
    the model does not use, unless the spec itself left it out: each column once, with the
    reason it was left out (a leakage suspect's reason carries its probe scores)."""
    return tuple(
        f"{c.name} left out: {c.reason}"
        for c in frame.schema.columns
        if not c.required and c.flags & SUSPECT_FLAGS and ColumnFlag.EXCLUDED not in c.flags
    )
