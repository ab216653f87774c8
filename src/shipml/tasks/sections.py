"""Tasks: a task's own spec section (`forecast:`, `ranking:`, ...), validated by its kind.

The spec keeps a task section as plain data under the task's name; the task kind holds the
model that reads it (`TaskKind.section`) and whether it is required. A section for another
task than the spec's, or for a task that takes none, is refused with the fix.
"""

from __future__ import annotations

import difflib

from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from shipml.spec.echo import clip, dotted, echo
from shipml.spec.model import ModelSpec
from shipml.tasks.kind import TargetKind, TaskKind


def section_problems(spec: ModelSpec, kind: TaskKind | None) -> list[str]:
    """The task sections against the spec's task (`kind` None: `task: auto`)."""
    problems = []
    for name in sorted(spec.sections):
        if kind is None or name != kind.name:
            task = "auto (inferred)" if kind is None else repr(kind.name)
            problems.append(
                f"{name}: a section for the {name!r} task, but the task is {task}; "
                f"set task: {name}, or remove the section"
            )
        elif kind.section is None:
            problems.append(f"{name}: a {name} task takes no section of its own; remove it")
    if kind is None or kind.section is None:
        return problems
    if kind.name not in spec.sections:
        if kind.section_required:
            problems.append(f"{kind.name}: required for a {kind.name} task, but missing")
        return problems
    try:
        kind.section.model_validate(spec.sections[kind.name])
    except ValidationError as exc:
        problems += [_describe(kind.name, kind.section, e) for e in exc.errors()]
    return problems


def target_problems(spec: ModelSpec, kind: TaskKind | None) -> list[str]:
    """A task that learns a target needs `target`; one without a target takes none."""
    if kind is not None and kind.target is TargetKind.NONE:
        return (
            [] if spec.target is None else [f"target: a {kind.name} task has no target; remove it"]
        )
    if spec.target is None:
        what = "every task that learns a target" if kind is None else f"a {kind.name} task"
        return [f"target: required for {what}, but missing; write target: {{column: NAME}}"]
    return []


def task_section(spec: ModelSpec, kind: TaskKind) -> BaseModel | None:
    """The spec's section for `kind`, as its model (its defaults when the spec gives none)."""
    if kind.section is None:
        return None
    return kind.section.model_validate(spec.sections.get(kind.name, {}))


def _describe(name: str, model: type[BaseModel], e: ErrorDetails) -> str:
    loc = [str(p) for p in e["loc"]]
    path = dotted([name, *loc])
    if e["type"] == "extra_forbidden" and loc:
        known = list(model.model_fields)
        close = difflib.get_close_matches(clip(loc[-1], 100), known, n=1)
        hint = f"did you mean {close[0]!r}?" if close else f"known keys: {', '.join(known)}"
        return f"{path}: unknown key; {hint}"
    if e["type"] == "missing":
        return f"{path}: required, but missing"
    message = clip(str(e["msg"]).removeprefix("Value error, "), 400)
    return f"{path}: {message} (got {echo(e.get('input'))})"
