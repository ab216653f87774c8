"""CLI: the `serve` command."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds nothing until the serve command lands."""
