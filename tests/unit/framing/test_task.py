"""Task inference and target framing: classes, the positive class, and why."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shipml.core.enums import Task
from shipml.core.errors import DataContractError
from shipml.framing import frame_target, infer_task


@pytest.mark.parametrize(
    ("values", "task"),
    [
        (pd.Series(["a", "b", "a"], dtype="str"), Task.BINARY),
        (pd.Series(["a", "b", "c", "a"], dtype="str"), Task.MULTICLASS),
        (pd.Series([True, False, True]), Task.BINARY),
        (pd.Series([0, 1, 1, 0]), Task.BINARY),
        (pd.Series([0.5, 1.25, 3.75, 2.0, 9.5]), Task.REGRESSION),
        (pd.Series(np.arange(100)), Task.REGRESSION),
    ],
)
def test_the_task_is_inferred_from_the_values(values, task):
    assert infer_task(values)[0] is task


def test_an_integer_target_with_few_values_is_multiclass_and_says_so():
    task, reason = infer_task(pd.Series([1, 2, 3, 4, 5, 2, 3] * 3))
    assert task is Task.MULTICLASS
    assert "integer" in reason
    assert "task: regression" in reason


def test_missing_values_do_not_count_as_a_class():
    assert infer_task(pd.Series(["a", None, "b"], dtype="str"))[0] is Task.BINARY


def test_the_positive_class_is_the_minority_by_default():
    y = pd.Series(["no", "yes", "no", "no"], dtype="str")
    tf = frame_target(y, task="auto", positive=None)
    assert tf.classes == ("no", "yes")
    np.testing.assert_array_equal(tf.y, [0, 1, 0, 0])
    assert "minority" in tf.positive_reason
    assert "25.0%" in tf.positive_reason


def test_the_spec_positive_class_is_matched_as_a_string():
    y = pd.Series([1, 0, 1, 1])
    tf = frame_target(y, task="auto", positive="1")
    assert tf.classes == (0, 1)
    np.testing.assert_array_equal(tf.y, [1, 0, 1, 1])
    assert tf.positive_reason == "set in the spec (target.positive)"
    as_float = frame_target(pd.Series([1.0, 0.0, 1.0]), task="binary", positive="0")
    assert as_float.classes == (1, 0)
    np.testing.assert_array_equal(as_float.y, [0, 1, 0])


def test_an_absent_positive_class_is_a_contract_error():
    with pytest.raises(DataContractError) as info:
        frame_target(pd.Series(["a", "b"], dtype="str"), task="auto", positive="c")
    assert info.value.where == "target.positive"
    assert "'c'" in str(info.value)


def test_a_single_class_is_refused():
    with pytest.raises(DataContractError, match="only the class"):
        frame_target(pd.Series(["a", "a"], dtype="str", name="label"), task="binary", positive=None)


def test_multiclass_codes_follow_the_sorted_labels():
    tf = frame_target(pd.Series(["c", "a", "b", "a"], dtype="str"), task="auto", positive=None)
    assert tf.task is Task.MULTICLASS
    assert tf.classes == ("a", "b", "c")
    np.testing.assert_array_equal(tf.y, [2, 0, 1, 0])


def test_a_regression_target_is_kept_as_floats():
    tf = frame_target(pd.Series([1, 2, 3]), task="regression", positive=None)
    assert tf.classes == ()
    assert tf.y.dtype == np.float64
