"""CLI: the `report` command, which (re)generates a model's self-contained HTML report."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from shipml.cli.console import JsonOpt, emit_json, err, guarded, out


def register(app: typer.Typer) -> None:
    app.command("report")(report)


@guarded
def report(
    source: Annotated[
        str,
        typer.Argument(
            metavar="RUN_OR_MODEL",
            help="MLflow run id, bundle folder, spec file or NAME[@alias|/version].",
        ),
    ],
    out_path: Annotated[
        Path | None, typer.Option("--out", "-o", help="HTML file (default: the bundle's report/).")
    ] = None,
    spec: Annotated[
        Path | None,
        typer.Option("--spec", help="The spec whose data trained the model (default: its copy)."),
    ] = None,
    as_json: JsonOpt = False,
) -> None:
    """Explain the model on its test rows and write one self-contained HTML report."""
    from shipml.pipeline.report import report_for

    path = report_for(source, out=out_path, spec=spec)
    if as_json:
        emit_json({"report": str(path)})
        return
    err.print("report written; open it in a browser (it needs no network)")
    out.print(str(path), markup=False)
