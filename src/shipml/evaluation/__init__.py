"""Evaluation: cross-validation with out-of-fold predictions, leaderboard, champion selection."""

from shipml.evaluation.cross_validation import FoldCache, cross_validate
from shipml.evaluation.holdout import HoldoutReport, diagnose, evaluate_holdout
from shipml.evaluation.leaderboard import (
    Leaderboard,
    LeaderboardRow,
    leaderboard_row,
    sample_records,
)
from shipml.evaluation.refit import Refitted, refit
from shipml.evaluation.selection import Selection, rank, select_champion

__all__ = [
    "FoldCache",
    "HoldoutReport",
    "Leaderboard",
    "LeaderboardRow",
    "Refitted",
    "Selection",
    "cross_validate",
    "diagnose",
    "evaluate_holdout",
    "leaderboard_row",
    "rank",
    "refit",
    "sample_records",
    "select_champion",
]
