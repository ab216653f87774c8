"""The package's public surface is pinned, and importing it is cheap."""

from __future__ import annotations

import subprocess
import sys

import shipml


def test_all_is_pinned() -> None:
    assert sorted(shipml.__all__) == [
        "ShipmlError",
        "TrainingResult",
        "__version__",
        "load_model",
        "load_spec",
        "train",
    ]
    for name in shipml.__all__:
        assert getattr(shipml, name) is not None


def test_import_is_lazy() -> None:
    code = (
        "import sys, shipml; print(any(m in sys.modules for m in ('mlflow', 'optuna', 'lightgbm')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"


def test_cli_help_does_not_load_training_libraries() -> None:
    code = (
        "import sys\nfrom shipml.cli import app\n"
        "print(any(m in sys.modules for m in ('mlflow', 'optuna', 'lightgbm', 'sklearn')))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
