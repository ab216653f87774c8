"""Hard edges of the app: it fails closed, guards its schema, takes JSON only, fits a full batch."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from shipml.core.errors import ShipmlError
from shipml.runtime import InferenceModel
from shipml.serve import ServeConfig, ServeOptions, create_app
from shipml.serve.schemas import MAX_BATCH

from .conftest import client_for, snapshot_of

KEY = ("s3cret",)
AUTH = {"x-api-key": "s3cret"}


def test_no_keys_and_no_explicit_open_is_refused(
    binary_model: InferenceModel, tmp_path: Path
) -> None:
    snap = snapshot_of(binary_model)
    config = ServeConfig(ref=snap.ref, log_dir=tmp_path, options=ServeOptions("native"))
    with pytest.raises(ShipmlError, match="does not run open by default"):
        create_app(config, snap)
    both = ServeConfig(ref=snap.ref, log_dir=tmp_path, api_keys=KEY, no_auth=True)
    with pytest.raises(ShipmlError, match="--no-auth"):
        create_app(both, snap)


def test_schema_routes_need_the_key(binary_model: InferenceModel, tmp_path: Path) -> None:
    with client_for(snapshot_of(binary_model), tmp_path, keys=KEY) as client:
        for route in ("/openapi.json", "/docs"):
            refused = client.get(route)
            assert refused.status_code == 401, route
            assert "customer_id" not in refused.text
            assert client.get(route, headers=AUTH).status_code == 200, route
        doc = client.get("/openapi.json", headers=AUTH).json()
        assert "customer_id" in doc["components"]["schemas"]["PredictRequest"]["properties"]
        assert client.get("/healthz").status_code == 200
        assert client.get("/readyz").status_code == 200


def test_open_schema_omits_passthrough_columns(served: Any) -> None:
    doc = served.get("/openapi.json")
    assert doc.status_code == 200
    assert "customer_id" not in doc.text
    assert served.get("/docs").status_code == 200


@pytest.mark.parametrize(
    ("content_type", "body"),
    [
        ("text/plain", b'{"age": 1}'),
        ("application/x-www-form-urlencoded", b"age=1&city=rome"),
        ("application/xml", b"<age>1</age>"),
        ("multipart/form-data; boundary=x", b"--x--"),
        (None, b'{"age": 1}'),
    ],
)
def test_predict_takes_json_only(
    served: Any, good_record: dict, content_type: str | None, body: bytes
) -> None:
    headers = {} if content_type is None else {"content-type": content_type}
    for route in ("/v1/predict", "/v1/predict/batch"):
        r = served.post(route, content=body, headers=headers)
        assert r.status_code == 415, route
        assert r.json()["error"] == "unsupported_media_type"
    ok = {"content-type": "application/json; charset=utf-8"}
    import orjson

    assert (
        served.post("/v1/predict", content=orjson.dumps(good_record), headers=ok).status_code == 200
    )


def test_two_keys_answer_400(
    binary_model: InferenceModel, tmp_path: Path, good_record: dict
) -> None:
    import httpx

    with client_for(snapshot_of(binary_model), tmp_path, keys=KEY) as client:
        for name in ("x-api-key", "authorization"):
            value = "s3cret" if name == "x-api-key" else "Bearer s3cret"
            headers = httpx.Headers([(name, value), (name, value)])
            for method, route in (
                ("POST", "/v1/predict"),
                ("GET", "/v1/model"),
                ("GET", "/metrics"),
            ):
                r = client.request(method, route, json=good_record, headers=headers)
                assert r.status_code == 400, (name, route)


def test_default_body_limit_fits_a_full_batch(served: Any, good_record: dict) -> None:
    record = good_record | {"city": "r" * 8, "signup": "2019-05-01T10:11:12", "age": -1234567.125}
    body = {"records": [record] * MAX_BATCH}
    with client_for(
        served.app.state.services.holder.current,
        Path(served.app.state.services.predlog.folder),
        max_body=None,
    ) as client:
        r = client.post("/v1/predict/batch", json=body)
        assert r.status_code == 200, r.text[:200]
        assert len(r.json()["predictions"]) == MAX_BATCH
        too_many = client.post("/v1/predict/batch", json={"records": [record] * (MAX_BATCH + 1)})
        assert too_many.status_code == 422
