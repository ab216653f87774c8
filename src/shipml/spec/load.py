"""Spec: read YAML into a frozen `ModelSpec`, with errors that name the path and the fix."""

from __future__ import annotations

import difflib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from shipml.core.errors import SpecError
from shipml.spec.checks import cross_field_problems
from shipml.spec.migrations import migrate
from shipml.spec.model import ModelSpec


@dataclass(frozen=True, slots=True)
class LoadedSpec:
    """A validated spec with where it came from: relative paths resolve against `base_dir`."""

    spec: ModelSpec
    base_dir: Path
    source_text: str

    @property
    def spec_hash(self) -> str:
        canonical = json.dumps(self.spec.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()

    def resolve(self, path: str) -> str:
        """A data path from the spec, made absolute against the spec's folder (globs kept)."""
        p = Path(path).expanduser()
        return str(p if p.is_absolute() else (self.base_dir / p))


def load_spec(source: str | Path | dict[str, Any], *, base_dir: Path | None = None) -> LoadedSpec:
    """Load and validate a spec from a YAML file path or a dict; raise `SpecError` if invalid."""
    if isinstance(source, dict):
        raw, text = dict(source), yaml.safe_dump(source, sort_keys=False)
        folder = base_dir or Path.cwd()
    else:
        path = Path(source)
        if not path.is_file():
            raise SpecError(f"no spec file at {path}", fix="check the path, or run `shipml init`")
        text = path.read_text(encoding="utf-8")
        raw = parse_yaml(text, str(path))
        folder = base_dir or path.resolve().parent
    spec = validate_raw(raw)
    return LoadedSpec(spec=spec, base_dir=folder, source_text=text)


def parse_yaml(text: str, origin: str) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else "unknown place"
        raise SpecError(
            f"{origin} is not valid YAML ({where}): {getattr(exc, 'problem', exc)}",
            fix="fix the YAML syntax at that place (indentation, a missing colon or quote)",
        ) from None
    if raw is None:
        raise SpecError(f"{origin} is empty", fix="write at least name, data.train and target")
    if not isinstance(raw, dict):
        raise SpecError(f"{origin} must be a mapping of sections, not {type(raw).__name__}")
    return raw


def validate_raw(raw: dict[str, Any]) -> ModelSpec:
    raw = migrate(raw)
    try:
        spec = ModelSpec.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(
            "the spec does not fit the schema:",
            problems=[_describe(err) for err in exc.errors()],
            fix="see `shipml schema` for every key and its type",
        ) from None
    problems = cross_field_problems(spec)
    if problems:
        raise SpecError("the spec is inconsistent:", problems=problems)
    return spec


def _describe(err: Any) -> str:
    loc = [str(p) for p in err["loc"] if not str(p).startswith("function-")]
    path = ".".join(loc) or "(top level)"
    kind = err["type"]
    if kind == "extra_forbidden":
        parent_model = _model_at(loc[:-1])
        known = list(parent_model.model_fields) if parent_model else []
        close = difflib.get_close_matches(loc[-1], known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}"
        return f"{path}: unknown key{hint}"
    if kind == "missing":
        return f"{path}: required, but missing"
    message = str(err["msg"]).removeprefix("Value error, ")
    return f"{path}: {message} (got {err.get('input')!r})"


def _model_at(loc: list[str]) -> type[BaseModel] | None:
    model: type[BaseModel] = ModelSpec
    for key in loc:
        field = model.model_fields.get(key)
        if field is None:
            return None
        candidates = [field.annotation, *getattr(field.annotation, "__args__", ())]
        nxt = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if nxt is None:
            return None
        model = nxt
    return model


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the spec, for editors (yaml-language-server)."""
    schema = ModelSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "shipml model specification"
    return schema
