"""Decision: the path policy of a hierarchical task. One-vs-rest calibration of the class
probabilities, renormalized (as for multiclass); then the walk down the taxonomy, stopping at
the parent where the best child holds less than `stop_below` of its probability. What the rule
yields on the out-of-fold rows (hierarchical F1, the accuracy per level, the rows decided above
their class) is recorded beside the same measures at `stop_below: 0` (`oof_no_stop`), so the
report shows what stopping buys and costs.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from shipml.decision.calibration import calibrate
from shipml.decision.geometry import CLASSES
from shipml.decision.oof import OutOfFold
from shipml.decision.outcome import FIT_ON_OOF, DecisionOutcome
from shipml.evaluation.paths import path_decision_metrics
from shipml.runtime.policy import DecisionPolicy
from shipml.spec.model import Decision


def fit_paths(
    oof: OutOfFold, d: Decision, classes: Sequence[object], stop_below: float = 0.0
) -> DecisionOutcome:
    raw = oof.scores
    orders = [np.argsort(raw[:, j]) for j in range(raw.shape[1])]
    cal = calibrate(oof, d.calibration, orders, CLASSES)
    paths = tuple(str(c) for c in classes)
    policy = DecisionPolicy(
        rule="path", calibrators=cal.calibrators, paths=paths, stop_below=stop_below
    )
    at_rule = path_decision_metrics(oof.y, policy.decide(cal.proba), oof.weight, paths)
    no_stop = DecisionPolicy(rule="path", paths=paths).decide(cal.proba)
    source = (
        f"stop at the parent when the best child holds under {stop_below:.0%} of it"
        if stop_below > 0
        else "down to a class, the likeliest child at each level"
    )
    summary: dict[str, Any] = {
        "rule": "path",
        "fit_on": FIT_ON_OOF,
        "source": source,
        "calibration": cal.kind,
        "stop_below": stop_below,
        "oof": at_rule,
        "oof_no_stop": path_decision_metrics(oof.y, no_stop, oof.weight, paths),
        "warnings": [],
    }
    policy = DecisionPolicy(
        rule="path",
        calibrators=cal.calibrators,
        paths=paths,
        stop_below=stop_below,
        summary=summary,
    )
    return DecisionOutcome(policy, {"policy": summary, "calibration": cal.report}, ())
