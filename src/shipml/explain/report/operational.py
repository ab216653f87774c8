"""Explain: the operational view: latency and size against the constraints, the input schema,
how to call the model, and the monitoring thresholds from the spec.
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
        "monitoring": {
            "drift (PSI) alert above": spec.monitoring.drift.psi_alert,
            "retrain when": ", ".join(spec.monitoring.retrain_when) or "not set",
            "deploy mode": spec.deploy.mode,
            "masked in logs (PII)": ", ".join(spec.deploy.pii_mask) or "none",
        },
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
