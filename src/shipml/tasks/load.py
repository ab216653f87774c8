"""Tasks: load a spec with every check, the spec's own and the task's, in one report.

This is `shipml.load_spec`; `spec.load.load_spec` alone checks only what holds for every task.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from shipml.spec import load as spec_load
from shipml.spec.load import LoadedSpec
from shipml.tasks.spec_checks import task_problems


def load_spec(source: str | Path | dict[str, Any], *, base_dir: Path | None = None) -> LoadedSpec:
    """Load and validate a spec from a YAML file path or a dict; raise `SpecError` if invalid."""
    return spec_load.load_spec(source, base_dir=base_dir, checks=(task_problems,))
