"""Pipeline: `profile`, the data profile plus the single-feature leakage probe (needs framing),
and what `init`, `profile` and `train` announce about the inputs: every column the model will
not use, with its reason, and a table shaped like something shipml does not do (a panel of
series)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from shipml.core.enums import ColumnFlag
from shipml.data import render_profile_text
from shipml.data.panel import find_panel
from shipml.framing import ProblemFrame, single_feature_scores
from shipml.framing.leakage import leak_findings
from shipml.pipeline.prepare import PreparedData, frame_data, prepare_data
from shipml.runtime.schema import UnusedInput
from shipml.spec.load import LoadedSpec


@dataclass(frozen=True, slots=True)
class ProfileResult:
    profile: dict[str, Any]
    text: str
    path: Path
    unused: tuple[UnusedInput, ...] = ()


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
    kept = set(loaded.spec.features.keep_suspects)
    probed = frame.without(
        {f.column: f"leakage suspect: {f.reason}" for f in leaks if f.column not in kept},
        "excluded_feature",
        ColumnFlag.LEAKAGE,
    )
    unused = probed.schema.unused()
    warnings = [*data.warnings, *shape_warnings(data, frame)]
    profile["warnings"] = warnings
    profile["unused_inputs"] = [u.to_dict() for u in unused]
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
    lines += unused_lines(unused)
    lines += [f"warning: {w}" for w in warnings]
    return ProfileResult(profile=profile, text="\n".join(lines), path=out, unused=unused)


def unused_lines(unused: tuple[UnusedInput, ...]) -> list[str]:
    if not unused:
        return []
    head = f"not used by the model ({len(unused)} of the input columns):"
    return [head, *(f"  {u.column}: {u.reason} [{u.reason_code}]" for u in unused)]


def shape_warnings(data: PreparedData, frame: ProblemFrame) -> list[str]:
    """What the table's shape asks for that shipml does not do (yet), said plainly."""
    panel = find_panel(data.table, exclude={frame.target})
    return [] if panel is None else [panel.sentence(str(frame.task))]


def inspect_inputs(loaded: LoadedSpec) -> tuple[tuple[UnusedInput, ...], list[str]]:
    """For `init`: the inputs the written spec's model will not use (before the leakage
    probe, which `profile` and `train` run) and the shape warnings."""
    data = prepare_data(loaded)
    frame = frame_data(loaded, data)
    return frame.schema.unused(), [*data.warnings, *shape_warnings(data, frame)]
