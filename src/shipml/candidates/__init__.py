"""Candidates: the model ladder, cheapest first, each family with its search space; tuning."""

from shipml.candidates.family import Family, FitData, Fitted, Params, balanced_weights
from shipml.candidates.ladder import DEFAULT_TRIALS, build_ladder, share_trials
from shipml.candidates.tuning import (
    Budget,
    CrossValidator,
    Report,
    TrialOutcome,
    TunedCandidate,
    tune,
)

__all__ = [
    "DEFAULT_TRIALS",
    "Budget",
    "CrossValidator",
    "Family",
    "FitData",
    "Fitted",
    "Params",
    "Report",
    "TrialOutcome",
    "TunedCandidate",
    "balanced_weights",
    "build_ladder",
    "share_trials",
    "tune",
]
