"""Spec: `models.params`, fixed parameters per family, each family a closed set of typed keys.

A family's parameters are a `TypedDict`, so the validated value stays a plain dict holding only
the keys the user gave (the search merges it into each trial's parameters with `|`). Numbers are
strict and finite: a boolean is not an integer, and inf or nan are refused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import ConfigDict, Field, GetCoreSchemaHandler, Strict, with_config
from pydantic_core import CoreSchema
from typing_extensions import TypedDict

ClassWeight = Annotated[
    Literal["none", "balanced"],
    Field(description="balanced: weight classes inversely to their frequency."),
]
Positive = Annotated[float, Strict(), Field(gt=0, allow_inf_nan=False)]
Fraction = Annotated[float, Strict(), Field(gt=0, le=1, allow_inf_nan=False)]
Trees = Annotated[int, Strict(), Field(ge=1, le=5000, description="Number of trees.")]


@with_config(ConfigDict(extra="forbid"))
class BaselineParams(TypedDict, total=False):
    """The baseline (class priors or the mean) takes no parameters."""


@with_config(ConfigDict(extra="forbid"))
class LinearParams(TypedDict, total=False):
    """Logistic regression (classification) or ridge/lasso (regression)."""

    penalty: Annotated[Literal["l1", "l2"], Field(description="l1 (lasso) or l2 (ridge).")]
    C: Annotated[Positive, Field(description="Inverse regularization strength (classification).")]
    l1_alpha: Annotated[Positive, Field(description="Lasso strength (regression, penalty l1).")]
    l2_alpha: Annotated[Positive, Field(description="Ridge strength (regression, penalty l2).")]
    class_weight: ClassWeight


@with_config(ConfigDict(extra="forbid"))
class ForestParams(TypedDict, total=False):
    """A random forest or extra trees."""

    n_estimators: Trees
    max_depth: Annotated[int, Strict(), Field(ge=1, le=200, description="Depth of each tree.")]
    min_samples_leaf: Annotated[int, Strict(), Field(ge=1, description="Rows per leaf, at least.")]
    max_features: Annotated[Fraction, Field(description="Share of features tried per split.")]
    class_weight: ClassWeight


@with_config(ConfigDict(extra="forbid"))
class LightGBMParams(TypedDict, total=False):
    """Gradient-boosted trees; a fixed n_estimators turns early stopping off."""

    learning_rate: Annotated[Fraction, Field(description="Shrinkage per round, in (0, 1].")]
    num_leaves: Annotated[int, Strict(), Field(ge=2, le=131072, description="Leaves per tree.")]
    min_child_samples: Annotated[int, Strict(), Field(ge=1, description="Rows per leaf.")]
    feature_fraction: Annotated[Fraction, Field(description="Share of features per tree.")]
    bagging_fraction: Annotated[Fraction, Field(description="Share of rows per round.")]
    lambda_l2: Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False, description="L2.")]
    n_estimators: Annotated[
        int, Strict(), Field(ge=1, le=100_000, description="Boosting rounds (no early stopping).")
    ]
    class_weight: ClassWeight


@with_config(ConfigDict(extra="allow"))
class FamilyParams(TypedDict, total=False):
    """Fixed parameters per family, kept out of tuning. An unknown family is named by the
    cross-field checks (with the families it could be)."""

    baseline: BaselineParams
    linear: LinearParams
    random_forest: ForestParams
    extra_trees: ForestParams
    lightgbm: LightGBMParams


@dataclass(frozen=True, slots=True)
class ValidatedAs:
    """An annotation: validate and document a field as `schema`, keeping its static type."""

    schema: Any

    def __get_pydantic_core_schema__(
        self, source: Any, handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return handler(self.schema)


# What the candidates read (family -> {param: value}), validated and documented as FamilyParams.
ModelsParams = Annotated[dict[str, dict[str, Any]], ValidatedAs(FamilyParams)]
