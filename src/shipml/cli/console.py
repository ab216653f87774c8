"""CLI: output (Rich on stderr for people, JSON on stdout for scripts) and error handling.

A `ShipmlError` prints its message and exits with 2; any other error prints one line and
writes the traceback to a log file under the shipml home (never local variables on screen).
"""

from __future__ import annotations

import functools
import json
import os
import sys
import time
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, ParamSpec, TypeVar

import typer
from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)
from rich.progress import Progress as RichProgressBar

from shipml.core.errors import ShipmlError

JsonOpt = Annotated[bool, typer.Option("--json", help="Print machine-readable JSON.")]
QuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print only the essentials.")]
P = ParamSpec("P")
R = TypeVar("R")


class _Console(Console):
    """Rich, but when the output is not a terminal (piped, redirected, captured) a line of
    text is written whole: a path or a command is never broken across lines at 80 columns."""

    def print(self, *objects: Any, soft_wrap: bool | None = None, **kwargs: Any) -> None:
        if soft_wrap is None and not self.is_terminal:
            soft_wrap = True
        super().print(*objects, soft_wrap=soft_wrap, **kwargs)


err = _Console(stderr=True, highlight=False)
out = _Console(highlight=False)


def emit_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, indent=1, default=str) + "\n")


def guarded(fn: Callable[P, R]) -> Callable[P, R]:
    """Map errors to messages and exit codes for one command."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except typer.Exit:
            raise
        except ShipmlError as exc:  # its text may hold user values: never read as markup
            err.print(f"[bold red]error:[/] {escape(str(exc))}", markup=True, soft_wrap=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            err.print("interrupted")
            raise typer.Exit(130) from None
        except Exception as exc:
            log = _write_traceback()
            line = f"{type(exc).__name__}: {exc}".splitlines()[0][:300]
            err.print(f"[bold red]unexpected error:[/] {escape(line)}")
            err.print(f"the traceback is in {log}; please report it", markup=False, soft_wrap=True)
            raise typer.Exit(1) from None

    return wrapper


def _write_traceback() -> Path:
    from shipml.registry.home import logs_dir

    stamp = time.strftime("%Y%m%d-%H%M%S")
    path = logs_dir() / f"error-{stamp}-{os.getpid()}-{uuid.uuid4().hex[:8]}.log"
    path.write_text(traceback.format_exc(), encoding="utf-8")
    return path


class RichProgress:
    """The core `Progress` protocol on a Rich progress bar (stderr)."""

    def __init__(self) -> None:
        self.bar = RichProgressBar(
            SpinnerColumn(),
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=err,
            transient=False,
        )
        self.tasks: dict[str, Any] = {}

    def __enter__(self) -> RichProgress:
        self.bar.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bar.stop()

    def start(self, key: str, description: str, total: float | None) -> None:
        self.tasks[key] = self.bar.add_task(description, total=total)

    def advance(self, key: str, amount: float = 1.0, description: str | None = None) -> None:
        if key in self.tasks:
            self.bar.update(self.tasks[key], advance=amount, description=description)

    def finish(self, key: str) -> None:
        if key in self.tasks:
            task = self.bar.tasks[self.tasks[key]]
            self.bar.update(self.tasks[key], completed=task.total or task.completed)

    def note(self, message: str) -> None:
        self.bar.console.print(f"[dim]{message}[/]")
