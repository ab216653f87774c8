"""Registry: a model to run, from a spec file (its `@champion`), a bundle folder, or a registry
reference `NAME[@alias|/version]`, with its bundle checked and its compiled path built."""

from __future__ import annotations

from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import TYPE_CHECKING

from shipml.registry.bundle import LoadedBundle, load_bundle
from shipml.registry.models import ModelRef, load_registered
from shipml.runtime.compiled import CompiledModel
from shipml.runtime.engines import EngineKind
from shipml.runtime.inference import InferenceModel
from shipml.tasks.load import load_spec

if TYPE_CHECKING:
    import pandas as pd


@dataclass(frozen=True, slots=True)
class LoadedModel:
    model: InferenceModel
    version: str  # registry version, or "local" for a bundle folder
    bundle: LoadedBundle
    compiled: CompiledModel  # the model with its compiled path and engine

    def predict_frame(self, df: pd.DataFrame) -> pd.DataFrame:
        """`prediction` in the original labels and `proba_<label>` per class (as served)."""
        return self.model.predict_frame(df)

    def predict(self, df: pd.DataFrame) -> pd.DataFrame:
        """The same as `predict_frame`."""
        return self.model.predict_frame(df)

    def _repr_html_(self) -> str:
        m = self.model
        rows = {
            "model": f"{self.bundle.folder.parent.name} (version {self.version})",
            "task": m.task,
            "target": m.target,
            "classes": ", ".join(map(str, m.classes)) or "-",
            "inputs": str(len(m.preprocessor.input_columns)),
            "decision": m.policy.rule,
        }
        cells = "".join(f"<tr><th>{escape(k)}</th><td>{escape(str(v))}</td></tr>"
                        for k, v in rows.items())  # fmt: skip
        return f"<table>{cells}</table>"


def load_model(source: str | Path, engine: EngineKind = "native") -> LoadedModel:
    """A model from a spec file (its `@champion`), a bundle folder, or NAME[@alias|/version]."""
    path = Path(source)
    if path.is_dir():
        bundle = load_bundle(path)
        return LoadedModel(bundle.model, "local", bundle, CompiledModel(bundle.model, engine))
    if path.suffix in (".yaml", ".yml"):
        ref = ModelRef.parse(load_spec(path).spec.name)
    else:
        ref = ModelRef.parse(str(source))
    bundle, version = load_registered(ref)
    return LoadedModel(bundle.model, version, bundle, CompiledModel(bundle.model, engine))
