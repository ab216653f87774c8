"""Decision: calibration and thresholds fit on stored out-of-fold scores; the decision policy."""

from shipml.decision.costs import cost_matrix
from shipml.decision.oof import OutOfFold
from shipml.decision.outcome import DecisionOutcome
from shipml.decision.policy import fit_decision_policy
from shipml.decision.reliability import reliability

__all__ = ["DecisionOutcome", "OutOfFold", "cost_matrix", "fit_decision_policy", "reliability"]
