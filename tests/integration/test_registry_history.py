"""Registry history, guarded promotion and rollback through the CLI, on a real MLflow store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

import shipml
from shipml.cli import app
from shipml.registry.bundle import read_manifest, write_manifest
from shipml.registry.register import Registered, register_bundle

runner = CliRunner()
NAME = "hist-shop"


def register(bundle: Path, score: float, name: str = NAME) -> Registered:
    """A new version of `name` from an existing bundle, with a chosen stored test score."""
    from shipml.registry.tracking import MlflowTracker

    tracker = MlflowTracker(f"{name}-tests", "register")
    registered = register_bundle(name, tracker.run_id, bundle, score, True)
    tracker.finish()
    return registered


def with_violation(bundle: Path, folder: Path) -> Path:
    """A copy of the bundle whose champion broke a constraint (hashes rewritten)."""
    copy = folder / "violating"
    shutil.copytree(bundle, copy)
    board_path = copy / "evaluation" / "leaderboard.json"
    board = json.loads(board_path.read_text())
    family = read_manifest(copy).family
    for row in board:
        if row["family"] == family:
            row["violations"] = ["p95 latency 31.00 ms > 20.0 ms"]
    board_path.write_text(json.dumps(board))
    write_manifest(copy, read_manifest(copy).body())
    return copy


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


@pytest.fixture(scope="module")
def versions(trained: shipml.TrainingResult, tmp_path_factory: pytest.TempPathFactory) -> list:
    folder = tmp_path_factory.mktemp("bundles")
    return [
        register(trained.bundle_dir, 0.80),
        register(trained.bundle_dir, 0.75),
        register(with_violation(trained.bundle_dir, folder), 0.90),
    ]


def test_versions_register_as_champion_then_challengers(versions: list) -> None:
    assert [(r.version, r.alias) for r in versions] == [
        ("1", "champion"),
        ("2", "challenger"),
        ("3", "challenger"),
    ]


def test_promotion_is_guarded_forced_recorded_and_rolled_back(versions: list) -> None:
    code, out = cli("promote", NAME, "2")
    assert code == 2
    assert "it is the same model, so it cannot beat it" in out  # the same bundle again
    code, out = cli("promote", NAME, "3")
    assert code == 2
    assert "breaks the spec's constraints" in out
    assert "--force" in out
    code, out = cli("promote", NAME, "3", "--force", "--reason", "latency accepted", "--json")
    assert code == 0, out
    answer = json.loads(out)
    assert answer["comparison"] is None  # the same model: nothing to compare, said in words
    assert "the same model" in answer["compared"]
    assert {k: answer[k] for k in ("name", "alias", "version", "previous")} == {
        "name": NAME,
        "alias": "champion",
        "version": "3",
        "previous": "1",
    }
    code, out = cli("rollback", NAME, "--json")
    assert code == 0, out
    assert json.loads(out)["version"] == "1"
    code, out = cli("rollback", NAME)
    assert code == 2
    assert "no earlier @champion" in out

    code, out = cli("models", "history", NAME, "--json")
    assert code == 0
    moves = [(m["alias"], m["from_version"], m["to_version"], m["action"]) for m in json.loads(out)]
    assert moves == [
        ("champion", "", "1", "register"),
        ("challenger", "", "2", "register"),
        ("challenger", "2", "3", "register"),
        ("champion", "1", "3", "promote"),
        ("challenger", "3", "", "clear"),
        ("champion", "3", "1", "rollback"),
    ]
    forced = json.loads(out)[3]
    assert forced["reason"].startswith("latency accepted; forced past: it breaks")
    assert forced["who"]
    code, table = cli("models", "history", NAME)
    assert code == 0
    assert "rollback" in table


def test_list_and_show(versions: list) -> None:
    code, out = cli("models", "list", "--json")
    assert code == 0
    found = {m["name"]: m for m in json.loads(out)}
    assert found[NAME]["aliases"] == {"champion": "1"}
    assert found[NAME]["versions"] == 3
    code, out = cli("models", "show", f"{NAME}/3", "--json")
    assert code == 0
    facts = json.loads(out)
    assert facts["violations"] == ["p95 latency 31.00 ms > 20.0 ms"]
    assert facts["family"]
    assert facts["task"] == "binary"
    code, out = cli("models", "show", NAME)
    assert code == 0
    assert "version 1 (@champion)" in out
    assert "features:" in out
    assert cli("models", "show", "no-such-model")[0] == 2
    assert cli("models", "show", "../x")[0] == 2
    assert cli("models", "list")[0] == 0
