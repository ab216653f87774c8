"""Pipeline: `profile`, the data profile plus the single-feature leakage probe (needs framing)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shipml.data import render_profile_text
from shipml.framing import single_feature_scores
from shipml.framing.leakage import leak_findings
from shipml.pipeline.prepare import frame_data, prepare_data
from shipml.spec.load import LoadedSpec


@dataclass(frozen=True, slots=True)
class ProfileResult:
    profile: dict[str, Any]
    text: str
    path: Path


def profile_spec(loaded: LoadedSpec, out: Path) -> ProfileResult:
    """Profile the spec's data, probe each feature for leakage, write the JSON profile to `out`."""
    data = prepare_data(loaded)
    frame = frame_data(loaded, data)
    metric, scores = single_feature_scores(frame)
    leaks = leak_findings(metric, scores)  # the probe's rule, on the scores just measured
    profile = data.profile.to_dict()
    profile["single_feature_scores"] = {"metric": str(metric), "scores": scores}
    profile["suspects"] = profile.get("suspects", []) + [
        {"column": f.column, "kind": "leakage", "reason": f.reason} for f in leaks
    ]
    profile["warnings"] = list(data.warnings)
    profile["choices"] = [c.to_dict() for c in frame.choices]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(profile, indent=1), encoding="utf-8")
    lines = [
        render_profile_text(data.profile),
        "",
        f"Leakage probe ({metric} of each feature alone):",
    ]
    top = sorted(scores.items(), key=lambda kv: -kv[1])[:10]
    lines += [f"  {name:<28} {value:.3f}" for name, value in top]
    lines += [f"  ! {f.column} (leakage suspect): {f.reason}" for f in leaks]  # once per column
    lines += [f"warning: {w}" for w in data.warnings]
    return ProfileResult(profile=profile, text="\n".join(lines), path=out)
