"""Property-test strategies: plausible spec dicts over the real keys and values of the schema."""

from __future__ import annotations

from typing import Any

from hypothesis import strategies as st

from shipml.spec import FAMILIES

words = st.text(alphabet="abcdefghijklmnopqrstuvwxyz_", min_size=1, max_size=12)
columns = st.sampled_from(["y", "age", "income", "user", "ts", "split", "w", "région"]) | words
fractions = st.floats(0.01, 0.99)
durations = st.sampled_from(["12h", "30d", "4w", "6m", "1y", "soon", "0d", "3 days"])
metrics = st.sampled_from(["roc_auc", "log_loss", "f1", "rmse", "mae", "r2", "accuracy", "bogus"])

PARAMS = {
    "baseline": st.fixed_dictionaries({}),
    "linear": st.fixed_dictionaries(
        {},
        optional={
            "penalty": st.sampled_from(["l1", "l2"]),
            "C": st.floats(0.001, 100),
            "class_weight": st.sampled_from(["none", "balanced"]),
        },
    ),
    "random_forest": st.fixed_dictionaries(
        {},
        optional={
            "n_estimators": st.integers(1, 5000),
            "max_depth": st.integers(1, 200),
            "max_features": st.floats(0.05, 1.0),
        },
    ),
    "lightgbm": st.fixed_dictionaries(
        {},
        optional={
            "learning_rate": st.floats(0.01, 1.0),
            "num_leaves": st.integers(2, 4096),
            "lambda_l2": st.floats(0, 30),
            "n_estimators": st.integers(1, 1000),
        },
    ),
}

SECTIONS: dict[str, st.SearchStrategy[Any]] = {
    "spec_version": st.sampled_from([1, 2]),
    "task": st.sampled_from(["auto", "binary", "multiclass", "regression"]),
    "objective": st.fixed_dictionaries({"description": st.text(max_size=30)}),
    "features": st.fixed_dictionaries(
        {},
        optional={
            "include": st.lists(columns, max_size=4),
            "exclude": st.lists(columns, max_size=3),
            "types": st.dictionaries(columns, st.sampled_from(["numeric", "categorical"])),
        },
    ),
    "validation": st.fixed_dictionaries(
        {},
        optional={
            "strategy": st.sampled_from(["auto", "stratified", "group", "time"]),
            "folds": st.integers(1, 25),
            "holdout": st.one_of(
                st.fixed_dictionaries({"fraction": fractions}),
                st.fixed_dictionaries({"latest": durations}),
                st.fixed_dictionaries({"column": columns, "value": st.just("test")}),
            ),
            "group_column": columns,
            "time_column": columns,
            "gap": durations,
        },
    ),
    "metrics": st.fixed_dictionaries(
        {}, optional={"primary": metrics, "secondary": st.lists(metrics, max_size=3)}
    ),
    "constraints": st.fixed_dictionaries(
        {},
        optional={
            "max_p95_latency_ms": st.floats(0.1, 500),
            "n_trials": st.integers(1, 50),
            "strict": st.booleans(),
        },
    ),
    "models": st.fixed_dictionaries(
        {},
        optional={
            "ladder": st.lists(st.sampled_from([*FAMILIES, "xgboost"]), max_size=4),
            "params": st.dictionaries(st.sampled_from(sorted(PARAMS)), st.none(), max_size=3),
        },
    ),
    "decision": st.one_of(
        st.fixed_dictionaries({"recall_target": fractions}),
        st.fixed_dictionaries(
            {"costs": st.fixed_dictionaries({"fp": st.just(1), "fn": st.just(20)})}
        ),
        st.fixed_dictionaries({"fixed": fractions, "assurance": st.sampled_from(["point"])}),
    ),
    "fairness": st.fixed_dictionaries(
        {},
        optional={
            "sensitive": st.lists(columns, max_size=2),
            "bins": st.dictionaries(columns, st.lists(st.integers(0, 99), max_size=4), max_size=2),
        },
    ),
    "seed": st.integers(0, 2**33),
}


@st.composite
def plausible_specs(draw: st.DrawFn) -> dict[str, Any]:
    """A spec over the real keys: name, data and target, then some of the other sections."""
    spec: dict[str, Any] = {
        "name": draw(st.from_regex(r"\A[a-z][a-z0-9_.-]{0,20}\Z")),
        "data": draw(
            st.fixed_dictionaries(
                {"train": st.sampled_from(["train.csv", "data/*.parquet"])},
                optional={
                    "test": st.sampled_from(["test.csv"]),
                    "weight": columns,
                    "period": st.fixed_dictionaries(
                        {"column": columns},
                        optional={"start": st.dates().map(str), "end": st.dates().map(str)},
                    ),
                },
            )
        ),
        "target": draw(
            st.fixed_dictionaries(
                {"column": columns}, optional={"positive": st.sampled_from(["1", "yes", "Churn"])}
            )
        ),
    }
    for key in draw(st.lists(st.sampled_from(sorted(SECTIONS)), max_size=6, unique=True)):
        spec[key] = draw(SECTIONS[key])
    params = spec.get("models", {}).get("params")
    if params:
        spec["models"]["params"] = {family: draw(PARAMS[family]) for family in params}
    return spec
