"""Explain: permutation importance, PDP/ICE, SHAP, fairness, and the HTML report.

Everything here reads the frozen champion and its test rows after the test score is taken;
nothing is chosen from these numbers.
"""

from shipml.explain.explanation import Explanation, Limits, explain_model
from shipml.explain.fairness import Disparity, FairnessReport, FairnessSlice, assess_fairness
from shipml.explain.grouped import association_matrix, correlated_groups
from shipml.explain.importance import Importance, permutation_importance
from shipml.explain.pdp import PartialDependence, partial_dependence
from shipml.explain.report import ReportFacts, render_report
from shipml.explain.shap_values import Contributions, shap_contributions
from shipml.explain.view import ModelView

__all__ = [
    "Contributions",
    "Disparity",
    "Explanation",
    "FairnessReport",
    "FairnessSlice",
    "Importance",
    "Limits",
    "ModelView",
    "PartialDependence",
    "ReportFacts",
    "assess_fairness",
    "association_matrix",
    "correlated_groups",
    "explain_model",
    "partial_dependence",
    "permutation_importance",
    "render_report",
    "shap_contributions",
]
