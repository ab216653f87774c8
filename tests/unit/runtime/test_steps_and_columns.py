"""Column conversion from raw values, and the datetime calendar parts."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from shipml.data.casting import parse_datetimes
from shipml.runtime import ColumnValueError
from shipml.runtime.columns import as_bool_float, as_datetime, as_float, records_to_columns
from shipml.runtime.steps import DatetimeStep


def _calendar_of(step: DatetimeStep, values: list[object]) -> dict[str, np.ndarray]:
    block, _ = step.transform(np.array(values, dtype=object))
    return {part: block[:, j] for j, part in enumerate(step.parts)}


def test_calendar_parts_are_right_for_known_dates():
    dates = ["2024-01-02", "2024-12-31", "2000-02-29", "1969-12-31", "2023-06-04"]
    step = DatetimeStep.fit("d", np.array(dates, dtype=object), impute=False, scale=False)
    assert step.parts == ("year", "month", "day", "dayofweek", "dayofyear")
    parts = _calendar_of(step, dates)
    np.testing.assert_array_equal(parts["year"], [2024, 2024, 2000, 1969, 2023])
    np.testing.assert_array_equal(parts["month"], [1, 12, 2, 12, 6])
    np.testing.assert_array_equal(parts["day"], [2, 31, 29, 31, 4])
    # Tuesday, Tuesday, Tuesday, Wednesday, Sunday (Monday = 0)
    np.testing.assert_array_equal(parts["dayofweek"], [1, 1, 1, 2, 6])
    np.testing.assert_array_equal(parts["dayofyear"], [2, 366, 60, 365, 155])


def test_the_hour_is_a_part_only_when_the_data_has_times_of_day():
    stamps = np.array(["2024-01-02T13:45:00", "2024-01-03 00:00:00Z"], dtype=object)
    step = DatetimeStep.fit("d", stamps, impute=False, scale=False)
    assert step.parts[-1] == "hour"
    np.testing.assert_array_equal(_calendar_of(step, list(stamps))["hour"], [13, 0])


def test_numpy_datetimes_and_iso_strings_give_the_same_parts():
    as_numpy = np.array(["2024-01-02T00:00:00", "2021-07-15T00:00:00"], dtype="datetime64[s]")
    step = DatetimeStep.fit("d", as_numpy, impute=False, scale=False)
    from_numpy, _ = step.transform(as_numpy)
    from_text, _ = step.transform(np.array(["2024-01-02", "2021-07-15T00:00:00Z"], dtype=object))
    np.testing.assert_array_equal(from_numpy, from_text)


def test_a_missing_date_gives_nan_parts_or_the_fit_median():
    dates = np.array(["2024-01-01", "2024-01-03", "2024-01-05"], dtype=object)
    raw = DatetimeStep.fit("d", dates, impute=False, scale=False)
    assert np.isnan(raw.transform(np.array([None, ""], dtype=object))[0]).all()
    imputed = DatetimeStep.fit("d", dates, impute=True, scale=False)
    parts = _calendar_of(imputed, [None])
    assert parts["day"][0] == 3.0
    assert parts["year"][0] == 2024.0


def test_a_missing_date_does_not_add_an_hour_part():
    dates = np.array(["2024-01-01", None, "2024-01-05"], dtype=object)
    step = DatetimeStep.fit("d", dates, impute=False, scale=False)
    assert "hour" not in step.parts


def test_numbers_in_object_arrays_become_floats():
    values = np.array([1, "2.5", None, float("nan"), True], dtype=object)
    np.testing.assert_array_equal(as_float("x", values), [1.0, 2.5, np.nan, np.nan, 1.0])


def test_a_non_number_in_a_numeric_column_names_the_column():
    with pytest.raises(ColumnValueError) as info:
        as_float("income", np.array([1.0, "lots"], dtype=object))
    assert info.value.column == "income"
    assert str(info.value).startswith("income:")
    assert "'lots'" in str(info.value)


def test_a_non_boolean_names_the_column():
    with pytest.raises(ColumnValueError) as info:
        as_bool_float("member", np.array(["maybe"], dtype=object))
    assert info.value.column == "member"


def test_a_non_date_names_the_column():
    with pytest.raises(ColumnValueError) as info:
        as_datetime("signup", np.array(["next tuesday"], dtype=object))
    assert info.value.column == "signup"


def test_a_timezone_offset_is_converted_to_utc_as_training_reads_it():
    text = ["2024-01-02T10:00:00+02:00", "2024-01-02T08:00:00Z", "2024-01-02 08:00"]
    out = as_datetime("d", np.array(text, dtype=object))
    assert (out == np.datetime64("2024-01-02T08:00:00")).all()
    trained = parse_datetimes(pd.Series(text))
    assert (trained.to_numpy().astype("datetime64[s]") == out).all()


def test_a_stored_format_reads_day_first_dates_as_training_did():
    text = ["03/02/2024 14:00", "13/02/2024 09:30"]
    out = as_datetime("d", np.array(text, dtype=object), "%d/%m/%Y %H:%M")
    assert out[0] == np.datetime64("2024-02-03T14:00:00")
    trained = parse_datetimes(pd.Series(text), "%d/%m/%Y %H:%M")
    assert (trained.to_numpy().astype("datetime64[s]") == out).all()


def test_records_become_one_object_array_per_column():
    columns = records_to_columns([{"a": 1, "b": "x"}, {"a": 2}], ["a", "b"])
    assert columns["a"].dtype == object
    assert columns["a"].tolist() == [1, 2]
    assert columns["b"].tolist() == ["x", None]
