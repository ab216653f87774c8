"""Tasks: the one place task kinds are registered, and how a task name finds its kind.

The built-in kinds are listed here explicitly (nothing registers itself on import).
`register_task` adds a kind at run time, for an extension or a test; it refuses a name that is
taken, so a built-in kind cannot be replaced by accident.
"""

from __future__ import annotations

from shipml.core.errors import SpecError
from shipml.tasks.binary import BINARY
from shipml.tasks.hierarchical import HIERARCHICAL
from shipml.tasks.kind import TaskKind
from shipml.tasks.multiclass import MULTICLASS
from shipml.tasks.multilabel import MULTILABEL
from shipml.tasks.regression import REGRESSION

_KINDS: dict[str, TaskKind] = {
    k.name: k for k in (BINARY, MULTICLASS, REGRESSION, MULTILABEL, HIERARCHICAL)
}
BUILTIN = frozenset(_KINDS)


def task_kind(name: str) -> TaskKind:
    """The kind registered under `name` (a `Task` or its text)."""
    kind = _KINDS.get(str(name))
    if kind is None:
        raise SpecError(
            f"the task {str(name)!r} is not a task shipml knows",
            where="task",
            fix=f"use one of {sorted(_KINDS)}",
        )
    return kind


def register_task(kind: TaskKind) -> TaskKind:
    """Add a task kind; its name must be new."""
    if kind.name in _KINDS:
        raise ValueError(f"a task named {kind.name!r} is already registered")
    _KINDS[kind.name] = kind
    return kind


def unregister_task(name: str) -> None:
    """Remove a kind added with `register_task` (built-in kinds stay)."""
    if name in BUILTIN:
        raise ValueError(f"the built-in task {name!r} cannot be removed")
    _KINDS.pop(name, None)


def registered() -> tuple[TaskKind, ...]:
    return tuple(_KINDS.values())
