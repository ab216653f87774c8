"""Versions hold what they claim: anchored manifests, signatures, repairs, concurrent trains."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import shipml
from shipml.cli import app
from shipml.core.errors import ArtifactError
from shipml.registry.bundle import load_bundle, read_manifest, write_manifest
from shipml.registry.catalog import describe
from shipml.registry.client import mlflow_client
from shipml.registry.doctor import doctor
from shipml.registry.history import read_history
from shipml.registry.home import artifact_root
from shipml.registry.manifest import ManifestMetrics
from shipml.registry.models import ModelRef, bundle_folder, load_registered
from shipml.registry.tracking import experiment_id

from .conftest import make_table, write_spec
from .test_registry_history import register

runner = CliRunner()


@pytest.fixture
def version(trained: shipml.TrainingResult, request: pytest.FixtureRequest) -> tuple[str, str]:
    """A fresh registered version (its own model name), safe to tamper with."""
    name = f"tamper-{request.node.name.split('[')[0][-30:].replace('_', '-')}"
    return name, register(trained.bundle_dir, 0.8, name=name).version


def _cache(name: str, version: str) -> Path:
    return bundle_folder(name, version)


def test_a_flipped_byte_with_the_files_map_removed_is_refused(version: tuple[str, str]) -> None:
    name, v = version
    folder = _cache(name, v)
    model = folder / "model" / "inference.json"
    model.write_text(model.read_text().replace('"threshold": 0.5', '"threshold": 0.1'))
    manifest = _raw(folder)
    del manifest["files"]
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match=r"manifest\.json: files: Field required"):
        load_bundle(folder)
    manifest["files"] = {}
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="lists no files"):
        load_bundle(folder)
    with pytest.raises(ArtifactError, match="not the one registered"):
        load_registered(ModelRef(name, version=v))


def test_one_entry_removed_or_an_extra_file_is_refused(version: tuple[str, str]) -> None:
    name, v = version
    folder = _cache(name, v)
    manifest = _raw(folder)
    manifest["files"].pop("model/inference.json")
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match="does not list"):
        load_bundle(folder)
    write_manifest(folder, read_manifest(folder).body())
    (folder / "model" / "extra.py").write_text("print('hello')")
    with pytest.raises(ArtifactError, match=r"does not list: \['model/extra.py'\]"):
        load_bundle(folder)


def test_rehashed_metadata_is_refused_by_loads_and_show(version: tuple[str, str]) -> None:
    name, v = version
    folder = _cache(name, v)
    manifest = read_manifest(folder)
    metrics = ManifestMetrics(cv=manifest.metrics.cv, test={"roc_auc": 0.999})
    write_manifest(folder, manifest.body(task="regression", classes=("x",), metrics=metrics))
    load_bundle(folder)  # self-consistent: only the registry's anchor tells
    with pytest.raises(ArtifactError, match="not the one registered"):
        load_registered(ModelRef(name, version=v))
    with pytest.raises(ArtifactError, match="not the one registered"):
        describe(ModelRef(name, version=v))
    code, output = _cli("models", "show", f"{name}/{v}")
    assert code == 2
    assert "not the one registered" in output
    for command in (["predict", f"{name}/{v}", "x.csv", "--out", "y.csv"],):
        assert _cli(*command)[0] == 2


def test_code_appended_to_the_logged_pyfunc_is_refused(version: tuple[str, str]) -> None:
    name, v = version
    cached = _cache(name, v)  # downloaded and checked while intact
    entry = _logged_entry(name, v)
    entry.write_text(entry.read_text() + "\nimport os\nos.environ['PWNED'] = '1'\n")
    shutil.rmtree(cached)  # the next load downloads the artifact again
    with pytest.raises(ArtifactError, match="pyfunc entry file"):
        load_registered(ModelRef(name, version=v))
    assert "PWNED" not in os.environ


def test_signed_versions(trained: shipml.TrainingResult, monkeypatch: pytest.MonkeyPatch) -> None:
    unsigned = register(trained.bundle_dir, 0.8, name="signed-shop").version
    monkeypatch.setenv("SHIPML_SIGNING_KEY", "a-long-secret")
    signed = register(trained.bundle_dir, 0.8, name="signed-shop").version
    load_registered(ModelRef("signed-shop", version=signed))
    with pytest.raises(ArtifactError, match="unsigned"):
        load_registered(ModelRef("signed-shop", version=unsigned))
    monkeypatch.setenv("SHIPML_SIGNING_KEY", "another-secret")
    with pytest.raises(ArtifactError, match="signature does not match"):
        load_registered(ModelRef("signed-shop", version=signed))
    monkeypatch.delenv("SHIPML_SIGNING_KEY")
    load_registered(ModelRef("signed-shop", version=signed))


def test_doctor_finds_and_repairs_interrupted_registrations(
    trained: shipml.TrainingResult, home: Path
) -> None:
    name = "doctor-shop"
    register(trained.bundle_dir, 0.8, name=name)
    # A registration killed after its alias moved and before its audit record and tag.
    _register_killed_after_alias(trained.bundle_dir, name, home)
    client = mlflow_client()
    versions = {str(v.version): v for v in client.search_model_versions(f"name = '{name}'")}
    assert str(client.get_model_version_by_alias(name, "challenger").version) == "2"
    dead = _dead_writer()
    source = versions["1"].source
    client.create_model_version(name, source, run_id=versions["1"].run_id)  # no tags at all
    experiment = experiment_id(client, name)  # train's runs live in the model's experiment
    stale = client.create_run(experiment, tags={"shipml.writer": dead}).info.run_id

    found = {(f.kind, f.subject) for f in doctor(name)}
    assert {("half_registered", "2"), ("half_registered", "3")} <= found
    assert ("unaudited_alias", "challenger") in found
    assert ("stale_run", stale) in found
    code, output = _cli("models", "doctor", name, "--fix", "--json")
    assert code == 0, output
    repaired = json.loads(output)["findings"]
    assert all(f["repaired"] for f in repaired)
    assert doctor(name) == []
    remaining = {str(v.version) for v in client.search_model_versions(f"name = '{name}'")}
    assert remaining == {"1"}
    aliases = client.get_registered_model(name).aliases
    assert aliases == {"champion": 1}
    assert client.get_run(stale).info.status == "KILLED"
    # An alias moved by hand, outside the audited registry, is put back and the repair recorded.
    client.set_registered_model_alias(name, "challenger", "1")
    assert [(f.kind, f.subject) for f in doctor(name, fix=True)] == [
        ("unaudited_alias", "challenger")
    ]
    assert "challenger" not in client.get_registered_model(name).aliases
    last = read_history(client, name)[-1]
    assert (last.action, last.alias, last.from_version, last.to_version) == (
        "repair",
        "challenger",
        "1",
        "",
    )


def test_unique_bundle_folders(spec_path: Path, home: Path) -> None:
    loaded = shipml.load_spec(spec_path)
    spec = loaded.spec.model_dump(mode="json") | {"explain": {"enabled": False}}
    spec["constraints"] = {"n_trials": 2}
    a = shipml.train(shipml.load_spec(spec, base_dir=spec_path.parent), track=False)
    b = shipml.train(shipml.load_spec(spec, base_dir=spec_path.parent), track=False)
    assert a.bundle_dir != b.bundle_dir
    assert a.bundle_dir.parent == b.bundle_dir.parent
    assert not list(a.bundle_dir.parent.glob(".partial-*"))


@pytest.mark.slow
def test_two_concurrent_trains_each_register_their_own_model(tmp_path: Path) -> None:
    """On a fresh home (the MLflow store created by whichever comes first)."""
    data = make_table(500, seed=3)
    specs = []
    for seed in (1, 2):
        folder = tmp_path / f"spec{seed}"
        folder.mkdir()
        specs.append(
            write_spec(
                folder, data, name="race", seed=seed,
                constraints={"n_trials": 3}, explain={"enabled": False},
            )
        )  # fmt: skip
    home = tmp_path / "home"
    env = os.environ | {"SHIPML_HOME": str(home)}
    env.pop("MLFLOW_TRACKING_URI", None)
    shipml_exe = str(Path(sys.executable).with_name("shipml"))
    procs = [
        subprocess.Popen(
            [shipml_exe, "train", str(s), "--json"], env=env,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for s in specs
    ]  # fmt: skip
    outputs = [p.communicate(timeout=600) for p in procs]
    for p, (_out, err) in zip(procs, outputs, strict=True):
        assert p.returncode == 0, err.decode()[-3000:]
    check = (
        "import json, sys; from shipml.registry.models import ModelRef, load_registered; "
        "from shipml.registry.client import mlflow_client; c = mlflow_client(); out = []\n"
        "for v in ('1', '2'):\n"
        "    b, _ = load_registered(ModelRef('race', version=v))\n"
        "    tags = c.get_model_version('race', v).tags\n"
        "    m = b.manifest\n"
        "    score = m.metrics.test[m.primary_metric]\n"
        "    out.append([m.seed, score, float(tags['shipml.test_score']), b.folder.name])\n"
        "print(json.dumps(out))"
    )
    done = subprocess.run([sys.executable, "-c", check], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-3000:]
    rows = json.loads(done.stdout)
    assert sorted(r[0] for r in rows) == [1, 2]  # each version holds its own train's model
    for _, manifest_score, tag_score, _ in rows:
        assert manifest_score == pytest.approx(tag_score)
    bundles = sorted(p.name for p in (home / "bundles" / "race").iterdir())
    assert len(bundles) == 2
    assert not any(b.startswith(".partial") for b in bundles)


def _raw(folder: Path) -> dict[str, Any]:
    """The manifest as the JSON object on disk, to tamper with."""
    raw: dict[str, Any] = json.loads((folder / "manifest.json").read_text())
    return raw


def _cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def _logged_entry(name: str, version: str) -> Path:
    client = mlflow_client()
    mv = client.get_model_version(name, version)
    model_id = str(mv.source).rsplit("/", 1)[-1]
    found = [p for p in artifact_root().rglob("pyfunc_entry.py") if model_id in str(p)]
    assert len(found) == 1, (mv.source, found)
    return found[0]


def _dead_writer() -> str:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return f"{socket.gethostname()}:{proc.pid}"


def _register_killed_after_alias(bundle: Path, name: str, home: Path) -> None:
    code = (
        "import os, sys\n"
        "import shipml.registry.register as r\n"
        "from shipml.registry.tracking import MlflowTracker\n"
        "r.record_move = lambda *a, **k: os._exit(137)\n"
        f"t = MlflowTracker({name + '-tests'!r}, 'killed')\n"
        "from pathlib import Path\n"
        f"r.register_bundle({name!r}, t.run_id, Path({str(bundle)!r}), 0.9, True)\n"
    )
    env = os.environ | {"SHIPML_HOME": str(home)}
    env.pop("MLFLOW_TRACKING_URI", None)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 137, done.stderr[-2000:]


@pytest.mark.parametrize(("version", "says"), [(None, "retrain"), (99, "bundle_version 99")])
def test_a_bundle_of_no_or_another_format_version_is_refused(
    trained: shipml.TrainingResult, tmp_path: Path, version: object, says: str
) -> None:
    folder = tmp_path / "bundle"
    shutil.copytree(trained.bundle_dir, folder)
    assert read_manifest(folder).bundle_version == 1  # every bundle written says its format
    manifest = {k: v for k, v in _raw(folder).items() if k != "bundle_version"}
    if version is not None:
        manifest["bundle_version"] = version
    (folder / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ArtifactError, match=says) as info:
        load_bundle(folder)
    assert info.value.where == "manifest.json"
