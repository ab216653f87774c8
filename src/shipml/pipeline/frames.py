"""Pipeline: a spec whose data are DataFrames in memory (the notebook's way).

`shipml.train(spec, train=df, test=None)`, or a dict spec whose `data.train` / `data.test` is a
DataFrame: each frame is written once to a Parquet file under the shipml home, named by its
content (`data/<name>-<sha256 prefix>.parquet`), and the spec names that file. A model's bundle
must say which data trained it, and later steps (`shipml report`, a promotion that scores the
test rows again) read them from there, so the data get a real, lasting path rather than living
only in the notebook's memory. The same frame again reuses its file.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pandas as pd

from shipml.core.errors import SpecError
from shipml.data import fingerprint
from shipml.registry.home import shipml_home
from shipml.spec.load import LoadedSpec, parse_yaml
from shipml.spec.yaml_reader import read_spec_file
from shipml.tasks.load import load_spec

FIELDS = ("train", "test")


def spec_with_frames(
    spec: LoadedSpec | str | Path | dict[str, Any],
    train: pd.DataFrame | None = None,
    test: pd.DataFrame | None = None,
) -> LoadedSpec:
    """The spec loaded, with every DataFrame given (as an argument or inside a dict spec)
    replaced by the path of its Parquet copy."""
    given = {"train": train, "test": test}
    if train is None and test is None and not (isinstance(spec, dict) and _has_frames(spec)):
        return spec if isinstance(spec, LoadedSpec) else load_spec(spec)
    raw, base = _raw(spec)
    data = raw.get("data")
    data = dict(data) if isinstance(data, dict) else {}
    name = str(raw.get("name") or "data")
    for field in FIELDS:
        value = given[field] if given[field] is not None else data.get(field)
        if isinstance(value, pd.DataFrame):
            data[field] = str(_stored(value, name, field))
        elif given[field] is not None:
            raise SpecError(
                f"{field}= must be a pandas DataFrame, not {type(given[field]).__name__}",
                where=f"data.{field}",
                fix=f"pass a DataFrame as {field}=, or a file path in the spec's data.{field}",
            )
    raw["data"] = data
    return load_spec(raw, base_dir=base)


def _raw(spec: LoadedSpec | str | Path | dict[str, Any]) -> tuple[dict[str, Any], Path]:
    if isinstance(spec, LoadedSpec):
        return parse_yaml(spec.source_text, "the spec"), spec.base_dir
    if isinstance(spec, dict):
        return copy.copy(spec), Path.cwd()
    path = Path(spec)
    if not path.is_file():
        raise SpecError(f"no spec file at {path}", fix="check the path, or run `shipml init`")
    return parse_yaml(read_spec_file(path), str(path)), path.resolve().parent


def _has_frames(raw: dict[str, Any]) -> bool:
    data = raw.get("data")
    return isinstance(data, dict) and any(isinstance(data.get(f), pd.DataFrame) for f in FIELDS)


def _stored(frame: pd.DataFrame, name: str, field: str) -> Path:
    if frame.empty:
        raise SpecError(f"the {field} DataFrame has no rows", where=f"data.{field}")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in name)[:60]
    folder = shipml_home() / "data"
    path = folder / f"{safe}-{field}-{fingerprint(frame)[:16]}.parquet"
    if not path.is_file():
        folder.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(path.name + ".partial")
        try:
            frame.to_parquet(partial, index=False)
        except (ValueError, TypeError, ImportError) as exc:
            raise SpecError(
                f"the {field} DataFrame cannot be stored as Parquet ({exc})",
                where=f"data.{field}",
                fix="give columns plain types (numbers, strings, booleans, datetimes)",
            ) from None
        partial.replace(path)
    return path
