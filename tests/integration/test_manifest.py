"""The manifest of real bundles, written by training and by `decide`: every key the producers
write is a field of the record, and a manifest read and dumped again is the same text."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

import shipml
from shipml.core.errors import ArtifactError
from shipml.pipeline.decide import decide
from shipml.registry.bundle import load_bundle, read_manifest
from shipml.registry.manifest import Manifest, ManifestBody
from shipml.spec.model import Decision


def _round_trips(folder: Path) -> Manifest:
    text = (folder / "manifest.json").read_text(encoding="utf-8")
    manifest = Manifest.model_validate(json.loads(text))  # extra="forbid": no key unmodelled
    assert manifest.to_json() == text
    assert read_manifest(folder) == manifest
    return manifest


def test_a_trained_bundle_manifest_round_trips(trained: shipml.TrainingResult) -> None:
    manifest = _round_trips(trained.bundle_dir)
    assert manifest == trained.manifest
    assert set(json.loads(manifest.to_json())) == set(Manifest.model_fields) - {"derived_from"}
    assert manifest.name == "shop"
    assert manifest.family == trained.selection.champion
    assert manifest.primary_metric == trained.primary_metric
    assert set(manifest.classes) == {"no", "yes"}
    assert manifest.metrics.cv == pytest.approx(trained.holdout.cv_score)
    assert manifest.decision["rule"] == trained.decision.policy.summary["rule"]
    folder = trained.bundle_dir
    on_disk = [p.relative_to(folder) for p in folder.rglob("*") if p.is_file()]
    hashed = [p.as_posix() for p in on_disk if p.parts[0] not in ("manifest.json", "report")]
    assert sorted(manifest.files) == sorted(hashed)  # every file but the manifest and report


def test_a_decided_bundle_manifest_round_trips(trained: shipml.TrainingResult) -> None:
    result = decide(trained.bundle_dir, Decision(recall_target=0.7), register=False)
    manifest = _round_trips(result.bundle_dir)
    assert manifest.derived_from is not None
    assert manifest.derived_from.bundle == str(trained.bundle_dir)
    old = trained.manifest
    same_otherwise = manifest.body(
        created_at=old.created_at, metrics=old.metrics, decision=old.decision, derived_from=None
    )
    assert same_otherwise == old.body()  # decide changes only what it says it changes
    assert manifest.metrics.cv == old.metrics.cv
    assert manifest.decision["rule"] == "recall_target"
    assert isinstance(manifest.body(), ManifestBody)


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        ("seed", "seven", "seed: Input should be a valid integer"),
        ("libraries", ["numpy"], "libraries: Input should be a valid dictionary"),
        ("retrained_by", "someone", "retrained_by: Extra inputs are not permitted"),
    ],
)
def test_a_tampered_real_manifest_names_the_field(
    trained: shipml.TrainingResult, tmp_path: Path, key: str, value: object, says: str
) -> None:
    folder = tmp_path / "bundle"
    shutil.copytree(trained.bundle_dir, folder)
    raw = json.loads((folder / "manifest.json").read_text())
    raw[key] = value
    (folder / "manifest.json").write_text(json.dumps(raw))
    with pytest.raises(ArtifactError) as info:
        load_bundle(folder)
    assert str(info.value).startswith(f"manifest.json: {says}")
    assert "re-download or retrain" in str(info.value)
