"""shipml: applied machine learning from a model specification.

    import shipml
    result = shipml.train("spec.yaml")        # a TrainingResult
    result.model.predict_frame(df)            # predictions in the original labels

Exports are lazy (PEP 562) so `import shipml` and the CLI start fast.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

__version__ = "0.1.0"
__all__ = ["ShipmlError", "TrainingResult", "__version__", "load_model", "load_spec", "train"]

_EXPORTS = {
    "load_spec": "shipml.tasks.load",
    "train": "shipml.pipeline.train",
    "TrainingResult": "shipml.pipeline.result",
    "load_model": "shipml.registry.loading",
    "ShipmlError": "shipml.core.errors",
}


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(_EXPORTS[name]), name)
    raise AttributeError(f"module 'shipml' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(__all__)
