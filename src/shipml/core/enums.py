"""Enums shared across the flow: tasks, metrics, split kinds, column types and flags."""

from __future__ import annotations

from enum import StrEnum

# A task's name: a built-in `Task` or a kind added with `shipml.tasks.register_task`. Code
# outside `tasks/` holds it as this name and asks `task_kind(name)` what it means.
TaskName = str


class Task(StrEnum):
    """The built-in one-answer task names (one class or value per row, one model per family);
    what each one means is its `shipml.tasks` kind. Other built-in kinds (multilabel) are
    named by their kind alone."""

    BINARY = "binary"
    MULTICLASS = "multiclass"
    REGRESSION = "regression"


class Metric(StrEnum):
    ROC_AUC = "roc_auc"
    AVERAGE_PRECISION = "average_precision"
    LOG_LOSS = "log_loss"
    BRIER = "brier"
    ACCURACY = "accuracy"
    BALANCED_ACCURACY = "balanced_accuracy"
    F1 = "f1"
    MACRO_F1 = "macro_f1"
    ROC_AUC_OVR = "roc_auc_ovr"
    RMSE = "rmse"
    MAE = "mae"
    R2 = "r2"
    # multilabel: label sets decided per label (at 0.5 on probabilities, or the policy's sets)
    F1_MICRO = "f1_micro"
    F1_MACRO = "f1_macro"
    SUBSET_ACCURACY = "subset_accuracy"
    HAMMING_LOSS = "hamming_loss"
    LABEL_RANKING_AVERAGE_PRECISION = "label_ranking_average_precision"
    # hierarchical: paths decided down the tree (to a leaf, or where the policy stops)
    HIERARCHICAL_F1 = "hierarchical_f1"
    HIERARCHICAL_PRECISION = "hierarchical_precision"
    HIERARCHICAL_RECALL = "hierarchical_recall"
    LEAF_F1_MACRO = "leaf_f1_macro"


class SplitKind(StrEnum):
    STRATIFIED = "stratified"
    GROUP = "group"
    TIME = "time"
    RANDOM = "random"


class ColumnType(StrEnum):
    NUMERIC = "numeric"
    CATEGORICAL = "categorical"
    BOOLEAN = "boolean"
    DATETIME = "datetime"
    TEXT = "text"
    ID = "id"


class ColumnFlag(StrEnum):
    """A typed fact about a column that later stages act on, never read back from a reason text.

    PII is set for every column the profile found personal data in and every `deploy.pii_mask`
    column, whatever framing then did with it (identifier, kept suspect, excluded): the prediction
    log masks every PII column.
    """

    PII = "pii"
    IDENTIFIER = "identifier"
    LEAKAGE = "leakage"
    FUTURE_DATETIME = "future_datetime"
    EXCLUDED = "excluded"  # left out by the spec (features.exclude, or not in features.include)
    ROLE = "role"  # has another role in the spec: the sample weight, the groups, the holdout mark
    TEXT = "text"  # free text: no text features in this version


# The flags of a column the profile or the leakage probe suspected (PII, identifier, leakage,
# a datetime after the prediction time): one left out of the features is announced.
SUSPECT_FLAGS = frozenset(
    {ColumnFlag.PII, ColumnFlag.IDENTIFIER, ColumnFlag.LEAKAGE, ColumnFlag.FUTURE_DATETIME}
)
