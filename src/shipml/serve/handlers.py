"""Serve: the prediction handlers, from the raw body to the answer, off FastAPI's body parsing.

The body is validated straight from bytes by the generated pydantic model (one pass in Rust),
scored by the compiled path, counted, logged (a queue append) and answered. Every failure is an
`ApiError` with field-level detail; nothing echoes a traceback or the offending value.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from shipml.data.label_sets import JOIN
from shipml.runtime.columns import ColumnValueError
from shipml.runtime.compiled import Scored
from shipml.runtime.group import GroupNotSupportedError, ScoredGroup, group_refusal, score_group
from shipml.serve.loading import Snapshot
from shipml.serve.metrics import ServeMetrics
from shipml.serve.predlog import Entry, PredictionLog
from shipml.serve.reload import ModelHolder
from shipml.serve.security import ApiKeys
from shipml.serve.traffic import Route, ShadowRunner

UNSEEN = "a category never seen in training; scored as the unknown bucket"
NON_FINITE = "NaN, Infinity or a number too large for a float; scored as a missing value"


class ApiError(Exception):
    def __init__(
        self, status: int, kind: str, message: str, detail: Sequence[dict[str, str]] = ()
    ) -> None:
        super().__init__(message)
        self.status, self.kind, self.message, self.detail = status, kind, message, list(detail)

    def payload(self, request_id: str) -> dict[str, Any]:
        return {
            "error": self.kind,
            "message": self.message,
            "request_id": request_id,
            "detail": self.detail,
        }


@dataclass(slots=True)
class Services:
    holder: ModelHolder
    metrics: ServeMetrics
    predlog: PredictionLog
    shadow: ShadowRunner
    keys: ApiKeys


def predict_one(s: Services, body: bytes, rid: str, explain: bool, started: float) -> dict:
    snap = s.holder.current
    try:
        record = snap.api.to_record(snap.api.record.model_validate_json(body))
    except ValidationError as exc:
        raise _invalid(exc, body, depth=1) from None
    cleared = [snap.api.clear_non_finite(record)]
    _non_finite(snap, cleared, "")
    route = snap.traffic.pick(rid) or snap.champion
    try:
        scored = route.compiled.predict_record(record, snap.explain_top if explain else 0)
    except ColumnValueError as exc:
        raise _bad_value(exc.column, exc.expected) from None
    if scored.unseen:
        _unseen(s, snap, [scored], "")
    out = _item(scored, route, explain, cleared[0])
    out["request_id"], out["model_version"], out["served_by"] = rid, route.version, route.alias
    s.metrics.prediction(route.version, route.alias, _label(scored))
    latency = (time.perf_counter() - started) * 1000
    s.predlog.append(_entry(snap, route, rid, 0, "/v1/predict", scored, record, latency))
    if snap.traffic.shadow is not None:
        s.shadow.submit(snap.traffic.shadow, record, rid, 0)
    return out


def predict_batch(s: Services, body: bytes, rid: str, explain: bool, started: float) -> dict:
    return _predict_records(s, body, rid, explain, started, "/v1/predict/batch", ranked=False)


def predict_group(s: Services, body: bytes, rid: str, explain: bool, started: float) -> dict:
    """Records scored together and ranked within the group (a task kind with GROUP): the batch
    route's answer, validation, routing, log and shadow, plus each record's rank and the order."""
    refusal = group_refusal(s.holder.current.champion.compiled.model.task)
    if refusal is not None:  # refused before validation: any body gets this answer
        raise _not_grouped(refusal)
    return _predict_records(s, body, rid, explain, started, "/v1/predict/group", ranked=True)


def _predict_records(
    s: Services, body: bytes, rid: str, explain: bool, started: float, path: str, *, ranked: bool
) -> dict:
    snap = s.holder.current
    try:
        validated = snap.api.batch.model_validate_json(body)
    except ValidationError as exc:
        raise _invalid(exc, body, depth=3) from None
    records = [snap.api.to_record(r) for r in validated.records]  # type: ignore[attr-defined]
    cleared = [snap.api.clear_non_finite(r) for r in records]
    _non_finite(snap, cleared, "records.")
    route = snap.traffic.pick(rid) or snap.champion
    top = snap.explain_top if explain else 0
    group: ScoredGroup | None = None
    try:
        if ranked:
            group = score_group(route.compiled, records, top)
            results = group.results
        else:
            results = route.compiled.predict_many(records, top)
    except ColumnValueError as exc:
        index = next(i for i, r in enumerate(records) if _fails(route, r))
        raise _bad_value(f"records.{index}.{exc.column}", exc.expected) from None
    except GroupNotSupportedError as exc:  # a canary whose task differs from the champion's
        raise _not_grouped(str(exc)) from None
    if any(r.unseen for r in results):
        _unseen(s, snap, results, "records.")
    latency = (time.perf_counter() - started) * 1000 / max(len(records), 1)
    for i, (scored, record) in enumerate(zip(results, records, strict=True)):
        s.metrics.prediction(route.version, route.alias, _label(scored))
        s.predlog.append(_entry(snap, route, rid, i, path, scored, record, latency))
        if snap.traffic.shadow is not None:
            s.shadow.submit(snap.traffic.shadow, record, rid, i)
    predictions = [_item(r, route, explain, c) for r, c in zip(results, cleared, strict=True)]
    out: dict[str, object] = {
        "request_id": rid,
        "model_version": route.version,
        "served_by": route.alias,
        "predictions": predictions,
    }
    if group is not None:
        for item, rank in zip(predictions, group.ranking.ranks, strict=True):
            item["rank"] = rank
        out["order"] = list(group.ranking.order)
    return out


def shadow_sink(s: Services) -> Any:
    """Logs a shadow result as its own row, served_by shadow:ALIAS."""

    def sink(route: Route, record: dict, rid: str, row: int, scored: Any, secs: float) -> None:
        snap = s.holder.current
        served = Route(f"shadow:{route.alias}", route.version, route.compiled)
        entry = _entry(snap, served, rid, row, "shadow", scored, record, secs * 1000)
        s.predlog.append(entry)
        s.metrics.prediction(route.version, served.alias, _label(scored))

    return sink


def _item(
    scored: Scored, route: Route, explain: bool, non_finite: Sequence[str] = ()
) -> dict[str, Any]:
    out: dict[str, Any] = {"decision": scored.decision, "score": scored.score}
    if isinstance(scored.decision, list):  # a label set: the labels it holds, by name
        out["labels"] = scored.decision
    if scored.proba is not None:
        labels = route.compiled.model.classes
        out["probabilities"] = {str(c): p for c, p in zip(labels, scored.proba, strict=True)}
    if scored.lower is not None:
        out["interval"] = [scored.lower, scored.upper]
    out["warnings"] = [f"{c}: {UNSEEN}" for c in scored.unseen]
    out["warnings"] += [f"non_finite:{c}" for c in non_finite]
    if scored.explanation is not None:
        e = scored.explanation
        contributions = [{"column": c, "contribution": v} for c, v in e.top]
        out["explanation"] = {"base": e.base, "units": e.units, "contributions": contributions}
    elif explain:
        out["explanation"] = None
        family = route.compiled.model.family
        if isinstance(scored.decision, list):
            out["warnings"].append(
                "per-record explanations of label sets are not built yet; the model's report "
                "explains each label"
            )
        else:
            out["warnings"].append(f"explanations are not available for the {family} family")
    return out


def _label(scored: Scored) -> str:
    return "value" if scored.proba is None else _decision_text(scored.decision)


def _decision_text(decision: Any) -> Any:
    """A label set as its labels joined by `|` (as `shipml predict` writes it), else as is."""
    return JOIN.join(map(str, decision)) if isinstance(decision, list) else decision


def _entry(
    snap: Snapshot,
    route: Route,
    rid: str,
    row: int,
    endpoint: str,
    scored: Scored,
    record: dict[str, Any],
    latency_ms: float,
) -> Entry:
    return Entry(
        rid, row, time.time(), endpoint, route.alias, route.version, latency_ms,
        _decision_text(scored.decision), scored.score, scored.proba, scored.lower, scored.upper,
        scored.unseen, record, snap.layout, route.compiled.model.classes,
    )  # fmt: skip


def _unseen(s: Services, snap: Snapshot, results: Sequence[Scored], prefix: str) -> None:
    detail = []
    for i, r in enumerate(results):
        for column in r.unseen:
            s.metrics.unseen(column)
            where = f"{prefix}{i}.{column}" if prefix else column
            detail.append({"field": where, "message": UNSEEN, "type": "unseen_category"})
    if snap.strict:
        raise ApiError(422, "unseen_category", "strict serving rejects unseen categories", detail)


def _non_finite(snap: Snapshot, cleared: Sequence[Sequence[str]], prefix: str) -> None:
    """Strict serving refuses what lenient serving scores as missing (with a warning)."""
    if not snap.strict or not any(cleared):
        return
    detail = [
        {"field": f"{prefix}{i}.{c}" if prefix else c, "message": NON_FINITE, "type": "non_finite"}
        for i, columns in enumerate(cleared)
        for c in columns
    ]
    raise ApiError(422, "non_finite", "strict serving rejects non-finite numbers", detail)


def _fails(route: Route, record: dict[str, Any]) -> bool:
    try:
        route.compiled.row(record)
    except ColumnValueError:
        return True
    return False


def _not_grouped(refusal: str) -> ApiError:
    return ApiError(422, "group_not_supported", f"{refusal}; use /v1/predict/batch")


def _bad_value(field: str, message: str) -> ApiError:
    text = message.split(": ", 1)[-1][:200]
    detail = [{"field": field, "message": text, "type": "value_error"}]
    return ApiError(422, "validation", "a value does not fit its column", detail)


def _invalid(exc: ValidationError, body: bytes, depth: int) -> ApiError:
    if not body.strip():
        detail = [{"field": "body", "message": "the body is empty", "type": "missing"}]
        return ApiError(422, "validation", "send a JSON object with the model's fields", detail)
    grouped: dict[str, list[str]] = {}
    kinds: dict[str, str] = {}
    for err in exc.errors(include_url=False, include_context=False, include_input=False):
        field = ".".join(str(p) for p in err["loc"][:depth]) or "body"
        grouped.setdefault(field, [])
        if err["msg"] not in grouped[field]:
            grouped[field].append(err["msg"])
        kinds.setdefault(field, err["type"])
    detail = [
        {"field": f, "message": " or ".join(m)[:300], "type": kinds[f]} for f, m in grouped.items()
    ]
    return ApiError(422, "validation", "the request does not fit the model's schema", detail[:50])
