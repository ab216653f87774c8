"""Seams for cross-cutting needs: tracking and progress enter the training layers through these.

`pipeline/` passes real implementations (MLflow in `registry/`, Rich in the CLI); tests and the
Python API get the null ones.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol


class Tracker(Protocol):
    """Logs a candidate's trial as it finishes."""

    def log_candidate(
        self,
        name: str,
        params: Mapping[str, Any],
        metrics: Mapping[str, float],
        tags: Mapping[str, str] | None = None,
    ) -> None: ...


class Progress(Protocol):
    """Reports progress of a long step (a family's trials, a file's chunks)."""

    def start(self, key: str, description: str, total: float | None) -> None: ...

    def advance(self, key: str, amount: float = 1.0, description: str | None = None) -> None: ...

    def finish(self, key: str) -> None: ...

    def note(self, message: str) -> None: ...


class NullTracker:
    """A tracker that keeps what it is told in memory (used by tests and the bare Python API)."""

    def __init__(self) -> None:
        self.logged: list[tuple[str, dict[str, Any], dict[str, float]]] = []

    def log_candidate(
        self,
        name: str,
        params: Mapping[str, Any],
        metrics: Mapping[str, float],
        tags: Mapping[str, str] | None = None,
    ) -> None:
        self.logged.append((name, dict(params), dict(metrics)))


class NullProgress:
    """Progress that goes nowhere."""

    def start(self, key: str, description: str, total: float | None) -> None:
        return None

    def advance(self, key: str, amount: float = 1.0, description: str | None = None) -> None:
        return None

    def finish(self, key: str) -> None:
        return None

    def note(self, message: str) -> None:
        return None


class Evidence(Protocol):
    """A verdict of one model against another on the same rows (`evaluation.Comparison`), as
    the registry's guard reads it: whether it is better, and the sentence that says so."""

    @property
    def better(self) -> bool: ...

    def sentence(self) -> str: ...
