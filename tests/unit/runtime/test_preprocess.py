"""The fitted preprocessor: JSON round trip, unseen and missing categories, fit-only statistics."""

from __future__ import annotations

import json

import numpy as np
import pytest

from shipml.core.enums import ColumnType
from shipml.runtime import PreprocessConfig, Preprocessor, fit_preprocessor
from shipml.runtime.steps import MISSING, OTHER, CategoricalStep, NumericStep

from .conftest import TYPES, make_columns

CONFIGS = {
    "ordinal_raw": PreprocessConfig(),
    "onehot_imputed_scaled": PreprocessConfig(onehot=True, impute=True, scale=True),
    "ordinal_imputed": PreprocessConfig(impute=True, min_category_count=1, max_categories=2),
}


def _city_step(onehot: bool) -> CategoricalStep:
    values = np.array(["a"] * 12 + ["b"] * 15, dtype=object)
    return CategoricalStep.fit("city", values, onehot=onehot, min_count=10, max_categories=200)


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS.keys())
def test_a_json_round_trip_gives_identical_matrices(columns, config):
    pre = fit_preprocessor(columns, TYPES, config)
    again = Preprocessor.from_dict(json.loads(json.dumps(pre.to_dict())))
    assert again == pre
    assert again.feature_names == pre.feature_names
    assert again.categorical_indices == pre.categorical_indices
    new_rows = make_columns(80, seed=7)
    first, second = pre.transform(new_rows), again.transform(new_rows)
    np.testing.assert_array_equal(first.matrix, second.matrix)
    assert first.unseen == second.unseen


def test_feature_names_follow_the_declared_steps(columns):
    pre = fit_preprocessor(columns, TYPES, PreprocessConfig(onehot=True))
    names = pre.feature_names
    assert names[0] == "age"
    assert [n for n in names if n.startswith("city=")] == [
        "city=lima", "city=oslo", "city=paris", "city=rome", f"city={OTHER}", f"city={MISSING}",
    ]  # fmt: skip
    assert "member" in names
    assert "signup.dayofweek" in names
    assert pre.transform(columns).matrix.shape == (len(columns["age"]), len(names))


def test_an_unseen_category_goes_to_other_and_is_counted_ordinal():
    step = _city_step(onehot=False)
    assert step.categories == ("a", "b")
    block, unseen = step.transform(np.array(["b", "zz", "a", "zz", "yy"], dtype=object))
    np.testing.assert_array_equal(block[:, 0], [1.0, 2.0, 0.0, 2.0, 2.0])
    assert unseen == 3


def test_an_unseen_category_goes_to_other_and_is_counted_onehot():
    step = _city_step(onehot=True)
    assert step.outputs() == ["city=a", "city=b", f"city={OTHER}", f"city={MISSING}"]
    block, unseen = step.transform(np.array(["zz", "a"], dtype=object))
    np.testing.assert_array_equal(block, [[0, 0, 1, 0], [1, 0, 0, 0]])
    assert unseen == 1


@pytest.mark.parametrize("onehot", [False, True], ids=["ordinal", "onehot"])
def test_unseen_counts_are_reported_per_column(onehot):
    columns = make_columns(60)
    pre = fit_preprocessor(columns, TYPES, PreprocessConfig(onehot=onehot))
    columns["city"] = np.array(["atlantis"] * 5 + ["rome"] * 55, dtype=object)
    assert pre.transform(columns).unseen == {"city": 5}


def test_missing_values_stay_nan_with_ordinal_codes():
    step = _city_step(onehot=False)
    block, unseen = step.transform(np.array([None, np.nan, "a"], dtype=object))
    assert np.isnan(block[:2, 0]).all()
    assert block[2, 0] == 0.0
    assert unseen == 0


def test_missing_values_go_to_the_missing_column_with_onehot():
    step = _city_step(onehot=True)
    block, unseen = step.transform(np.array([None, np.nan, "b"], dtype=object))
    np.testing.assert_array_equal(block, [[0, 0, 0, 1], [0, 0, 0, 1], [0, 1, 0, 0]])
    assert unseen == 0


