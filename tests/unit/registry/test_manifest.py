"""The manifest record: sealed and written by `write_manifest`, read back by `read_manifest` as
the same record and the same text; a tampered manifest names the field at fault. The round trip
of a manifest written by a real training run is in tests/integration/test_manifest.py."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from shipml.core.enums import Task
from shipml.core.errors import ArtifactError
from shipml.registry.bundle import BUNDLE_VERSION, read_manifest, write_manifest
from shipml.registry.manifest import DerivedFrom, Manifest, ManifestBody
from shipml.runtime.inference import InferenceModel
from tests.unit.registry.manifests import body_of
from tests.unit.runtime.conftest import build_model


@pytest.fixture(scope="module")
def model() -> InferenceModel:
    return build_model("constant", Task.BINARY)


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A staging folder with a model file, an evaluation file and a report."""
    for rel, text in {"model/inference.json": "{}", "evaluation/oof.json": "[]",
                      "report/report.html": "<html>"}.items():  # fmt: skip
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    return tmp_path


def _raw(folder: Path) -> dict[str, Any]:
    raw: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    return raw


def _tamper(folder: Path, raw: dict[str, Any]) -> ArtifactError:
    (folder / "manifest.json").write_text(json.dumps(raw))
    with pytest.raises(ArtifactError) as info:
        read_manifest(folder)
    return info.value


def test_the_writer_seals_the_body_and_the_reader_gives_it_back(
    model: InferenceModel, folder: Path
) -> None:
    body = body_of(model)
    written = write_manifest(folder, body)
    assert written.bundle_version == BUNDLE_VERSION
    assert sorted(written.files) == ["evaluation/oof.json", "model/inference.json"]  # no report
    assert written.body() == body
    text = (folder / "manifest.json").read_text()
    assert text == json.dumps(json.loads(text), indent=1, sort_keys=True)  # sorted, indent 1
    assert "derived_from" not in json.loads(text)  # a trained bundle has no such key
    again = read_manifest(folder)
    assert again == written
    assert again.to_json() == text


def test_a_seal_passed_to_the_writer_is_recomputed(model: InferenceModel, folder: Path) -> None:
    written = write_manifest(folder, body_of(model))
    (folder / "model" / "inference.json").write_text('{"changed": true}')
    stale = written.model_copy(update={"bundle_version": 99})
    resealed = write_manifest(folder, stale)
    assert resealed.bundle_version == BUNDLE_VERSION
    assert resealed.files["model/inference.json"] != written.files["model/inference.json"]


def test_a_derived_bundle_keeps_where_it_came_from(model: InferenceModel, folder: Path) -> None:
    derived = DerivedFrom(version="3", bundle="/bundles/unit/abc")
    write_manifest(folder, body_of(model, derived_from=derived))
    assert _raw(folder)["derived_from"] == {"version": "3", "bundle": "/bundles/unit/abc"}
    manifest = read_manifest(folder)
    assert manifest.derived_from == derived
    assert manifest.body(seed=8).derived_from == derived


def test_an_unknown_key_and_a_wrong_type_name_their_fields(
    model: InferenceModel, folder: Path
) -> None:
    write_manifest(folder, body_of(model))
    raw = _raw(folder)
    raw["surprise"] = 1
    raw["metrics"]["cv"] = "high"
    raw["classes"] = [["no"], "yes"]
    error = _tamper(folder, raw)
    text = str(error)
    assert text.startswith("manifest.json: ")
    assert error.where == "manifest.json"
    assert "metrics.cv: Input should be a valid number" in text
    assert "(got 'high')" in text
    assert "surprise: Extra inputs are not permitted" in text
    assert "classes.0: a class label is a string, a number or a boolean, not list" in text
    assert error.fix == "the artifact was modified or corrupted; re-download or retrain it"


def test_a_missing_field_and_a_nan_metric_are_refused(model: InferenceModel, folder: Path) -> None:
    write_manifest(folder, body_of(model))
    raw = _raw(folder)
    del raw["spec_hash"]
    raw["metrics"]["test"]["roc_auc"] = float("nan")  # json writes NaN, which is no JSON
    text = str(_tamper(folder, raw))
    assert "spec_hash: Field required" in text
    assert "metrics.test.roc_auc: Input should be a finite number" in text


def test_a_bundle_without_bundle_version_is_told_to_retrain_before_any_schema_check(
    model: InferenceModel, folder: Path
) -> None:
    write_manifest(folder, body_of(model))
    raw = _raw(folder)
    del raw["bundle_version"]
    raw["an_old_key"] = "from an older shipml"
    del raw["input_schema"]
    error = _tamper(folder, raw)
    assert "has no bundle_version" in str(error)
    assert "retrain" in str(error.fix)
    assert "Field required" not in str(error)
    raw["bundle_version"] = 2
    assert "bundle_version 2" in str(_tamper(folder, raw))


def test_the_record_is_frozen_and_changes_are_checked(model: InferenceModel) -> None:
    body = body_of(model)
    with pytest.raises(ValidationError):
        body.seed = 8  # type: ignore[misc]
    sealed = Manifest.model_validate(body.model_dump() | {"bundle_version": 1, "files": {}})
    with pytest.raises(ValidationError, match="seed"):
        sealed.body(seed="not a number")
    with pytest.raises(ValidationError, match="files"):
        ManifestBody.model_validate(body.model_dump() | {"files": {}})
