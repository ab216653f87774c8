"""Multiclass explanations on real data (diamonds, 5 cuts; Fair is 3% of the rows): the classes
that matter are explained, the rare one never, and the executive summary's interaction risk
names only flagged panels, with their numbers and class.

The model is a LightGBM softmax booster over shipml's own preprocessing, built directly so the
test stays fast (no search, no report figures).
"""

from __future__ import annotations

from typing import Any

import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from shipml.core.enums import ColumnType, Metric, Task
from shipml.explain import Limits, ModelView, explain_model
from shipml.explain.pdp import INTERACTION_SPREAD_SHARE, partial_dependence_by_class
from shipml.explain.report import ReportFacts
from shipml.explain.report.executive import risks
from shipml.runtime.estimators import BoosterEstimator
from shipml.runtime.inference import InferenceModel
from shipml.runtime.policy import DecisionPolicy
from shipml.runtime.preprocess import PreprocessConfig, fit_preprocessor
from shipml.runtime.schema import InputColumn, InputSchema
from shipml.spec.model import Explain, Fairness, ModelSpec
from tests.integration.conftest import SHARED_DATA
from tests.unit.registry.manifests import manifest_of

FEATURES = ("carat", "color", "clarity", "depth", "table", "price", "x", "y", "z")
LIMITS = Limits(permutation_rows=1000, repeats=2, pdp_rows=200, grid_points=8, pdp_features=4,
                shap_rows=200, bootstrap=20)  # fmt: skip


@pytest.fixture(scope="module")
def diamonds() -> dict[str, Any]:
    path = SHARED_DATA / "diamonds_cut.parquet"
    if not path.is_file():
        pytest.skip(f"{path} is not here")
    df = pd.read_parquet(path).sample(4000, random_state=0).reset_index(drop=True)
    types = {f: ColumnType.NUMERIC if pd.api.types.is_numeric_dtype(df[f])
             else ColumnType.CATEGORICAL for f in FEATURES}  # fmt: skip
    columns = {f: df[f].to_numpy(dtype=object if types[f] is ColumnType.CATEGORICAL else float)
               for f in FEATURES}  # fmt: skip
    classes = tuple(sorted(df["cut"].unique()))  # Fair, Good, Ideal, Premium, Very Good
    y = np.searchsorted(classes, df["cut"].to_numpy(dtype=object)).astype(np.int64)
    train, test = np.arange(3000), np.arange(3000, 4000)
    pre = fit_preprocessor({f: v[train] for f, v in columns.items()}, types, PreprocessConfig())
    X = pre.transform({f: v[train] for f, v in columns.items()}).matrix
    params = {"objective": "multiclass", "num_class": len(classes), "verbosity": -1,
              "num_threads": 1, "seed": 0, "deterministic": True, "num_leaves": 15}  # fmt: skip
    booster = lgb.train(params, lgb.Dataset(X, y[train]), num_boost_round=80)
    model = InferenceModel(
        task=Task.MULTICLASS, target="cut", family="lightgbm", classes=classes,
        schema=InputSchema(tuple(InputColumn(f, types[f], "feature") for f in FEATURES)),
        preprocessor=pre, estimator=BoosterEstimator(booster, Task.MULTICLASS),
        policy=DecisionPolicy.default(Task.MULTICLASS),
    )  # fmt: skip
    held = {f: v[test] for f, v in columns.items()}
    return {"model": model, "columns": held, "y": y[test], "types": types,
            "train_rows": np.bincount(y[train], minlength=len(classes)).tolist()}  # fmt: skip


def explain(d: dict[str, Any], **fields: object) -> Any:
    return explain_model(
        d["model"], d["columns"], d["y"], None, metric=Metric.LOG_LOSS,
        explain=Explain.model_validate(fields), fairness=Fairness(), seed=0, limits=LIMITS,
        class_rows=d["train_rows"],
    )  # fmt: skip


def test_the_largest_classes_are_explained_and_the_rare_one_never(
    diamonds: dict[str, Any],
) -> None:
    assert int(np.sum(diamonds["y"] == 0)) < 50  # Fair: 25 of the 1,000 test rows
    e = explain(diamonds)
    assert e.classes == ("Ideal", "Premium", "Very Good")
    assert {p.label for p in e.pdp} == set(e.classes)
    assert all("Fair" not in s.scale for s in e.shap_by_class)
    assert "'Fair' (25 rows)" in e.class_notes[0]
    named = explain(diamonds, classes=["Fair", "Good"])
    assert named.classes == ("Good",)
    assert "though named in explain.classes" in named.class_notes[0]


def test_the_rare_class_flags_no_interaction(diamonds: dict[str, Any]) -> None:
    # Its probability is near 0 on almost every row: its centred ICE curves look heterogeneous
    # (a flat average over tiny bumps), which alone flagged every panel.
    model, columns = diamonds["model"], diamonds["columns"]
    view = ModelView.of(model)
    sample = {f: v[:200] for f, v in columns.items()}
    X = view.matrix(sample)
    panels = [partial_dependence_by_class(view, sample, X, f, diamonds["types"][f], (0,),
                                          grid_points=8)[0] for f in FEATURES]  # fmt: skip
    assert sum(p.heterogeneity > 0.5 for p in panels) >= len(panels) // 2
    assert not any(p.interaction for p in panels)
    assert all(p.spread_share < INTERACTION_SPREAD_SHARE for p in panels)


def test_executive_risks_name_only_flagged_panels(diamonds: dict[str, Any]) -> None:
    e = explain(diamonds)
    model = diamonds["model"]
    spec = ModelSpec.model_validate({"name": "d", "data": {"train": "d.parquet"},
                                     "target": {"column": "cut"}})  # fmt: skip
    facts = ReportFacts(
        spec=spec, model=model, manifest=manifest_of(model, name="d"),
        evaluation={"champion": "lightgbm", "warnings": []}, leaderboard=[], choices=[],
        profile={}, decision=None, oof=None, test_predictions=None, bundle_name="d/1",
    )  # fmt: skip
    said = " ".join(r for r in risks(facts, e) if r.startswith("Interactions"))
    for p in e.pdp:
        mentioned = f"{p.feature} on {p.output}:" in said
        assert mentioned == p.interaction
        if p.interaction:
            assert p.spread_share > INTERACTION_SPREAD_SHARE
            assert p.heterogeneity > 0.5
            assert p.evidence in said
    assert "Fair" not in said