def test_the_batch_path_codes_like_the_row_path():
    step = _city_step(onehot=False)
    rng = np.random.default_rng(0)
    small = rng.choice(np.array(["a", "b", "zz", None], dtype=object), 1000)
    large = np.concatenate([small] * 5)  # over 4096 rows: factorized once per distinct value
    small_block, small_unseen = step.transform(small)
    large_block, large_unseen = step.transform(large)
    np.testing.assert_array_equal(large_block, np.concatenate([small_block] * 5))
    assert large_unseen == 5 * small_unseen


def test_rare_categories_are_not_kept_and_the_most_frequent_win_the_cap():
    values = np.array(["a"] * 30 + ["b"] * 20 + ["c"] * 12 + ["d"] * 3, dtype=object)
    step = CategoricalStep.fit("c", values, onehot=False, min_count=10, max_categories=2)
    assert step.categories == ("a", "b")


def test_imputation_and_scaling_statistics_come_from_the_fit_rows_only():
    fit_rows = np.array([1.0, 2.0, np.nan, 4.0, 10.0])
    later = np.array([1000.0, -1000.0, np.nan])
    columns = {"x": fit_rows}
    pre = fit_preprocessor(columns, {"x": ColumnType.NUMERIC}, CONFIGS["onehot_imputed_scaled"])
    (step,) = pre.steps
    assert isinstance(step, NumericStep)
    filled = np.array([1.0, 2.0, 3.0, 4.0, 10.0])  # the median of the known fit values is 3
    assert step.scaling.fill == 3.0
    assert step.scaling.mean == pytest.approx(filled.mean())
    assert step.scaling.scale == pytest.approx(filled.std())
    out = pre.transform({"x": later}).matrix[:, 0]
    expected = (np.array([1000.0, -1000.0, 3.0]) - filled.mean()) / filled.std()
    np.testing.assert_allclose(out, expected)


def test_without_imputation_missing_numbers_stay_nan_and_scaling_ignores_them():
    pre = fit_preprocessor(
        {"x": np.array([1.0, np.nan, 3.0])},
        {"x": ColumnType.NUMERIC},
        PreprocessConfig(scale=True),
    )
    (step,) = pre.steps
    assert step.scaling.fill is None
    assert step.scaling.mean == 2.0
    out = pre.transform({"x": np.array([np.nan, 2.0])}).matrix[:, 0]
    assert np.isnan(out[0])
    assert out[1] == 0.0


def test_a_constant_column_keeps_a_unit_scale():
    pre = fit_preprocessor(
        {"x": np.full(5, 7.0)}, {"x": ColumnType.NUMERIC}, PreprocessConfig(scale=True)
    )
    np.testing.assert_array_equal(pre.transform({"x": np.full(2, 7.0)}).matrix, 0.0)


def test_booleans_become_zero_one():
    pre = fit_preprocessor(
        {"b": np.array([True, False])}, {"b": ColumnType.BOOLEAN}, PreprocessConfig()
    )
    words = np.array(["yes", "No", "TRUE", "0", None], dtype=object)
    np.testing.assert_array_equal(pre.transform({"b": words}).matrix[:, 0], [1, 0, 1, 0, np.nan])


def test_a_rare_category_seen_in_training_goes_to_other_but_is_not_unseen():
    values = np.array(["a"] * 12 + ["b"] * 3, dtype=object)
    step = CategoricalStep.fit("c", values, onehot=False, min_count=10, max_categories=200)
    assert step.categories == ("a",)
    assert step.rare == ("b",)
    block, unseen = step.transform(np.array(["b", "a", "zz"], dtype=object))
    np.testing.assert_array_equal(block[:, 0], [1.0, 0.0, 1.0])  # b and zz share __other__
    assert unseen == 1


def test_integral_float_categories_fit_and_transform_alike():
    values = np.array([1.0] * 12 + [2.0] * 12)
    step = CategoricalStep.fit("c", values, onehot=False, min_count=10, max_categories=200)
    block, unseen = step.transform(values)
    assert unseen == 0
    np.testing.assert_array_equal(block[:, 0], [0.0] * 12 + [1.0] * 12)
