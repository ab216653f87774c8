"""The app in process (TestClient): answers, field-level errors, metrics, log, traffic split."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import pytest

from shipml.core.enums import Task
from shipml.runtime.compiled import CompiledModel
from shipml.runtime.inference import InferenceModel
from shipml.serve.traffic import Route, TrafficPlan

from .conftest import build_model, client_for, snapshot_of, with_passthrough

JSON = {"content-type": "application/json"}


def test_one_record_answers_score_decision_version_and_id(served: Any, good_record: dict) -> None:
    r = served.post("/v1/predict", json=good_record, headers={"x-request-id": "req-1"})
    assert r.status_code == 200
    body = r.json()
    assert body["request_id"] == r.headers["x-request-id"] == "req-1"
    assert body["model_version"] == "1"
    assert body["served_by"] == "champion"
    assert body["decision"] in ("no", "yes")
    assert body["probabilities"]["yes"] == pytest.approx(body["score"])
    assert body["warnings"] == []


def test_answers_fit_the_generated_response_models(
    served: Any, good_record: dict, binary_model: InferenceModel
) -> None:
    from shipml.serve.schemas import build_models

    api = build_models(binary_model)
    one = served.post("/v1/predict?explain=true", json=good_record).json()
    api.response.model_validate(one)
    batch = served.post("/v1/predict/batch", json={"records": [good_record] * 3}).json()
    api.batch_response.model_validate(batch)
    assert len(batch["predictions"]) == 3
    contributions = one["explanation"]["contributions"]
    assert len(contributions) == 3
    assert {c["column"] for c in contributions} <= {"age", "city", "member", "signup"}


@pytest.mark.parametrize(
    ("change", "field", "kind"),
    [
        ({"age": None}, None, None),
        ({"age": "forty"}, "age", "float_parsing"),
        ({"shoe_size": 42}, "shoe_size", "extra_forbidden"),
        ({"city": 3.5}, "city", None),
        ({"signup": "someday"}, "signup", "value_error"),
    ],
)
def test_bad_fields_are_named(
    served: Any, good_record: dict, change: dict, field: str | None, kind: str | None
) -> None:
    r = served.post("/v1/predict", json=good_record | change)
    if field is None:
        assert r.status_code == 200  # null is a missing value, scored as such
        return
    assert r.status_code == 422
    detail = r.json()["detail"]
    assert field in [d["field"] for d in detail]
    if kind is not None:
        assert kind in [d["type"] for d in detail]
    assert "Traceback" not in r.text


def test_missing_required_field_empty_body_and_wrong_shape(served: Any, good_record: dict) -> None:
    record = dict(good_record)
    del record["age"]
    r = served.post("/v1/predict", json=record)
    assert r.status_code == 422
    assert r.json()["detail"] == [{"field": "age", "message": "Field required", "type": "missing"}]
    del record["customer_id"]  # passthrough: optional
    assert served.post("/v1/predict", json=record | {"age": 3.0}).status_code == 200
    empty = served.post("/v1/predict", content=b"", headers=JSON)
    assert empty.status_code == 422
    assert empty.json()["detail"][0]["field"] == "body"
    assert served.post("/v1/predict", json=[good_record]).status_code == 422
    assert served.post("/v1/predict", content=b"{not json", headers=JSON).status_code == 422
    assert served.post("/v1/predict/batch", json={"records": []}).status_code == 422
    assert served.post("/v1/predict?explain=maybe", json=good_record).status_code == 422
    assert served.get("/v1/predict").status_code == 405


def test_batch_errors_name_the_record(served: Any, good_record: dict) -> None:
    records = [good_record, good_record | {"signup": "nope"}]
    r = served.post("/v1/predict/batch", json={"records": records})
    assert r.status_code == 422
    assert r.json()["detail"][0]["field"] == "records.1.signup"
    r = served.post("/v1/predict/batch", json={"records": [good_record, {"age": 1.0}]})
    assert {d["field"] for d in r.json()["detail"]} >= {"records.1.city"}


def test_unseen_category_is_answered_warned_and_counted(served: Any, good_record: dict) -> None:
    r = served.post("/v1/predict", json=good_record | {"city": "atlantis"})
    assert r.status_code == 200
    assert r.json()["warnings"][0].startswith("city:")
    metrics = served.get("/metrics").text
    assert 'shipml_unseen_categories_total{column="city"} 1.0' in metrics
    assert 'shipml_requests_total{endpoint="/v1/predict",status="200"} 1.0' in metrics
    assert "shipml_request_latency_seconds_bucket" in metrics


def test_strict_serving_rejects_unseen(
    binary_model: InferenceModel, tmp_path: Path, good_record: dict
) -> None:
    with client_for(snapshot_of(binary_model, strict=True), tmp_path) as client:
        r = client.post("/v1/predict", json=good_record | {"city": "atlantis"})
        assert r.status_code == 422
        assert r.json()["detail"][0] == {
            "field": "city",
            "message": "a category never seen in training; scored as the unknown bucket",
            "type": "unseen_category",
        }
        assert 'shipml_errors_total{kind="unseen_category"} 1.0' in client.get("/metrics").text


def test_api_keys_and_body_limit(
    binary_model: InferenceModel, tmp_path: Path, good_record: dict
) -> None:
    snap = snapshot_of(binary_model)
    with client_for(snap, tmp_path, keys=("s3cret",), max_body=2048) as client:
        assert client.post("/v1/predict", json=good_record).status_code == 401
        wrong = client.post("/v1/predict", json=good_record, headers={"x-api-key": "nope"})
        assert wrong.status_code == 401
        assert wrong.json()["error"] == "unauthorized"
        ok = client.post("/v1/predict", json=good_record, headers={"x-api-key": "s3cret"})
        assert ok.status_code == 200
        bearer = {"authorization": "Bearer s3cret"}
        assert client.post("/v1/predict", json=good_record, headers=bearer).status_code == 200
        assert client.get("/v1/model").status_code == 401
        assert client.get("/metrics").status_code == 401
        assert client.get("/healthz").status_code == 200
        huge = client.post("/v1/predict", content=b"x" * 5000, headers=bearer | JSON)
        assert huge.status_code == 413
        assert huge.json()["error"] == "too_large"


def test_model_health_and_openapi(served: Any) -> None:
    info = served.get("/v1/model").json()
    assert info["version"] == "1"
    assert info["task"] == "binary"
    assert {c["name"] for c in info["schema"]} >= {"age", "city", "customer_id"}
    assert info["decision_policy"]["rule"] == "threshold"
    assert served.get("/healthz").json() == {"status": "ok"}
    assert served.get("/readyz").json()["ready"] is True
    doc = served.get("/openapi.json").json()
    record = doc["components"]["schemas"]["PredictRequest"]
    assert record["additionalProperties"] is False
    assert set(record["required"]) == {"age", "city", "member", "signup"}
    assert "customer_id" not in record["properties"]  # an open server does not advertise it
    assert doc["paths"]["/v1/predict"]["post"]["requestBody"]["required"] is True
    prediction = doc["components"]["schemas"]["Prediction"]
    assert prediction["properties"]["decision"]["enum"] == ["no", "yes"]


def test_every_prediction_is_logged_on_shutdown(
    binary_model: InferenceModel, tmp_path: Path, good_record: dict
) -> None:
    snap = snapshot_of(binary_model, masked=frozenset({"customer_id"}))
    with client_for(snap, tmp_path / "log") as client:
        for i in range(7):
            client.post("/v1/predict", json=good_record, headers={"x-request-id": f"r{i}"})
        client.post("/v1/predict/batch", json={"records": [good_record] * 5})
    files = list((tmp_path / "log").glob("*.parquet"))
    assert files
    assert not list((tmp_path / "log").glob("*.open"))
    table = pq.read_table(files[0]).to_pandas()
    assert len(table) == 12
    assert set(table["request_id"][:7]) == {f"r{i}" for i in range(7)}
    assert (table["input.customer_id"] == "***").all()
    assert table["input.age"].iloc[0] == 41.5
    assert table["row"].max() == 4


def test_canary_answers_its_share_and_shadow_is_only_logged(
    tmp_path: Path, good_record: dict
) -> None:
    champion = with_passthrough(build_model("lightgbm", Task.BINARY))
    other = with_passthrough(build_model("linear", Task.BINARY))
    canary = Route("challenger", "2", CompiledModel(other))
    snap = snapshot_of(champion, traffic=TrafficPlan(canary=canary, canary_percent=100.0))
    with client_for(snap, tmp_path / "a") as client:
        r = client.post("/v1/predict", json=good_record).json()
        assert (r["served_by"], r["model_version"]) == ("challenger", "2")
    half = TrafficPlan(canary=canary, canary_percent=30.0)
    share = sum(half.pick(f"request-{i}") is not None for i in range(2000)) / 2000
    assert 0.25 < share < 0.35
    assert half.pick("same-id") is half.pick("same-id")
    shadow = snapshot_of(champion, traffic=TrafficPlan(shadow=canary))
    with client_for(shadow, tmp_path / "b") as client:
        r = client.post("/v1/predict", json=good_record).json()
        assert (r["served_by"], r["model_version"]) == ("champion", "1")
    table = pq.read_table(next((tmp_path / "b").glob("*.parquet"))).to_pandas()
    assert sorted(table["served_by"]) == ["champion", "shadow:challenger"]
    assert set(table["model_version"]) == {"1", "2"}


def test_regression_answers_a_value(tmp_path: Path) -> None:
    model = build_model("linear", Task.REGRESSION)
    with client_for(snapshot_of(model), tmp_path) as client:
        record = {"age": 30.0, "city": "oslo", "member": False, "signup": "2020-01-01"}
        body = client.post("/v1/predict", json=record).json()
        assert body["decision"] == body["score"]
        assert body.get("probabilities") is None
