"""POST /v1/predict/group: the batch route's answer plus ranks, or a clear refusal.

Authentication, the body limit, validation, the log, canary and shadow are the batch route's;
the rank follows the kind's score (the positive probability, the value); a kind without
RequestShape.GROUP answers 422 group_not_supported and its OpenAPI document has no group route.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow.parquet as pq
import pytest

from shipml.core.enums import Task
from shipml.runtime import InferenceModel
from shipml.runtime.compiled import CompiledModel
from shipml.serve.traffic import Route, TrafficPlan
from shipml.tasks import RequestShape, register_task, unregister_task
from shipml.tasks.binary import BINARY
from shipml.tasks.regression import REGRESSION

from .conftest import build_model, client_for, snapshot_of, with_passthrough

GROUPED = frozenset({RequestShape.RECORD, RequestShape.BATCH, RequestShape.GROUP})
RANKED = dataclasses.replace(BINARY, name="unit_ranked", requests=GROUPED)
VALUED = dataclasses.replace(REGRESSION, name="unit_valued", requests=GROUPED)
AUTH = {"x-api-key": "s3cret"}


@pytest.fixture
def ranked_kinds() -> Iterator[None]:
    for kind in (RANKED, VALUED):
        register_task(kind)
    try:
        yield
    finally:
        for kind in (RANKED, VALUED):
            unregister_task(kind.name)


@pytest.fixture
def ranked_model(binary_model: InferenceModel, ranked_kinds: None) -> InferenceModel:
    return dataclasses.replace(binary_model, task=RANKED.name)


def candidates(n: int = 6) -> list[dict[str, Any]]:
    cities = ("rome", "oslo", "paris", "lima", None)
    return [
        {"age": 22.0 + 6 * i, "city": cities[i % 5], "member": i % 3 == 0,
         "signup": f"2019-0{1 + i % 9}-01", "customer_id": f"C{i}"}
        for i in range(n)
    ]  # fmt: skip


def log_table(folder: Path) -> pd.DataFrame:
    return pd.concat(pq.read_table(f).to_pandas() for f in sorted(folder.glob("*.parquet")))


def test_a_group_is_the_batch_answer_ranked_and_logged_as_a_batch(
    ranked_model: InferenceModel, tmp_path: Path
) -> None:
    with client_for(snapshot_of(ranked_model), tmp_path / "log") as client:
        batch = client.post("/v1/predict/batch", json={"records": candidates()}).json()
        answer = client.post(
            "/v1/predict/group", json={"records": candidates()}, headers={"x-request-id": "g-1"}
        )
        documented = client.get("/openapi.json").json()
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert (body["request_id"], body["model_version"], body["served_by"]) == (
        "g-1",
        "1",
        "champion",
    )
    for grouped, alone in zip(body["predictions"], batch["predictions"], strict=True):
        assert {k: v for k, v in grouped.items() if k != "rank"} == alone
    positive = [p["probabilities"]["yes"] for p in body["predictions"]]
    ranks = [p["rank"] for p in body["predictions"]]
    assert sorted(ranks) == list(range(1, 7))
    assert body["order"] == sorted(range(6), key=lambda i: ranks[i])
    assert [positive[i] for i in body["order"]] == sorted(positive, reverse=True)

    table = log_table(tmp_path / "log")
    group = table[table["endpoint"] == "/v1/predict/group"]
    assert list(group["request_id"]) == ["g-1"] * 6
    assert sorted(group["row"]) == list(range(6))
    assert list(group.sort_values("row")["score"]) == pytest.approx(positive, abs=1e-12)

    route = documented["paths"]["/v1/predict/group"]["post"]
    assert route["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith(
        "/PredictBatchRequest"
    )
    item = documented["components"]["schemas"]["GroupItem"]
    assert "rank" in item["required"]
    assert "order" in documented["components"]["schemas"]["PredictGroupResponse"]["required"]


def test_a_group_of_values_ranks_the_highest_value_first(
    ranked_kinds: None, tmp_path: Path
) -> None:
    model = dataclasses.replace(build_model("linear", Task.REGRESSION), task=VALUED.name)
    records = [{k: v for k, v in r.items() if k != "customer_id"} for r in candidates(5)]
    with client_for(snapshot_of(model), tmp_path) as client:
        body = client.post("/v1/predict/group", json={"records": records}).json()
    values = [p["score"] for p in body["predictions"]]
    assert [values[i] for i in body["order"]] == sorted(values, reverse=True)
    assert body["predictions"][body["order"][0]]["rank"] == 1


def test_a_built_in_binary_model_refuses_a_group_clearly(
    served: Any, good_record: dict[str, Any]
) -> None:
    for body in ({"records": [good_record] * 3}, {"records": []}, {"nothing": 1}):
        answer = served.post("/v1/predict/group", json=body)
        assert answer.status_code == 422
        refusal = answer.json()
        assert refusal["error"] == "group_not_supported"
        assert "this model's task (binary) does not take grouped requests" in refusal["message"]
        assert "/v1/predict/batch" in refusal["message"]
    assert served.post("/v1/predict/batch", json={"records": [good_record]}).status_code == 200
    assert "/v1/predict/group" not in served.get("/openapi.json").json()["paths"]
    assert 'shipml_errors_total{kind="group_not_supported"} 3.0' in served.get("/metrics").text


def test_keys_body_limit_and_validation_are_the_batch_routes(
    ranked_model: InferenceModel, tmp_path: Path
) -> None:
    group = {"records": candidates(3)}
    with client_for(snapshot_of(ranked_model), tmp_path, keys=("s3cret",), max_body=2048) as c:
        assert c.post("/v1/predict/group", json=group).status_code == 401
        assert c.post("/v1/predict/group", json=group, headers=AUTH).status_code == 200
        huge = c.post("/v1/predict/group", json={"records": candidates(40)}, headers=AUTH)
        assert (huge.status_code, huge.json()["error"]) == (413, "too_large")
        empty = c.post("/v1/predict/group", json={"records": []}, headers=AUTH)
        assert (empty.status_code, empty.json()["error"]) == (422, "validation")
        bad = candidates(3)
        bad[2]["age"] = "old"
        wrong = c.post("/v1/predict/group", json={"records": bad}, headers=AUTH).json()
        assert wrong["detail"][0]["field"] == "records.2.age"
        explained = c.post("/v1/predict/group?explain=true", json=group, headers=AUTH).json()
        assert all(len(p["explanation"]["contributions"]) == 3 for p in explained["predictions"])
        assert all("rank" in p for p in explained["predictions"])


def test_canary_answers_a_group_and_shadow_only_logs_it(ranked_kinds: None, tmp_path: Path) -> None:
    champion, other = (
        dataclasses.replace(with_passthrough(build_model(family, Task.BINARY)), task=RANKED.name)
        for family in ("lightgbm", "linear")
    )
    canary = Route("challenger", "2", CompiledModel(other))
    snap = snapshot_of(champion, traffic=TrafficPlan(canary=canary, canary_percent=100.0))
    with client_for(snap, tmp_path / "a") as client:
        body = client.post("/v1/predict/group", json={"records": candidates(4)}).json()
    assert (body["served_by"], body["model_version"]) == ("challenger", "2")
    assert sorted(p["rank"] for p in body["predictions"]) == [1, 2, 3, 4]

    shadow = snapshot_of(champion, traffic=TrafficPlan(shadow=canary))
    with client_for(shadow, tmp_path / "b") as client:
        body = client.post("/v1/predict/group", json={"records": candidates(4)}).json()
    assert (body["served_by"], body["model_version"]) == ("champion", "1")
    table = log_table(tmp_path / "b")
    assert sorted(table["served_by"]) == ["champion"] * 4 + ["shadow:challenger"] * 4
    assert set(table[table["served_by"] == "champion"]["endpoint"]) == {"/v1/predict/group"}
