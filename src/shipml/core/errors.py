"""The one error tree of shipml; every message names the field or column at fault and the fix.

ShipmlError                 a mistake a user can fix; the CLI prints it and exits with 2
├── SpecError               the model specification (YAML, schema, cross-field rules)
├── DataContractError       the data against the spec (columns, types, classes, emptiness)
├── ConstraintError         no candidate meets the spec's constraints and `strict` is set
├── ArtifactError           a saved model is missing, tampered with or unreadable
│   └── ModelNotFoundError  a model reference (NAME[@alias|/version]) resolves to nothing
└── BudgetError             the training budget ends before any candidate finished
"""

from __future__ import annotations


class ShipmlError(Exception):
    """A mistake a user can fix. `where` names the spec field or data column at fault."""

    def __init__(self, message: str, *, where: str | None = None, fix: str | None = None) -> None:
        self.where = where
        self.fix = fix
        self.detail = message
        text = f"{where}: {message}" if where else message
        if fix:
            text = f"{text} Fix: {fix}"
        super().__init__(text)


class SpecError(ShipmlError):
    """The model specification is malformed or inconsistent."""

    def __init__(
        self,
        message: str,
        *,
        where: str | None = None,
        fix: str | None = None,
        problems: list[str] | None = None,
    ) -> None:
        self.problems = problems or []
        if self.problems:
            message = message + "\n" + "\n".join(f"  - {p}" for p in self.problems)
        super().__init__(message, where=where, fix=fix)


class DataContractError(ShipmlError):
    """The data does not honour what the spec promises about it."""


class ConstraintError(ShipmlError):
    """No candidate meets the constraints and the spec asks for strictness."""


class BudgetError(ShipmlError):
    """The training budget ran out before any candidate finished."""


class ArtifactError(ShipmlError):
    """A model artifact is missing, unreadable or does not match its recorded hash."""


class ModelNotFoundError(ArtifactError):
    """A model reference resolves to no registered version."""
