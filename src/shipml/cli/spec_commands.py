"""CLI: commands about the spec itself (`init`, `validate`, `schema`); none trains anything."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from shipml.cli.console import JsonOpt, emit_json, err, guarded


def register(app: typer.Typer) -> None:
    app.command("init")(init)
    app.command("validate")(validate)
    app.command("schema")(schema)


@guarded
def init(
    data: Annotated[str, typer.Argument(help="CSV or Parquet file to model.")],
    target: Annotated[
        list[str] | None,
        typer.Option(
            "--target",
            "-t",
            help="The column to predict; several (or A,B) are the flag columns of a multilabel "
            "target.",
        ),
    ] = None,
    separator: Annotated[
        str | None,
        typer.Option(
            "--separator",
            help="The target column holds each row's labels (multilabel) or levels "
            "(hierarchical) joined by this, e.g. '|' or '/'.",
        ),
    ] = None,
    task: Annotated[
        str | None,
        typer.Option(
            "--task",
            help="hierarchical: the targets are level columns (or one column of paths with "
            "--separator); otherwise inferred.",
        ),
    ] = None,
    out: Annotated[Path, typer.Option("--out", "-o", help="Where to write the spec.")] = Path(
        "spec.yaml"
    ),
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing spec.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """Read DATA and write a commented starting spec that explains each inferred choice."""
    from shipml.core.errors import ShipmlError
    from shipml.pipeline.profile import inspect_inputs, unused_lines
    from shipml.scaffold import scaffold_spec
    from shipml.tasks.load import load_spec

    targets = _targets(target or [])
    if out.exists() and not force:
        raise ShipmlError(f"{out} already exists", where="--out", fix="pass --force or --out NEW")
    if task not in (None, "hierarchical"):
        raise ShipmlError(
            f"--task {task!r}: init infers binary, multiclass, regression and multilabel from "
            "the target; only hierarchical is asked for by name",
            where="--task",
            fix="drop --task (and edit task: in the written spec), or pass --task hierarchical",
        )
    result = scaffold_spec(data, targets, separator=separator, out_path=out, task=task)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(result.text, encoding="utf-8")
    try:
        unused, warnings = inspect_inputs(load_spec(out))
    except ShipmlError:
        err.print(f"wrote {out}, but it cannot train as written:", markup=False)
        raise
    if as_json:
        listed = [u.to_dict() for u in unused]
        emit_json({"spec": str(out), "notes": result.notes, "values": result.spec,
                   "unused_inputs": listed, "warnings": warnings})  # fmt: skip
        return
    for note in result.notes:
        err.print(f"  {note}", markup=False)
    for line in unused_lines(unused):
        err.print(line, markup=False)
    for w in warnings:
        err.print(f"warning: {w}", markup=False)
    err.print(f"wrote {out}; check it, then run: shipml train {out}", markup=False)


def _targets(targets: list[str]) -> list[str]:
    """The column(s) to predict; none is refused with what is supported."""
    from shipml.core.errors import ShipmlError

    if not targets:
        raise ShipmlError(
            "no target given: shipml learns to predict a column (or a set of labels), and tasks "
            "without a target (anomaly detection, clustering) are not supported yet",
            where="--target",
            fix="name the column to predict: --target COLUMN (several for multilabel)",
        )
    return targets


@guarded
def validate(
    spec: Annotated[Path, typer.Argument(help="The spec file.")],
    as_json: JsonOpt = False,
) -> None:
    """Check a spec's schema and cross-field rules (reads no data)."""
    from shipml.tasks.load import load_spec

    loaded = load_spec(spec)
    if as_json:
        emit_json({"valid": True, "name": loaded.spec.name, "spec_hash": loaded.spec_hash})
        return
    err.print(
        f"{spec}: valid (model {loaded.spec.name!r}, spec_version {loaded.spec.spec_version})"
    )


@guarded
def schema() -> None:
    """Print the spec's JSON Schema (for editors: yaml-language-server)."""
    from shipml.spec.load import json_schema

    typer.echo(json.dumps(json_schema(), indent=1))
