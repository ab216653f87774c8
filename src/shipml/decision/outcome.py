"""Decision: what fitting a policy returns, the policy and the record of how it was chosen."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from shipml.runtime.policy import DecisionPolicy

# The policy summary's `fit_on`: the rows calibration, thresholds and intervals were fit on.
# Every fitter sets it; the report's readiness checklist reads it (never the `source` prose).
FIT_ON_OOF = "out_of_fold"


@dataclass(frozen=True, slots=True)
class DecisionOutcome:
    policy: DecisionPolicy  # its `summary` is the short record shown with the model
    report: dict[str, Any] = field(compare=False)  # JSON-ready: curves, reliability, intervals
    warnings: tuple[str, ...] = ()  # targets that cannot be met, thin support, weak guarantees
