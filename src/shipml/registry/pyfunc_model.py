"""Registry: the MLflow pyfunc model, defined from code; its artifact is a shipml bundle.

MLflow executes this file when loading the model (`mlflow.pyfunc.load_model`), so nothing is
cloudpickled: the bundle is read with hash verification by `load_bundle`.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import mlflow.pyfunc
from mlflow.models import set_model

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


set_model(ShipmlPyfunc())
