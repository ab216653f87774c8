"""Spec: read YAML into a frozen `ModelSpec`, with errors that name the path and the fix."""

from __future__ import annotations

import difflib
import hashlib
import json
import typing
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError
from typing_extensions import is_typeddict

from shipml.core.errors import SpecError
from shipml.spec.checks import Check, cross_field_problems
from shipml.spec.echo import clip, dotted, echo
from shipml.spec.migrations import migrate
from shipml.spec.model import ModelSpec
from shipml.spec.params import ValidatedAs
from shipml.spec.yaml_reader import read_spec_file, read_yaml

MAX_PROBLEMS = 20


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


def load_spec(
    source: str | Path | dict[str, Any],
    *,
    base_dir: Path | None = None,
    checks: Sequence[Check] = (),
) -> LoadedSpec:
    """Load and validate a spec from a YAML file path or a dict; raise `SpecError` if invalid.
    `checks` are run with the spec's own cross-field checks, in one report: `shipml.tasks`
    passes the task-dependent ones (use `shipml.load_spec`, which does)."""
    if isinstance(source, dict):
        raw, text = dict(source), _dump(source)
        folder = base_dir or Path.cwd()
    else:
        path = Path(source)
        if not path.is_file():
            raise SpecError(f"no spec file at {path}", fix="check the path, or run `shipml init`")
        text = read_spec_file(path)
        raw = parse_yaml(text, str(path))
        folder = base_dir or path.resolve().parent
    spec = validate_raw(raw, checks)
    return LoadedSpec(spec=spec, base_dir=folder, source_text=text)


def parse_yaml(text: str, origin: str) -> dict[str, Any]:
    """The raw sections of a spec's YAML text, read by the bounded reader."""
    raw = read_yaml(text, origin)
    if raw is None:
        raise SpecError(f"{origin} is empty", fix="write at least name, data.train and target")
    if not isinstance(raw, dict):
        raise SpecError(
            f"{origin} must be a mapping of sections (name, data, target, ...), "
            f"not a {type(raw).__name__}",
            fix="start each top-level line with a key, such as name: churn",
        )
    return raw


def _dump(source: dict[str, Any]) -> str:
    try:
        return yaml.safe_dump(source, sort_keys=False)
    except (yaml.YAMLError, RecursionError, ValueError) as exc:
        raise SpecError(f"the spec is not plain data: {clip(str(exc))}") from None


def validate_raw(raw: dict[str, Any], checks: Sequence[Check] = ()) -> ModelSpec:
    raw = migrate(raw)
    try:
        spec = ModelSpec.model_validate(raw)
    except ValidationError as exc:
        raise SpecError(
            "the spec does not fit the schema:",
            problems=_listed([_describe(err) for err in exc.errors()]),
            fix="see `shipml schema` for every key and its type",
        ) from None
    problems = cross_field_problems(spec, checks)
    if problems:
        raise SpecError("the spec is inconsistent:", problems=_listed(problems))
    return spec


def _listed(problems: list[str]) -> list[str]:
    """At most MAX_PROBLEMS, then how many more: a list of 10,000 wrong items stays readable."""
    if len(problems) <= MAX_PROBLEMS:
        return problems
    return [*problems[:MAX_PROBLEMS], f"... and {len(problems) - MAX_PROBLEMS} more"]


def _describe(err: Any) -> str:
    loc = [p for p in err["loc"] if not str(p).startswith("function-")]
    path = dotted(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        known = _known_keys([str(p) for p in loc[:-1]])
        close = difflib.get_close_matches(clip(str(loc[-1]), 100), known, n=1)
        hint = f"; did you mean {close[0]!r}?" if close else f"; known keys: {', '.join(known)}"
        return f"{path}: unknown key{hint if known else '; this section takes no keys'}"
    if kind == "missing":
        return f"{path}: required, but missing"
    message = clip(str(err["msg"]).removeprefix("Value error, "), 400)
    return f"{path}: {message} (got {echo(err.get('input'))})"


def _known_keys(loc: list[str]) -> list[str]:
    """The keys the section at `loc` allows (a model's fields or a TypedDict's keys)."""
    section: Any = ModelSpec
    for key in loc:
        section = next((c for c in _keys_of(section).get(key, []) if _keys_of(c)), None)
        if section is None:
            return []
    return list(_keys_of(section))


def _keys_of(section: Any) -> dict[str, list[Any]]:
    """Key -> the types its value may take, for a pydantic model or a TypedDict; else empty."""
    if isinstance(section, type) and issubclass(section, BaseModel):
        return {
            name: [
                *_unwrapped(f.annotation),
                *(m.schema for m in f.metadata if isinstance(m, ValidatedAs)),
            ]
            for name, f in section.model_fields.items()
        }
    if is_typeddict(section):
        return {k: _unwrapped(t) for k, t in typing.get_type_hints(section).items()}
    return {}


def _unwrapped(annotation: Any) -> list[Any]:
    return [annotation, *getattr(annotation, "__args__", ())]


def json_schema() -> dict[str, Any]:
    """The JSON Schema of the spec, for editors (yaml-language-server)."""
    schema = ModelSpec.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "shipml model specification"
    return schema
