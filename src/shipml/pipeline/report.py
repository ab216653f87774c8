"""Pipeline: `build_report`, the report stage: re-read the spec's data exactly as training did,
explain the frozen champion on the test rows, and write one self-contained `report.html`.

The same spec and data with the same seed give the same split; the data fingerprint and the
test row ids are checked against the bundle so the report never explains other rows.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from shipml.core.enums import Metric
from shipml.core.errors import ArtifactError, DataContractError, ShipmlError
from shipml.explain import explain_model, render_report
from shipml.explain.report import ReportFacts
from shipml.framing import SuspectColumn, frame_problem
from shipml.framing.problem import ProblemFrame
from shipml.pipeline.prepare import PreparedData, prepare_data
from shipml.registry.bundle import LoadedBundle, load_bundle
from shipml.runtime.inference import InferenceModel
from shipml.spec.load import LoadedSpec
from shipml.spec.model import ModelSpec
from shipml.tasks import task_kind
from shipml.tasks.load import load_spec

REPORT_DIR, REPORT_FILE = "report", "report.html"
_RUN_ID = re.compile(r"^[0-9a-f]{32}$")


@dataclass(frozen=True, slots=True)
class HeldOutRows:
    columns: dict[str, np.ndarray]  # the model's inputs and the sensitive columns, test rows only
    y: np.ndarray
    weights: np.ndarray | None
    class_rows: list[int] | None = None  # training rows per class: which classes to explain


def build_report(
    bundle_dir: Path,
    *,
    out: Path | None = None,
    spec: LoadedSpec | str | Path | None = None,
    test: HeldOutRows | None = None,
) -> Path:
    """Write the report of the bundle at `bundle_dir` to `out` (default: its `report/` folder).

    `spec` is where the data is read from; by default the bundle's own copy of the spec, with
    relative data paths read from the manifest's `spec_dir` or else the current folder. `train`
    passes the `test` rows it holds (`held_out_rows`), so nothing is read twice.
    """
    bundle = load_bundle(Path(bundle_dir))
    loaded = _spec_for(bundle, spec)
    s = loaded.spec
    test = test if test is not None else read_test_rows(loaded, bundle)
    explanation = explain_model(
        bundle.model, test.columns, test.y, test.weights,
        metric=Metric(bundle.manifest.primary_metric),
        explain=s.explain, fairness=s.fairness, seed=s.seed, class_rows=test.class_rows,
    )  # fmt: skip
    html = render_report(report_facts(bundle, loaded), explanation)
    path = Path(out) if out is not None else bundle.folder / REPORT_DIR / REPORT_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


def report_for(source: str, *, out: Path | None = None, spec: str | Path | None = None) -> Path:
    """The report of a bundle folder, a spec (its @champion), NAME[@alias|/version] or an MLflow
    run id (its `shipml.bundle` tag)."""
    path = Path(source)
    if path.is_dir():
        return build_report(path, out=out, spec=spec)
    if path.suffix in (".yaml", ".yml") and path.is_file():
        from shipml.registry.loading import load_model

        return build_report(load_model(path).bundle.folder, out=out, spec=spec or path)
    if _RUN_ID.match(source):
        return build_report(_bundle_of_run(source), out=out, spec=spec)
    from shipml.registry.loading import load_model

    return build_report(load_model(source).bundle.folder, out=out, spec=spec)


def read_test_rows(loaded: LoadedSpec, bundle: LoadedBundle) -> HeldOutRows:
    """The test rows of the bundle's training run, re-read and re-split from the spec."""
    s, manifest = loaded.spec, bundle.manifest
    try:
        data = prepare_data(loaded)
    except DataContractError as exc:
        raise DataContractError(
            f"the training data cannot be re-read for the report: {exc.detail}",
            where=exc.where,
            fix="pass the spec that trained the model (`shipml report MODEL --spec SPEC`)",
        ) from None
    if data.fingerprint != manifest.data_fingerprint:
        raise ArtifactError(
            f"the data of spec {s.name!r} differs from the data the model was trained on "
            "(data fingerprints do not match)",
            where=s.data.train,
            fix="report on the data as it was at training time, or retrain the model",
        )
    suspects = [SuspectColumn(x.column, x.kind, x.reason) for x in data.profile.suspects]
    frame = frame_problem(
        s, data.table, data.typing.types, data.typing.reasons,
        suspects=suspects, test_mask=data.test_mask,
    )  # fmt: skip
    _check_rows(bundle, frame.test_rows)
    return held_out_rows(data, frame, bundle.model, s)


