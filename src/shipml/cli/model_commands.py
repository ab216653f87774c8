"""CLI: commands on registered models: `models list|show|history|doctor`, `promote`, `rollback`."""

from __future__ import annotations

from typing import Annotated

import typer

from shipml.cli.console import JsonOpt, emit_json, err, guarded, out

models_app = typer.Typer(
    name="models", help="Registered models: list, show, history.", no_args_is_help=True
)
ALIASES = ("champion", "challenger")


def register(app: typer.Typer) -> None:
    app.add_typer(models_app, name="models")
    app.command("promote")(promote)
    app.command("rollback")(rollback)


@models_app.command("list")
@guarded
def list_models(as_json: JsonOpt = False) -> None:
    """Every registered model with its aliases and versions."""
    from rich.table import Table

    from shipml.registry.catalog import list_models as registered

    found = registered()
    if as_json:
        emit_json(found)
        return
    if not found:
        err.print("no registered models yet; `shipml train SPEC` registers one")
        return
    table = Table(title="Registered models")
    for column in ("name", "champion", "challenger", "versions", "latest", "updated"):
        table.add_column(column)
    for m in found:
        aliases = m["aliases"]
        table.add_row(
            m["name"],
            _v(aliases.get("champion")),
            _v(aliases.get("challenger")),
            str(m["versions"]),
            _v(m["latest"]),
            m["updated"] or "",
        )
    out.print(table)


@models_app.command("show")
@guarded
def show(
    model: Annotated[str, typer.Argument(help="NAME[@alias|/version]; a bare NAME: @champion.")],
    as_json: JsonOpt = False,
) -> None:
    """A version's aliases, family, metrics, constraint violations and input schema."""
    from shipml.registry.catalog import describe
    from shipml.registry.models import ModelRef

    facts = describe(ModelRef.parse(model))
    if as_json:
        emit_json(facts)
        return
    aliases = ", ".join(f"@{a}" for a in facts["aliases"]) or "no alias"
    out.print(f"{facts['name']} version {facts['version']} ({aliases})", markup=False)
    out.print(f"  {facts['family']} {facts['task']} model of {facts['target']!r}", markup=False)
    test = (facts.get("metrics") or {}).get("test") or {}
    metric = facts.get("primary_metric")
    if metric in test and test[metric] is not None:
        out.print(f"  test {metric}: {test[metric]:.4f}", markup=False)
    out.print(f"  created {facts['created']}, run {facts['run_id']}", markup=False)
    for v in facts["violations"]:
        out.print(f"  constraint broken: {v}", markup=False)
    columns = (facts.get("input_schema") or {}).get("columns", [])
    features = [c["name"] for c in columns if c.get("role") == "feature"]
    passthrough = [c["name"] for c in columns if c.get("role") != "feature"]
    out.print(f"  features: {', '.join(features)}", markup=False)
    if passthrough:
        out.print(f"  passthrough: {', '.join(passthrough)}", markup=False)


@models_app.command("history")
@guarded
def history(
    name: Annotated[str, typer.Argument(help="Registered model name.")],
    as_json: JsonOpt = False,
) -> None:
    """Every alias move of a model, oldest first: when, alias, from, to, who and why."""
    from rich.table import Table

    from shipml.registry.models import ModelRef
    from shipml.registry.models import history as moves_of

    moves = moves_of(ModelRef.parse(name).name)
    if as_json:
        emit_json([m.to_dict() for m in moves])
        return
    if not moves:
        err.print(f"no alias moves recorded for {name!r}")
        return
    table = Table(title=f"Alias history of {name}")
    for column in ("when (UTC)", "alias", "from", "to", "action", "who", "reason"):
        table.add_column(column, overflow="fold")
    for m in moves:
        table.add_row(
            m.at.replace("T", " ")[:19],
            f"@{m.alias}",
            _v(m.from_version),
            _v(m.to_version),
            m.action,
            m.who,
            m.reason,
        )
    out.print(table)


@models_app.command("doctor")
@guarded
def doctor(
    name: Annotated[str | None, typer.Argument(help="One model; every model when absent.")] = None,
    fix: Annotated[bool, typer.Option("--fix", help="Repair what is found.")] = False,
    as_json: JsonOpt = False,
) -> None:
    """What interrupted writes left: half-registered versions, alias moves the audit history
    does not show, runs left RUNNING, unfinished bundle folders; --fix repairs them."""
    from shipml.registry.doctor import doctor as examine

    found = examine(name, fix=fix)
    if as_json:
        emit_json({"fixed": fix, "findings": [f.to_dict() for f in found]})
        return
    if not found:
        err.print("nothing to repair")
        return
    for f in found:
        state = "repaired" if f.repaired else "found"
        out.print(f"{state}: {f.kind} {f.model} {f.subject}: {f.detail}", markup=False)
    if not fix:
        err.print("run again with --fix to repair these")


@guarded
def promote(
    name: Annotated[str, typer.Argument(help="Registered model name.")],
    version: Annotated[str, typer.Argument(help="The version to promote.")],
    alias: Annotated[str, typer.Option("--alias", help="champion or challenger.")] = "champion",
    force: Annotated[
        bool, typer.Option("--force", help="Promote even if it breaks a constraint or loses.")
    ] = False,
    reason: Annotated[str, typer.Option("--reason", help="Why; kept in the history.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Point an alias (default @champion) at a version; guarded, recorded in the history."""
    from shipml.core.errors import ShipmlError
    from shipml.pipeline.promotion import promote_version
    from shipml.registry.models import ModelRef

    _check_alias(alias)
    if not version.isdigit():
        raise ShipmlError(f"{version!r} is not a version number", where="VERSION", fix="e.g. 2")
    ModelRef.parse(name)
    previous, evidence = promote_version(name, version, alias, force=force, reason=reason)
    said = evidence if isinstance(evidence, str) or evidence is None else evidence.sentence()
    if as_json:
        verdict = None if evidence is None or isinstance(evidence, str) else evidence.to_dict()
        emit_json({"name": name, "alias": alias, "version": version, "previous": previous,
                   "comparison": verdict, "compared": said})  # fmt: skip
        return
    if said is not None:
        err.print(f"compared on the same rows: {said}", markup=False)
    was = f" (was version {previous})" if previous else ""
    err.print(f"{name}@{alias} -> version {version}{was}")


@guarded
def rollback(
    name: Annotated[str, typer.Argument(help="Registered model name.")],
    alias: Annotated[str, typer.Option("--alias", help="champion or challenger.")] = "champion",
    reason: Annotated[str, typer.Option("--reason", help="Why; kept in the history.")] = "",
    as_json: JsonOpt = False,
) -> None:
    """Move an alias (default @champion) back to the version it held before."""
    from shipml.registry.models import ModelRef
    from shipml.registry.models import rollback as roll_back

    _check_alias(alias)
    was, now = roll_back(ModelRef.parse(name).name, alias, reason=reason)
    if as_json:
        emit_json({"name": name, "alias": alias, "version": now, "previous": was})
        return
    err.print(f"{name}@{alias} -> version {now} (rolled back from version {was})")


def _v(version: str | None) -> str:
    return f"v{version}" if version else "-"


def _check_alias(alias: str) -> None:
    from shipml.core.errors import ShipmlError

    if alias not in ALIASES:
        raise ShipmlError(
            f"unknown alias {alias!r}", where="--alias", fix="use champion or challenger"
        )
