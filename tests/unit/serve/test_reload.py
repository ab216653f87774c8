"""Hot reload: a new snapshot is swapped in whole; a failed load keeps the current model."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from shipml.core.enums import Task
from shipml.core.errors import ModelNotFoundError
from shipml.serve.loading import ServeOptions
from shipml.serve.reload import ModelHolder

from .conftest import build_model, client_for, run_async, snapshot_of, with_passthrough


def test_a_changed_version_is_swapped_in(monkeypatch: pytest.MonkeyPatch) -> None:
    first = snapshot_of(build_model("linear", Task.BINARY))
    second = replace(first, champion=replace(first.champion, version="2"))
    seen: list[str] = []
    holder = ModelHolder(
        first.ref, ServeOptions(), first, lambda s: seen.append(s.champion.version)
    )
    monkeypatch.setattr("shipml.serve.reload.load_snapshot", lambda ref, options, prev: second)
    result = run_async(holder.reload())
    assert (result.changed, result.version, result.previous) == (True, "2", "1")
    assert holder.current is second
    assert seen == ["2"]
    again = run_async(holder.reload())
    assert not again.changed


def test_a_failed_reload_keeps_the_model(monkeypatch: pytest.MonkeyPatch) -> None:
    first = snapshot_of(build_model("linear", Task.BINARY))
    holder = ModelHolder(first.ref, ServeOptions(), first)

    def fail(*args: Any) -> None:
        raise ModelNotFoundError("no version with alias @champion")

    monkeypatch.setattr("shipml.serve.reload.load_snapshot", fail)
    result = run_async(holder.reload())
    assert not result.changed
    assert "no version" in (result.error or "")
    assert holder.current is first


def test_admin_reload_swaps_schema_and_openapi(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    first = snapshot_of(build_model("linear", Task.BINARY))
    second = snapshot_of(with_passthrough(build_model("lightgbm", Task.BINARY)))
    second = replace(second, champion=replace(second.champion, version="2"))
    auth = {"x-api-key": "k"}
    with client_for(first, tmp_path, keys=("k",)) as client:
        doc = client.get("/openapi.json", headers=auth).json()
        assert "customer_id" not in doc["components"]["schemas"]["PredictRequest"]["properties"]
        monkeypatch.setattr("shipml.serve.reload.load_snapshot", lambda *a: second)
        assert client.post("/admin/reload", headers=auth).json()["changed"] is True
        doc = client.get("/openapi.json", headers=auth).json()
        assert "customer_id" in doc["components"]["schemas"]["PredictRequest"]["properties"]
        assert client.get("/v1/model", headers=auth).json()["version"] == "2"
        metrics = client.get("/metrics", headers=auth).text
        assert 'shipml_model_info{engine="native",family="lightgbm"' in metrics
