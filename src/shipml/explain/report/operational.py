"""Explain: the operational view: latency and size against the constraints, the input schema,
how to call the model, and what monitoring runs today against what the spec only configures.

The monitoring account is written from what the code does (`monitor/`, `serve/`, `train`):
keep it in step when a monitoring command lands.
"""

from __future__ import annotations

from typing import Any

from shipml.explain.report.facts import ReportFacts


def operational_view(facts: ReportFacts) -> dict[str, Any]:
    spec, row = facts.spec, facts.champion_row
    c = spec.constraints
    name = spec.name
    return {
        "latency": row.get("latency_p95_ms"),
        "max_latency": c.max_p95_latency_ms,
        "size": row.get("size_mb"),
        "max_size": c.max_model_mb,
        "violations": row.get("violations") or [],
        "schema": [
            {
                "name": col.name,
                "type": str(col.type),
                "required": col.required,
                "role": col.role,
                "reason": col.reason,
            }
            for col in facts.model.schema.columns
        ],
        "outputs": _outputs(facts),
        "cli": f"shipml predict {name}@champion data.csv --out scored.parquet",
        "python": (
            "import pandas as pd\n"
            "import shipml\n\n"
            f'model = shipml.load_model("{name}@champion").model\n'
            'scored = model.predict_frame(pd.read_csv("data.csv"))\n'
            "# or one JSON-like record at a time:\n"
            "model.predict_records([{...}]).values"
        ),
        "libraries": facts.manifest.libraries,
        "monitoring": monitoring_view(facts),
        "versions": {
            "spec hash": facts.manifest.spec_hash[:16],
            "data fingerprint": facts.manifest.data_fingerprint[:16],
            "created": facts.manifest.created_at,
            "seed": facts.manifest.seed,
        },
    }


def _outputs(facts: ReportFacts) -> list[str]:
    model = facts.model
    if not model.classes:
        return ["prediction: the predicted value", "lower, upper: the interval, when set"]
    return ["prediction: the decided class label"] + [
        f"proba_{c}: the calibrated probability of {c}" for c in model.classes
    ]


def monitoring_view(facts: ReportFacts) -> dict[str, list[tuple[str, str]]]:
    """What runs (with the command or call that runs it) and what is only configured."""
    spec = facts.spec
    psi = spec.monitoring.drift.psi_alert
    pii = sorted({*spec.deploy.pii_mask, *(c.name for c in facts.model.schema.columns if c.pii)})
    runs = [
        ("Shift between training and the test rows",
         f"runs in every `shipml train`: the target's rate (or mean) and each used feature "
         f"(K-S or chi-squared test, PSI; a feature drifts at PSI ≥ {psi:g}, "
         "monitoring.drift.psi_alert, with p < 0.01); what it finds is in the run's warnings "
         "(the CLI and this report's risks)"),
        ("Reference summaries",
         "stored with this version (evaluation/reference.json): the features on the training "
         "rows and the out-of-fold scores as served, what live traffic would be compared to"
         if facts.has_reference else "not stored with this version (an older shipml trained "
         "it): retrain to have them"),
        ("Prediction log",
         f"`shipml serve {spec.name}@champion` writes every answer (and every shadow score) to "
         f"$SHIPML_HOME/predictions/{spec.name}/ (or --log-dir) as Parquet; inputs stored as "
         f"*** for {', '.join(pii) if pii else 'no column (no pii_mask, no PII flagged)'}"),
        ("Serving metrics",
         "`GET /metrics` on the server (Prometheus): requests, latency, errors by kind, "
         "predictions by class, unseen categories"),
        ("Reading the log, drift tests",
         "from Python only: `shipml.monitor.read_predictions(folder)` reads the log and "
         "`shipml.monitor.drift` holds the two-sample tests; no shipml command runs them on "
         "live traffic"),
    ]  # fmt: skip
    for name, split in (("canary", spec.deploy.canary), ("shadow", spec.deploy.shadow)):
        if split is not None:
            share = f" for {split.percent:g}% of requests" if name == "canary" else ""
            runs.append((f"Traffic split: {name}", f"`shipml serve` answers with "
                         f"@{split.alias}{share} (deploy.{name})"))  # fmt: skip
    retrain = ", ".join(spec.monitoring.retrain_when)
    configured = [
        ("Drift alerts on live traffic",
         f"monitoring.drift.psi_alert = {psi:g}: used by the training-time shift check only; "
         "nothing compares live traffic with the reference or raises an alert"),
        ("Retraining",
         f"monitoring.retrain_when = [{retrain}]: nothing reads it; no schedule or trigger "
         "retrains the model" if retrain else "monitoring.retrain_when is not set, and "
         "nothing would act on it: no schedule or trigger retrains the model"),
        ("Live performance",
         "not built: no command joins later labels to the logged predictions"),
        ("Deploy mode",
         f"deploy.mode = {spec.deploy.mode}: recorded (GET /v1/model shows it); `shipml serve`"
         " and `shipml predict` both work whatever it says"),
    ]  # fmt: skip
    return {"runs": runs, "configured": configured}
