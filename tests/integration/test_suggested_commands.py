"""Every command the CLI suggests after `train`, `decide` and `promote` succeeds when run as
written, and the verdicts behind them compare the versions on the same rows."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from shipml.cli import app

from .conftest import make_table, write_spec

runner = CliRunner()
NAME = "shop-suggest"
SUGGESTED = re.compile(r"`(shipml [^`]+)`")


def cli(*args: str) -> tuple[int, str]:
    result = runner.invoke(app, list(args))
    return result.exit_code, result.output


def run_suggestions(output: str) -> list[str]:
    """Run each backticked `shipml ...` command of `output`; return their outputs."""
    outputs = []
    for command in SUGGESTED.findall(output):
        args = shlex.split(command)[1:]
        if args[0] in {"serve", "train"}:  # long-running, or a new training: checked elsewhere
            continue
        code, said = cli(*args)
        assert code == 0, f"the suggested `{command}` failed:\n{said}"
        outputs.append(said)
    return outputs


@pytest.mark.slow
def test_every_suggested_command_succeeds(home: Path, tmp_path: Path) -> None:
    spec = write_spec(tmp_path, make_table(800), name=NAME, constraints={"n_trials": 3})
    code, first = cli("train", str(spec), "--quiet")
    assert code == 0, first
    assert f"registered {NAME} version 1 as @champion" in first
    run_suggestions(first)

    # a policy for the recall the business needs: compared on recall, then precision
    code, decided = cli("decide", NAME, "--recall-target", "0.8")
    assert code == 0, decided
    assert "as @challenger" in decided
    assert re.search(r"(recall \(target 0\.8\)|precision at recall >= 0\.8)", decided), decided
    assert SUGGESTED.search(decided), decided
    promoted = run_suggestions(decided)
    assert promoted
    assert "compared on the same rows:" in promoted[0]
    assert f"{NAME}@champion -> version 2" in promoted[0]

    # another split of the same data: the champion scores the challenger's test rows again
    raw = yaml.safe_load(spec.read_text(encoding="utf-8"))
    raw["seed"] = 11
    spec.write_text(yaml.safe_dump(raw), encoding="utf-8")
    code, second = cli("train", str(spec), "--quiet")
    assert code == 0, second
    assert "version 3 as @challenger" in second
    assert "champion v2" in second
    assert "test rows" in second
    assert SUGGESTED.search(second), second
    for said in run_suggestions(second):
        assert "compared on the same rows:" in said
        run_suggestions(said)
