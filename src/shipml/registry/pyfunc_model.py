"""Registry: the MLflow pyfunc model class; its artifact is a shipml bundle.

The file MLflow logs and executes is `pyfunc_entry.py`, which imports this class from the
installed package, so nothing is cloudpickled and no logged code defines behaviour: the bundle
is read with hash verification by `load_bundle`.

`predict` is annotated with `pd.DataFrame`; the signature MLflow records is given explicitly at
registration (`register.signature`: the input columns by name, any type), so MLflow infers
nothing from the hint; shipml validates every input against the training schema itself.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import mlflow.pyfunc
import pandas as pd


class ShipmlPyfunc(mlflow.pyfunc.PythonModel):
    def load_context(self, context: Any) -> None:
        from shipml.registry.bundle import load_bundle

        self.bundle = load_bundle(Path(context.artifacts["bundle"]))

    def predict(
        self, context: Any, model_input: pd.DataFrame, params: dict[str, Any] | None = None
    ) -> pd.DataFrame:
        return self.bundle.model.predict_frame(model_input)
