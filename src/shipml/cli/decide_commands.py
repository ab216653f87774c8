"""CLI: the `decide` command."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Adds nothing until the decide command lands."""
