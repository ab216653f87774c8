"""CLI: the `shipml` command, the front door. Each command imports what it needs when it runs."""

from __future__ import annotations

import time

LAUNCHED = time.monotonic()  # the command's start: a time budget counts from here

import typer  # noqa: E402

from shipml.cli import (  # noqa: E402
    decide_commands,
    model_commands,
    report_commands,
    serve_commands,
    spec_commands,
    train_commands,
)

app = typer.Typer(
    name="shipml",
    help="Applied machine learning from a model specification.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,  # pretty tracebacks print local variables, which hold data
    rich_markup_mode=None,
)


def _version(value: bool) -> None:
    if value:
        from shipml import __version__

        typer.echo(f"shipml {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Applied machine learning from a model specification."""


for commands in (
    spec_commands,
    train_commands,
    decide_commands,
    report_commands,
    model_commands,
    serve_commands,
):
    commands.register(app)


def main() -> None:
    app()
