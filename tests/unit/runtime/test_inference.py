"""The inference form: save/load round trips per estimator kind, records vs frames, input errors."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest

from shipml.core.enums import Task
from shipml.runtime import ColumnValueError, InferenceModel, MissingColumnError
from shipml.tasks import task_kind

from .conftest import CLASSES, KINDS, make_columns


def _as_frame(columns: dict[str, np.ndarray]) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "age": pd.Series(columns["age"], dtype="float64"),
            "city": pd.Series(columns["city"], dtype="str"),
            "member": pd.Series(columns["member"], dtype="bool"),
            "signup": pd.Series(columns["signup"]),
            "note": "not a feature",
        }
    )


def _as_records(columns: dict[str, np.ndarray]) -> list[dict[str, object]]:
    """JSON-like records, as a client sends them: None for missing, ISO strings for dates."""
    records = []
    for i in range(len(columns["age"])):
        age = float(columns["age"][i])
        records.append(
            {
                "age": None if math.isnan(age) else age,
                "city": columns["city"][i],
                "member": bool(columns["member"][i]),
                "signup": str(columns["signup"][i]),
            }
        )
    return records


def _output(model: InferenceModel, columns: dict[str, np.ndarray]) -> np.ndarray:
    prediction = model.predict_columns(columns)
    return prediction.values if prediction.proba is None else prediction.proba


@pytest.mark.parametrize("task", list(Task))
@pytest.mark.parametrize("kind", KINDS)
def test_save_and_load_give_the_same_predictions(tmp_path, model_factory, kind, task):
    model = model_factory(kind, task)
    files = model.save(tmp_path)
    assert files[0] == "inference.json"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(files)
    loaded = InferenceModel.load(tmp_path)
    assert loaded.estimator.kind == model.estimator.kind
    assert (loaded.task, loaded.classes, loaded.policy) == (task, CLASSES[task], model.policy)
    assert loaded.preprocessor == model.preprocessor
    assert loaded.schema == model.schema
    fresh = make_columns(120, seed=11)
    np.testing.assert_allclose(_output(loaded, fresh), _output(model, fresh), rtol=0, atol=1e-12)
    labels_before = model.predict_columns(fresh).values
    labels_after = loaded.predict_columns(fresh).values
    np.testing.assert_array_equal(labels_after, labels_before)


@pytest.mark.parametrize("kind", KINDS)
def test_class_probabilities_are_rows_summing_to_one(model_factory, kind):
    for task in (Task.BINARY, Task.MULTICLASS):
        proba = model_factory(kind, task).predict_columns(make_columns(50)).proba
        assert proba.shape == (50, len(CLASSES[task]))
        np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-9)


def test_an_unsupported_format_version_is_refused(tmp_path, model_factory):
    model_factory("constant", Task.BINARY).save(tmp_path)
    meta = json.loads((tmp_path / "inference.json").read_text())
    meta["format_version"] = 99
    (tmp_path / "inference.json").write_text(json.dumps(meta))
    with pytest.raises(ValueError, match="unsupported inference format"):
        InferenceModel.load(tmp_path)


@pytest.mark.parametrize(("kind", "task"), [("lightgbm", Task.BINARY), ("linear", Task.REGRESSION)])
def test_predict_records_equals_predict_frame_on_the_same_rows(model_factory, kind, task):
    model = model_factory(kind, task)
    columns = make_columns(60, seed=5)
    frame_out = model.predict_frame(_as_frame(columns))
    from_records = model.predict_records(_as_records(columns))
    assert frame_out["prediction"].tolist() == list(from_records.values)
    if task_kind(task).has_classes:
        proba = frame_out[[f"proba_{c}" for c in CLASSES[task]]].to_numpy()
        np.testing.assert_allclose(proba, from_records.proba, rtol=0, atol=1e-12)
    assert frame_out.attrs["unseen"] == from_records.unseen


def test_binary_labels_follow_the_threshold(model_factory):
    model = model_factory("linear", Task.BINARY)
    prediction = model.predict_columns(make_columns(80))
    expected = np.where(prediction.proba[:, 1] >= 0.5, "yes", "no")
    np.testing.assert_array_equal(prediction.values, expected)


def test_unseen_categories_are_reported_by_predict_frame(model_factory):
    model = model_factory("lightgbm", Task.BINARY)
    columns = make_columns(10)
    columns["city"] = np.array(["atlantis"] * 3 + ["rome"] * 7, dtype=object)
    assert model.predict_frame(_as_frame(columns)).attrs["unseen"] == {"city": 3}


def test_a_missing_required_column_is_named(model_factory):
    model = model_factory("linear", Task.BINARY)
    frame = _as_frame(make_columns(5)).drop(columns=["city"])
    with pytest.raises(MissingColumnError) as info:
        model.predict_frame(frame)
    assert info.value.columns == ["city"]
    assert "city" in str(info.value)
    records = [{"age": 30.0, "member": True, "signup": "2020-01-01"}]
    # an absent key in a record reads as missing (None), which the model can take
    assert model.predict_records(records).values.shape == (1,)


def test_a_non_number_in_a_numeric_column_raises_naming_it(model_factory):
    model = model_factory("linear", Task.BINARY)
    records = _as_records(make_columns(3))
    records[1]["age"] = "forty"
    with pytest.raises(ColumnValueError) as info:
        model.predict_records(records)
    assert info.value.column == "age"
    assert "forty" in str(info.value)
