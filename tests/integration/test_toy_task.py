"""The task seam's proof: a task kind registered from this test, with no edit anywhere else,
is validated, trained (framing, the ladder, cross-validation, the decision policy, the bundle,
the registry), predicted in batch, and served (one record, a batch, and a group of records
scored together and ranked) end to end.

The toy is binary with its own name and its own default metric (log loss first): it reuses
existing score and policy kinds, which is what most new tasks start from.
"""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import shipml
from shipml.batch import predict_file
from shipml.core.enums import Metric, Task
from shipml.core.errors import ArtifactError
from shipml.registry.loading import load_model
from shipml.tasks import MetricDefaults, RequestShape, register_task, unregister_task
from shipml.tasks.binary import BINARY
from tests.unit.serve.conftest import build_model, client_for, snapshot_of, with_passthrough

from .conftest import make_table, write_spec

TOY = dataclasses.replace(
    BINARY,
    name="toy_binary",
    summary="binary, scored by log loss first (a test's task)",
    default_metrics=MetricDefaults(Metric.LOG_LOSS, (Metric.ROC_AUC,), "the toy task's choice"),
    rare_metrics=None,
    requests=frozenset({RequestShape.RECORD, RequestShape.BATCH, RequestShape.GROUP}),
)


@pytest.fixture(scope="module")
def toy(home: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[shipml.TrainingResult]:
    register_task(TOY)
    try:
        folder = tmp_path_factory.mktemp("toy")
        spec = write_spec(folder, make_table(500, seed=5), name="toy", task="toy_binary",
                          constraints={"n_trials": 4}, explain={"enabled": False})  # fmt: skip
        yield shipml.train(spec)
    finally:
        unregister_task(TOY.name)


def test_the_toy_trains_with_its_own_declared_choices(toy: shipml.TrainingResult) -> None:
    assert toy.task == "toy_binary"
    assert toy.primary_metric == "log_loss"  # the toy's default, not binary's ROC AUC
    choices = {c.name: c for c in toy.choices}
    assert choices["primary_metric"].reason == "the toy task's choice"
    assert choices["positive_class"].value == "yes"
    assert toy.model.policy.rule == "threshold"  # its policy kind: threshold
    assert toy.decision.policy.summary["task"] == "toy_binary"
    assert toy.registered is not None


def test_the_toy_predicts_from_its_bundle_and_serves(
    toy: shipml.TrainingResult, tmp_path: Path
) -> None:
    loaded = load_model(toy.bundle_dir)
    assert loaded.model.task == "toy_binary"
    data = tmp_path / "score.parquet"
    table = make_table(50, seed=9).drop(columns="bought")
    table.to_parquet(data)
    out = tmp_path / "scored.parquet"
    predict_file(toy.bundle_dir, data, out)
    scored = pd.read_parquet(out)
    assert len(scored) == 50
    np.testing.assert_allclose(scored[["proba_no", "proba_yes"]].sum(axis=1), 1.0)

    records = json.loads(table.head(5).to_json(orient="records", date_format="iso"))
    with client_for(snapshot_of(loaded.model), tmp_path / "log") as client:
        one = client.post("/v1/predict", json=records[0])
        many = client.post("/v1/predict/batch", json={"records": records})
        group = client.post("/v1/predict/group", json={"records": records})
        documented = client.get("/openapi.json").json()["paths"]
    assert one.status_code == 200, one.text
    assert one.json()["decision"] in ("no", "yes")
    assert many.status_code == 200, many.text
    served = [p["probabilities"]["yes"] for p in many.json()["predictions"]]
    np.testing.assert_allclose(served, scored["proba_yes"].to_numpy()[:5], atol=1e-6)

    # the group: the same probabilities, each record ranked within the group
    assert group.status_code == 200, group.text
    ranked = group.json()
    in_group = [p["probabilities"]["yes"] for p in ranked["predictions"]]
    np.testing.assert_allclose(in_group, served, rtol=0, atol=1e-9)
    ranks = [p["rank"] for p in ranked["predictions"]]
    assert sorted(ranks) == [1, 2, 3, 4, 5]
    assert ranks[int(np.argmax(in_group))] == 1
    assert ranked["order"] == sorted(range(5), key=lambda i: ranks[i])
    assert [in_group[i] for i in ranked["order"]] == sorted(in_group, reverse=True)
    assert "/v1/predict/group" in documented


def test_a_built_in_binary_model_refuses_a_group(tmp_path: Path) -> None:
    model = with_passthrough(build_model("lightgbm", Task.BINARY))  # binary: no GROUP declared
    record = {"age": 41.5, "city": "rome", "member": True, "signup": "2019-05-01"}
    with client_for(snapshot_of(model), tmp_path / "log") as client:
        answer = client.post("/v1/predict/group", json={"records": [record] * 3})
        batch = client.post("/v1/predict/batch", json={"records": [record] * 3})
        documented = client.get("/openapi.json").json()["paths"]
    assert answer.status_code == 422
    body = answer.json()
    assert body["error"] == "group_not_supported"
    assert "this model's task (binary) does not take grouped requests" in body["message"]
    assert batch.status_code == 200  # the same records, as a batch
    assert "/v1/predict/group" not in documented


def test_an_unregistered_task_in_a_bundle_is_a_clear_error(toy: shipml.TrainingResult) -> None:
    unregister_task(TOY.name)  # as in a process that never registered it
    try:
        with pytest.raises(ArtifactError, match="'toy_binary' task, a kind not registered") as info:
            load_model(toy.bundle_dir)
        assert "register_task" in str(info.value.fix)
    finally:
        register_task(TOY)