def held_out_rows(
    data: PreparedData, frame: ProblemFrame, model: InferenceModel, spec: ModelSpec
) -> HeldOutRows:
    """The test rows' model inputs and sensitive columns, labels and weights."""
    rows = frame.test_rows
    table = data.table.loc[data.table[spec.the_target.column].notna()].reset_index(drop=True)
    wanted = [*model.preprocessor.input_columns, *spec.fairness.sensitive]
    columns = {c: table[c].to_numpy()[rows] for c in dict.fromkeys(wanted) if c in table}
    class_rows = None
    if task_kind(frame.task).label_sets:  # positive training rows per label
        class_rows = frame.y[frame.train_rows].astype(np.int64).sum(axis=0).tolist()
    elif task_kind(frame.task).has_classes:
        train_y = frame.y[frame.train_rows].astype(np.int64)
        class_rows = np.bincount(train_y, minlength=len(frame.classes)).tolist()
    return HeldOutRows(columns, frame.y[rows], frame.weights(rows), class_rows)


def _check_rows(bundle: LoadedBundle, rows: np.ndarray) -> None:
    stored = bundle.evaluation_file("test_predictions.parquet")
    if not stored.is_file():
        return
    ids = pd.read_parquet(stored, columns=["row_id"])["row_id"].to_numpy()
    if not np.array_equal(np.sort(ids), np.sort(rows)):
        raise ArtifactError(
            "the test rows re-derived from the spec differ from the bundle's test rows",
            where="validation",
            fix="use the spec (split, seed) that trained the model",
        )


def _spec_for(bundle: LoadedBundle, spec: LoadedSpec | str | Path | None) -> LoadedSpec:
    if isinstance(spec, LoadedSpec):
        return spec
    if spec is not None:
        return load_spec(spec)
    copy = bundle.evaluation_file("spec.yaml")
    if not copy.is_file():
        raise ArtifactError(f"the bundle {bundle.folder} holds no spec.yaml", fix="retrain it")
    base = bundle.manifest.spec_dir
    return load_spec(copy, base_dir=Path(base) if base else Path.cwd())


def report_facts(bundle: LoadedBundle, loaded: LoadedSpec) -> ReportFacts:
    """The run facts the report shows, read from the bundle's files."""

    def read_json(name: str, default: Any) -> Any:
        path = bundle.evaluation_file(name)
        return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else default

    def read_parquet(name: str) -> pd.DataFrame | None:
        path = bundle.evaluation_file(name)
        return pd.read_parquet(path) if path.is_file() else None

    return ReportFacts(
        spec=loaded.spec,
        model=bundle.model,
        manifest=bundle.manifest,
        evaluation=read_json("evaluation.json", {}),
        leaderboard=read_json("leaderboard.json", []),
        choices=read_json("choices.json", []),
        profile=read_json("profile.json", {}),
        decision=read_json("decision.json", None),
        oof=read_parquet("oof.parquet"),
        test_predictions=read_parquet("test_predictions.parquet"),
        bundle_name=f"{bundle.manifest.name}/{bundle.folder.name}",
        has_reference=bundle.evaluation_file("reference.json").is_file(),
    )


def _bundle_of_run(run_id: str) -> Path:
    from shipml.registry.home import configure_mlflow

    configure_mlflow()
    from mlflow.exceptions import MlflowException
    from mlflow.tracking import MlflowClient

    try:
        run = MlflowClient().get_run(run_id)
    except MlflowException:
        raise ShipmlError(f"no MLflow run {run_id}", where="RUN_OR_MODEL") from None
    folder = run.data.tags.get("shipml.bundle")
    if not folder or not Path(folder).is_dir():
        raise ArtifactError(
            f"run {run_id} records no bundle folder on this machine (tag shipml.bundle)",
            where="RUN_OR_MODEL",
            fix="name the model instead: NAME@champion or NAME/VERSION",
        )
    return Path(folder)
