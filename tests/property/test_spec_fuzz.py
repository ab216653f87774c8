"""Property: `shipml validate` answers any spec, valid or mangled, with exit 0 or a named error.

Specs are built over the real keys and values (`spec_values`), then mutated (`spec_mutations`:
wrong types, unknown keys, typos, huge strings, deep nesting, anchors and alias bombs, bad tags,
impossible dates, duplicate keys, invalid UTF-8, truncation) and run through the CLI in-process.
The seed is fixed, or taken from SHIPML_FUZZ_SEED, and printed on every run:
`SHIPML_FUZZ_SEED=7 pytest tests/property`.
"""

from __future__ import annotations

import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import typer.testing
from hypothesis import HealthCheck, event, given, seed, settings
from typer.testing import CliRunner

from shipml.cli import app
from shipml.spec import ModelSpec

from .spec_mutations import spec_bytes

SEED = int(os.environ.get("SHIPML_FUZZ_SEED") or 20240611)
TOP_KEYS = tuple(ModelSpec.model_fields)
NAMES_A_PLACE = re.compile(
    r"lines? \d+|\(top level\)|(?<![\w-])(" + "|".join(TOP_KEYS) + r")(?![\w-])"
)


def _kind(output: str) -> str:
    """A coarse label of the answer, for `--hypothesis-show-statistics`."""
    for kind in ("not valid YAML", "not UTF-8", "alias", "nests deeper", "appears twice", "tag"):
        if kind in output:
            return kind
    for kind in ("cannot be read", "does not fit the schema", "inconsistent", "is empty"):
        if kind in output:
            return kind
    return "valid" if "valid" in output else "other"


@pytest.fixture(scope="module")
def spec_path(pytestconfig: pytest.Config) -> Iterator[Path]:
    """One spec file, rewritten for each example; SHIPML_HOME points at the same temp folder."""
    capture = pytestconfig.pluginmanager.get_plugin("capturemanager")
    shown = capture.global_and_fixture_disabled() if capture else contextlib.nullcontext()
    with shown:  # past output capture, so every run shows its seed
        print(f"\nspec fuzz: SHIPML_FUZZ_SEED={SEED}", flush=True)
    command = typer.main.get_command(app)
    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as mp:
        mp.setenv("SHIPML_HOME", str(Path(folder) / "home"))
        # Typer rebuilds the Click command from the signatures on every invoke (~60 ms, most of
        # the run); build it once, so 1,000 examples fit in well under a minute.
        mp.setattr(typer.testing, "_get_command", lambda typer_app: command)
        yield Path(folder) / "spec.yaml"


@seed(SEED)
@settings(
    max_examples=1000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=spec_bytes())
def test_validate_answers_any_spec_with_exit_0_or_a_named_error(spec_path, data):
    spec_path.write_bytes(data)
    result = CliRunner().invoke(app, ["validate", str(spec_path)])
    output = result.output.replace(str(spec_path), "SPEC")
    context = f"SHIPML_FUZZ_SEED={SEED}\n{output[:2000]}"
    assert result.exit_code in (0, 2), context
    assert result.exception is None or isinstance(result.exception, SystemExit), context
    assert "Traceback" not in output, context
    assert len(output) < 10_000, context
    event(f"exit {result.exit_code}: {_kind(output)}")
    if result.exit_code == 2:
        assert NAMES_A_PLACE.search(output.removeprefix("error: ")), context


def test_a_value_that_looks_like_rich_markup_is_printed_as_text(spec_path):
    spec_path.write_text('name: "[/x]"\ndata: {train: a.csv}\ntarget: {column: y}\n')
    result = CliRunner().invoke(app, ["validate", str(spec_path)])
    assert result.exit_code == 2, result.exception
    assert "[/x]" in result.output
