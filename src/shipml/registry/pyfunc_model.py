"""Registry: the MLflow pyfunc model class; its artifact is a shipml bundle.

The file MLflow logs and executes is `pyfunc_entry.py`, which imports this class from the
installed package, so nothing is cloudpickled and no logged code defines behaviour: the bundle
is read with hash verification by `load_bundle`.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import mlflow.pyfunc

with warnings.catch_warnings():
    # MLflow warns at class creation that a DataFrame input has no validated type hint;
    # shipml validates inputs itself, against the training schema.
    warnings.simplefilter("ignore", UserWarning)

    class ShipmlPyfunc(mlflow.pyfunc.PythonModel):
        def load_context(self, context: Any) -> None:
            from shipml.registry.bundle import load_bundle

            self.bundle = load_bundle(Path(context.artifacts["bundle"]))

        def predict(self, context, model_input, params=None):
            return self.bundle.model.predict_frame(model_input)
