"""Registry: the append-only audit history of alias moves, kept in the tracking store.

Every move of an alias (`register`: train or decide adding a version; `promote`; `rollback`;
`clear`: a challenger removed by its promotion) is one MLflow run in the experiment
`shipml-registry-audit`, with the model, alias, from and to versions, the action, who and why
as tags, and the time in nanoseconds.

Why runs and not registered-model tags: a run is a record of its own with a timestamp, written
once and never updated (shipml only ever creates them), there is no limit on how many a model has,
they are searchable (`search_runs` by model), visible in the MLflow UI beside the training runs,
and they outlive a deleted model, which an incident review may need. Tags are key-value pairs
that a later write overwrites, and they would clutter the model's page. The cost is one small run
per move (tens of milliseconds). Concurrent moves are ordered by their nanosecond stamps.
"""

from __future__ import annotations

import getpass
import os
import time
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from typing import Any

EXPERIMENT = "shipml-registry-audit"
_TAG = "shipml.audit."
_FIELDS = ("model", "alias", "from_version", "to_version", "action", "who", "reason", "at", "ns")


@dataclass(frozen=True, slots=True)
class AliasMove:
    """One move: `alias` of `model` went from `from_version` ("" when unset) to `to_version`
    ("" when removed)."""

    model: str
    alias: str
    from_version: str
    to_version: str
    action: str  # register | promote | rollback | clear
    who: str
    reason: str
    at: str  # ISO 8601, UTC
    ns: int  # orders moves

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def current_user() -> str:
    try:
        return os.environ.get("SHIPML_USER") or getpass.getuser()
    except (KeyError, OSError):
        return "unknown"


def record_move(
    client: Any,
    model: str,
    alias: str,
    from_version: str | None,
    to_version: str | None,
    *,
    action: str,
    reason: str = "",
    who: str | None = None,
) -> AliasMove:
    """Append one move to the audit experiment (created on first use)."""
    ns = time.time_ns()
    move = AliasMove(
        model=model,
        alias=alias,
        from_version=from_version or "",
        to_version=to_version or "",
        action=action,
        who=who or current_user(),
        reason=reason[:4000],
        at=datetime.fromtimestamp(ns / 1e9, UTC).isoformat(timespec="milliseconds"),
        ns=ns,
    )
    tags = {_TAG + k: str(v) for k, v in move.to_dict().items()}
    name = f"{model}@{alias}: {move.from_version or '-'} -> {move.to_version or '-'}"
    run = client.create_run(_experiment_id(client), run_name=name, tags=tags)
    client.set_terminated(run.info.run_id)
    return move


def read_history(client: Any, model: str) -> list[AliasMove]:
    """Every recorded move of `model`'s aliases, oldest first."""
    found = client.get_experiment_by_name(EXPERIMENT)
    if found is None:
        return []
    quoted = model.replace("'", "\\'")
    runs: list[Any] = []
    token = None
    while True:
        page = client.search_runs(
            [found.experiment_id],
            filter_string=f"tags.`{_TAG}model` = '{quoted}'",
            max_results=1000,
            page_token=token,
        )
        runs.extend(page)
        token = page.token
        if not token:
            break
    moves = [_from_tags(r.data.tags) for r in runs]
    return sorted(moves, key=lambda m: m.ns)


def previous_champion(moves: list[AliasMove], alias: str) -> str | None:
    """The version `alias` held before its current one, with rollbacks undoing promotions:
    each move pushes the version it replaced; each rollback pops one."""
    stack: list[str] = []
    for m in moves:
        if m.alias != alias:
            continue
        if m.action == "rollback":
            if stack:
                stack.pop()
        elif m.from_version and m.from_version != m.to_version:
            stack.append(m.from_version)
    return stack[-1] if stack else None


def _experiment_id(client: Any) -> str:
    from shipml.registry.tracking import experiment_id

    return experiment_id(client, EXPERIMENT)


def _from_tags(tags: dict[str, str]) -> AliasMove:
    v = {k: tags.get(_TAG + k, "") for k in _FIELDS}
    return AliasMove(
        model=v["model"],
        alias=v["alias"],
        from_version=v["from_version"],
        to_version=v["to_version"],
        action=v["action"],
        who=v["who"],
        reason=v["reason"],
        at=v["at"],
        ns=int(v["ns"] or 0),
    )
