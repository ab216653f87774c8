"""Association clusters: numeric pairs, a category with its numeric twin, unrelated columns."""

from __future__ import annotations

import numpy as np

from shipml.core.enums import ColumnType
from shipml.explain import association_matrix, correlated_groups


def test_categorical_label_groups_with_its_numeric_code() -> None:
    rng = np.random.default_rng(0)
    years = rng.integers(8, 18, 1500).astype(float)
    labels = np.array(["grade-" + chr(ord("a") + int(y) - 8) for y in years], dtype=object)
    rng.shuffle(labels[:30])  # a little disagreement
    age = rng.normal(40, 10, 1500)
    monotone = np.exp(age / 10) + rng.normal(size=1500) * 0.01  # rank-identical to age
    columns = {"education": labels, "years": years, "age": age, "monotone": monotone}
    types = {"education": ColumnType.CATEGORICAL, "years": ColumnType.NUMERIC,
             "age": ColumnType.NUMERIC, "monotone": ColumnType.NUMERIC}  # fmt: skip
    groups = correlated_groups(columns, types)
    assert sorted(groups) == [("age", "monotone"), ("education", "years")]
    m = association_matrix(columns, types)
    assert m.shape == (4, 4)
    assert np.allclose(m, m.T)
    assert np.all((m >= 0) & (m <= 1 + 1e-9))
    assert m[0, 2] < 0.2  # education vs age: unrelated


def test_missing_values_and_categories_pairs() -> None:
    rng = np.random.default_rng(1)
    a = rng.choice(np.array(["x", "y", "z"], dtype=object), 600)
    b = np.array([{"x": "p", "y": "q", "z": "r"}[v] for v in a], dtype=object)
    b[:10] = None
    c = rng.normal(size=600)
    c[:50] = np.nan
    types = {"a": ColumnType.CATEGORICAL, "b": ColumnType.CATEGORICAL, "c": ColumnType.NUMERIC}
    assert correlated_groups({"a": a, "b": b, "c": c}, types) == [("a", "b")]
    assert correlated_groups({"c": c}, {"c": ColumnType.NUMERIC}) == []
