"""CLI: commands on registered models (`promote`)."""

from __future__ import annotations

from typing import Annotated

import typer

from shipml.cli.console import emit_json, err, guarded


def register(app: typer.Typer) -> None:
    app.command("promote")(promote)


@guarded
def promote(
    name: Annotated[str, typer.Argument(help="Registered model name.")],
    version: Annotated[str, typer.Argument(help="The version to promote.")],
    alias: Annotated[str, typer.Option("--alias", help="champion or challenger.")] = "champion",
    as_json: Annotated[bool, typer.Option("--json")] = False,
) -> None:
    """Point an alias (default @champion) at a version."""
    from shipml.core.errors import ShipmlError
    from shipml.registry.models import ModelRef
    from shipml.registry.models import promote as move_alias

    if alias not in ("champion", "challenger"):
        raise ShipmlError(
            f"unknown alias {alias!r}", where="--alias", fix="use champion or challenger"
        )
    if not version.isdigit():
        raise ShipmlError(f"{version!r} is not a version number", where="VERSION", fix="e.g. 2")
    ModelRef.parse(name)
    previous = move_alias(name, version, alias)
    if as_json:
        emit_json({"name": name, "alias": alias, "version": version, "previous": previous})
        return
    was = f" (was version {previous})" if previous else ""
    err.print(f"{name}@{alias} -> version {version}{was}")
