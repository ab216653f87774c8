"""Explain: permutation importance, PDP/ICE, SHAP, fairness, and the HTML report."""
