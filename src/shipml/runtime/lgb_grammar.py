"""Runtime: what a LightGBM model text may hold, the grammar `lgb_checker` enforces (see
`lgb_text.py` for why the text is checked before LightGBM reads it)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

MAX_LEAVES = 131_072  # LightGBM's own limit on num_leaves
MAX_DEPTH = 400
OBJECTIVES = frozenset(
    {
        "regression",
        "regression_l1",
        "quantile",
        "huber",
        "fair",
        "poisson",
        "binary",
        "lambdarank",
        "rank_xendcg",
        "multiclass",
        "multiclassova",
        "cross_entropy",
        "cross_entropy_lambda",
        "mape",
        "gamma",
        "tweedie",
        "custom",
    }
)
MULTICLASS_OBJECTIVES = frozenset({"multiclass", "multiclassova"})
HEADER_KEYS = frozenset(
    {
        "version",
        "num_class",
        "num_tree_per_iteration",
        "label_index",
        "max_feature_idx",
        "objective",
        "feature_names",
        "monotone_constraints",
        "feature_infos",
        "tree_sizes",
    }
)
REQUIRED_HEADER = HEADER_KEYS - {"monotone_constraints"}
# numbers as LightGBM writes them and all its parsers read them (its own `Atof` aborts on an
# unknown word such as `x` or `--1`, its `Atoi` reads `1-2` as two numbers)
_INT = r"-?+[0-9]{1,10}+"
_UINT = r"[0-9]{1,10}+"
_FINITE = r"-?+[0-9]++(?:\.[0-9]++)?+(?:[eE][-+]?+[0-9]++)?+"
_FLOAT = rf"(?:{_FINITE}|-?+(?:inf|nan))"
INT, FLOAT = re.compile(_INT), re.compile(_FLOAT)
INTS, UINTS, FINITES, FLOATS = (
    re.compile(rf"{p}(?: {p})*+") for p in (_INT, _UINT, _FINITE, _FLOAT)
)
BIG_EXPONENT = re.compile(r"[eE]\+?[0-9]{3}")  # found in a number that may exceed a double
BIG_NUMBER = re.compile(r"[-0-9.]*+[eE]\+?+[0-9]{3,}+")
INTERNAL, LEAVES = "internal", "leaves"
# tree arrays: one value per internal node or per leaf, the syntax, parsed into (None: not)
ARRAYS: dict[str, tuple[str, re.Pattern[str], type | None]] = {
    "split_feature": (INTERNAL, INTS, np.int64),
    "split_gain": (INTERNAL, FLOATS, None),
    "threshold": (INTERNAL, FLOATS, None),
    "decision_type": (INTERNAL, INTS, np.int64),
    "left_child": (INTERNAL, INTS, np.int64),
    "right_child": (INTERNAL, INTS, np.int64),
    "leaf_value": (LEAVES, FINITES, None),
    "leaf_weight": (LEAVES, FLOATS, None),
    "leaf_count": (LEAVES, INTS, None),
    "internal_value": (INTERNAL, FLOATS, None),
    "internal_weight": (INTERNAL, FLOATS, None),
    "internal_count": (INTERNAL, INTS, None),
}
SCALARS = ("num_leaves", "num_cat", "is_linear", "shrinkage")
TREE_KEYS = frozenset(ARRAYS) | frozenset(SCALARS)
CAT_KEYS = frozenset({"cat_boundaries", "cat_threshold"})
END_OF_TREES = "\n\n\nend of trees"
# LightGBM refuses these in feature names when it trains; its JSON dump does not escape them
BAD_NAME = re.compile(r'[\x00-\x1f"\\,:\[\]{}]')
PARAM_LINE = re.compile(r"\[[A-Za-z0-9_]+: .*\]")
PANDAS_KEY = "pandas_categorical:"


@dataclass(frozen=True, slots=True)
class ModelTextInfo:
    """What the checked text says about the model."""

    num_class: int
    num_tree_per_iteration: int
    max_feature_idx: int
    objective: str
    num_trees: int
