"""ONNX exports decide as the server does, on real rows (issue 11).

A binary churn model (telco_churn) is trained with Platt calibration and a recall target; its
policy is refit isotonic on the stored out-of-fold scores; a multiclass model (diamonds_cut) is
decided by argmax and by a cost matrix. Each export is run in ONNX Runtime on at least 1,000
real rows and compared with what the FastAPI app answers for the same rows (the server's own
engine and policy): every decision equal, calibrated probabilities within 1e-4. A random forest
with a datetime column is refused with both reasons.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

import shipml
from shipml.cli import app
from shipml.core.enums import ColumnType, Task
from shipml.core.errors import ShipmlError
from shipml.decision import fit_decision_policy
from shipml.pipeline.decide import stored_oof
from shipml.runtime import InputColumn, InputSchema, PreprocessConfig, fit_preprocessor
from shipml.runtime.engines import onnx_session
from shipml.runtime.estimators import SkopsEstimator
from shipml.runtime.inference import InferenceModel
from shipml.runtime.onnx_export import export_onnx, onnx_inputs
from shipml.runtime.policy import DecisionPolicy
from shipml.spec.model import Decision
from tests.unit.serve.conftest import client_for, snapshot_of

from .conftest import SHARED_DATA, write_spec

runner = CliRunner()
CHURN = "onnx-churn"
QUIET = {"explain": {"enabled": False}, "validation": {"folds": 3}}


@pytest.fixture(scope="module")
def churn_rows() -> pd.DataFrame:
    return pd.read_parquet(SHARED_DATA / "telco_churn.parquet")


@pytest.fixture(scope="module")
def churn(
    home: Path, tmp_path_factory: pytest.TempPathFactory, churn_rows: pd.DataFrame
) -> shipml.TrainingResult:
    """Trained on 2,500 rows, tracked and registered (the CLI exports it by name)."""
    return shipml.train(
        write_spec(
            tmp_path_factory.mktemp("churn"),
            churn_rows.sample(2500, random_state=0),
            name=CHURN,
            target={"column": "churn", "positive": "Yes"},
            models={"ladder": ["lightgbm"]},
            constraints={"n_trials": 2},
            decision={"calibration": "sigmoid", "recall_target": 0.8},
            **QUIET,
        )
    )


@pytest.fixture(scope="module")
def diamonds(home: Path, tmp_path_factory: pytest.TempPathFactory) -> shipml.TrainingResult:
    rows = pd.read_parquet(SHARED_DATA / "diamonds_cut.parquet").sample(2000, random_state=1)
    return shipml.train(
        write_spec(
            tmp_path_factory.mktemp("diamonds"),
            rows,
            name="onnx-diamonds",
            target={"column": "cut"},
            models={"ladder": ["lightgbm"]},
            constraints={"n_trials": 2},  # the baseline and one LightGBM trial
            decision={"calibration": "sigmoid"},
            **QUIET,
        ),
        track=False,
    )


def refit(result: shipml.TrainingResult, decision: Decision) -> InferenceModel:
    """The champion with a policy fit anew on its stored out-of-fold scores (no retraining)."""
    loaded = shipml.load_model(result.bundle_dir)
    model = loaded.model
    outcome = fit_decision_policy(
        stored_oof(loaded), task=model.task, classes=model.classes, decision=decision, seed=7
    )
    return replace(model, policy=outcome.policy)


def onnx_answers(model: InferenceModel, rows: pd.DataFrame, out: Path) -> dict[str, np.ndarray]:
    report = export_onnx(model, out, name="m", version="1")
    assert report["decisions_agree"] == report["rows_checked"]
    columns = {c: rows[c].to_numpy() for c in model.preprocessor.input_columns}
    session = onnx_session(out.read_bytes())
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(None, onnx_inputs(model, columns)), strict=True))


def served_answers(model: InferenceModel, rows: pd.DataFrame, log: Path) -> list[dict[str, Any]]:
    """What the FastAPI app (engine auto, as `shipml serve` runs) answers for `rows`."""
    names = [c.name for c in model.schema.columns if c.name != model.target]
    frame = rows[names].astype(object)
    records = frame.where(rows[names].notna(), None).to_dict("records")
    with client_for(snapshot_of(model, engine="auto"), log, max_body=None) as client:
        response = client.post("/v1/predict/batch", json={"records": records})
    assert response.status_code == 200, response.text[:500]
    answers: list[dict[str, Any]] = response.json()["predictions"]
    return answers


def assert_decides_as_served(model: InferenceModel, rows: pd.DataFrame, tmp_path: Path) -> None:
    got = onnx_answers(model, rows, tmp_path / "model.onnx")
    served = served_answers(model, rows, tmp_path / "log")
    assert len(served) == len(rows) >= 1000
    assert got["label"].tolist() == [a["decision"] for a in served]
    want = np.array([[a["probabilities"][str(c)] for c in model.classes] for a in served])
    np.testing.assert_allclose(got["probabilities"], want, rtol=0, atol=1e-4)
    np.testing.assert_allclose(got["score"], [a["score"] for a in served], rtol=0, atol=1e-4)
    assert len(set(got["label"].tolist())) > 1  # more than one class decided: a real check


def test_a_platt_calibrated_binary_export_decides_as_the_server(
    churn: shipml.TrainingResult, churn_rows: pd.DataFrame, tmp_path: Path
) -> None:
    model = churn.model
    policy = model.policy
    assert policy.calibrators[0].kind == "sigmoid"
    assert policy.threshold < 0.5
    assert_decides_as_served(model, churn_rows, tmp_path)
    # the estimator's own output cut at 0.5 (what the export used to hold) decides otherwise
    columns = {c: churn_rows[c].to_numpy() for c in model.preprocessor.input_columns}
    raw = model.estimator.predict_raw(model.matrix(columns)[0])[:, 1]
    decided = model.predict_columns(columns).values == "Yes"
    assert np.mean((raw >= 0.5) != decided) > 0.05


def test_an_isotonic_binary_export_decides_as_the_server(
    churn: shipml.TrainingResult, churn_rows: pd.DataFrame, tmp_path: Path
) -> None:
    model = refit(churn, Decision(calibration="isotonic", recall_target=0.8))
    assert model.policy.calibrators[0].kind == "isotonic"
    assert len(model.policy.calibrators[0].x) > 10
    assert_decides_as_served(model, churn_rows, tmp_path)


def test_the_cli_reports_what_the_check_measured(
    churn: shipml.TrainingResult, tmp_path: Path
) -> None:
    out = tmp_path / "churn.onnx"
    result = runner.invoke(app, ["export", CHURN, "--out", str(out)], env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.output
    text = " ".join(result.output.split())
    assert "outputs label, probabilities, score" in text
    assert "max probability difference" in text
    assert "decisions agree on 512 of 512 rows" in text


@pytest.mark.parametrize(
    "decision",
    [
        Decision(calibration="sigmoid"),
        Decision(calibration="isotonic", costs=[[0, 1, 2, 3, 4], [1, 0, 1, 2, 3], [2, 1, 0, 1, 2],
                                                [3, 2, 1, 0, 1], [8, 6, 4, 2, 0]]),
    ],
    ids=["argmax", "cost-matrix"],
)  # fmt: skip
def test_a_multiclass_export_decides_as_the_server(
    diamonds: shipml.TrainingResult, decision: Decision, tmp_path: Path
) -> None:
    model = refit(diamonds, decision)
    assert model.policy.rule == ("min_cost" if decision.costs else "argmax")
    assert {c.kind for c in model.policy.calibrators} == {decision.calibration}
    rows = pd.read_parquet(SHARED_DATA / "diamonds_cut.parquet").sample(3000, random_state=2)
    assert_decides_as_served(model, rows, tmp_path)


def test_a_forest_with_a_datetime_column_is_refused_with_both_reasons(
    churn_rows: pd.DataFrame, tmp_path: Path
) -> None:
    """A small forest fit on real rows with a signup date, as the random_forest family fits."""
    from sklearn.ensemble import RandomForestClassifier

    rows = churn_rows.sample(600, random_state=3)
    numeric = pd.api.types.is_numeric_dtype
    types = {
        c: ColumnType.NUMERIC if numeric(rows[c]) else ColumnType.CATEGORICAL
        for c in rows.columns
        if c != "churn"
    }
    types["signup"] = ColumnType.DATETIME
    signup = pd.Timestamp("2024-01-01") - pd.to_timedelta(rows["tenure"] * 30, unit="D")
    columns = {c: rows[c].to_numpy() for c in types if c != "signup"}
    columns["signup"] = signup.to_numpy()
    pre = fit_preprocessor(columns, types, PreprocessConfig(impute=True))
    forest = RandomForestClassifier(n_estimators=10, max_depth=4, random_state=0)
    forest.fit(pre.transform(columns).matrix, (rows["churn"] == "Yes").to_numpy())
    model = InferenceModel(
        task=Task.BINARY,
        target="churn",
        family="random_forest",
        classes=("No", "Yes"),
        schema=InputSchema(tuple(InputColumn(n, t, "feature") for n, t in types.items())),
        preprocessor=pre,
        estimator=SkopsEstimator(model=forest, task=Task.BINARY),
        policy=DecisionPolicy.default(Task.BINARY),
    )
    with pytest.raises(ShipmlError) as refused:
        export_onnx(model, tmp_path / "forest.onnx", name="f", version="1")
    message = str(refused.value)
    assert "family random_forest has no ONNX converter here" in message
    assert "datetime column(s) signup have no ONNX form" in message
    assert "features.exclude: [signup]" in message
    assert not (tmp_path / "forest.onnx").exists()
