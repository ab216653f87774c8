"""The `decision` section: how scores become decisions, and the shape of `costs`."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, field_validator

from shipml.spec.base import Section as _Section
from shipml.spec.base import label as _label

BINARY_COST_KEYS = ("fp", "fn", "tp", "tn")
CostMatrix = dict[str, dict[str, float]] | list[list[float]]


COSTS_SHAPE = (
    "give {fp: 1, fn: 20} (optional tp, tn) for a binary task, or a matrix true class -> "
    "decided class -> cost ({A: {B: 2}}, or a list of rows) for a multiclass task"
)


def _number(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool)


def _cost_keys(value: object, field: str) -> object:
    """Class labels as mapping keys become strings (YAML reads 1 as an int, yes as a bool)."""
    if isinstance(value, dict):
        return {_label(k, field): _cost_keys(v, field) for k, v in value.items()}
    return value


def _costs_shape(value: object) -> object:
    """One clear message for a malformed `costs`, rather than one per form it could take."""
    if value is None:
        return None
    value = _cost_keys(value, "costs")
    cells: list[object] = []
    if isinstance(value, dict) and value:
        if all(isinstance(v, dict) for v in value.values()):
            cells = [c for row in value.values() for c in row.values()]
        else:
            cells = list(value.values())
    elif isinstance(value, list) and value and all(isinstance(r, list) for r in value):
        cells = [c for row in value for c in row]
    if not cells or not all(_number(c) for c in cells):
        raise ValueError(COSTS_SHAPE)
    return value


class Decision(_Section):
    """How scores become decisions. One rule: `costs`, `recall_target`, `precision_target`,
    `metric` (F-beta, accuracy, balanced accuracy, macro F1) or `fixed`; none maximizes the
    primary metric when it is one of those, and keeps 0.5 on calibrated probabilities (binary)
    or argmax otherwise.

    Binary `costs` name the cost of each outcome, `{fp: 1, fn: 20}`, with optional `tp` and `tn`
    (0 when absent); a benefit is a negative cost (`tp: -5` earns 5 per caught positive).
    Multiclass `costs` are a matrix, true class -> decided class -> cost
    (`{Fair: {Good: 1, Ideal: 4}}`), where an omitted cell costs 1 off the diagonal and 0 on it,
    or a list of rows in the order of the model's classes.
    """

    calibration: Literal["auto", "isotonic", "sigmoid", "none"] = "auto"
    costs: dict[str, float] | CostMatrix | None = Field(
        default=None, description="Binary {fp, fn, tp, tn}; multiclass true -> decided -> cost."
    )
    recall_target: float | None = Field(default=None, gt=0, le=1)
    precision_target: float | None = Field(default=None, gt=0, le=1)
    metric: Literal["f_beta", "f1", "accuracy", "balanced_accuracy", "macro_f1"] | None = Field(
        default=None,
        description="Maximize this on out-of-fold scores: F-beta (with `beta`) or F1 (binary), "
        "accuracy, balanced accuracy or macro F1 (binary: the threshold; multiclass: class "
        "weights on the argmax). With no rule, a threshold-based primary metric is the one "
        "maximized.",
    )
    beta: float = Field(default=1.0, gt=0)
    fixed: float | None = Field(default=None, ge=0, le=1)
    assurance: Literal["point", "lower_bound"] = Field(
        default="point",
        description="lower_bound: the bootstrap interval's lower bound meets the target.",
    )
    class_recall_floors: dict[str, Annotated[float, Field(gt=0, le=1)]] = Field(
        default_factory=dict, description="Multiclass: class -> minimum out-of-fold recall."
    )
    coverage: float = Field(default=0.9, gt=0, lt=1, description="Regression interval coverage.")
    labels: Literal["per_label", "top_k", "cardinality"] | None = Field(
        default=None,
        description="Multilabel: per_label (each label's F1-optimal out-of-fold threshold, the "
        "default), top_k (the k most probable), cardinality (as many as the probabilities sum to).",
    )
    k: int | None = Field(default=None, ge=1, description="Multilabel top_k: how many labels.")

    @field_validator("costs", mode="before")
    @classmethod
    def _costs_form(cls, v: object) -> object:
        return _costs_shape(v)

    @field_validator("class_recall_floors", mode="before")
    @classmethod
    def _floors_keys(cls, v: object) -> object:
        return _cost_keys(v, "class_recall_floors")
