"""The reference summaries a version keeps for monitoring, checked against the training rows
they came from (the real producer: `shipml.train`)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

import shipml
from shipml.core.errors import ArtifactError
from shipml.runtime.reference import (
    BINS,
    QUANTILES,
    CategoricalSummary,
    NumericSummary,
    ReferenceSummary,
)

from .conftest import make_table


@pytest.fixture(scope="module")
def reference(trained: shipml.TrainingResult) -> tuple[ReferenceSummary, pd.DataFrame, dict]:
    ev = trained.bundle_dir / "evaluation"
    stored = json.loads((ev / "reference.json").read_text(encoding="utf-8"))
    oof = pd.read_parquet(ev / "oof.parquet")
    train = make_table().iloc[oof["row_id"].to_numpy()].reset_index(drop=True)
    return ReferenceSummary.from_dict(stored), train.assign(**_calibrated(trained, oof)), stored


def _calibrated(trained: shipml.TrainingResult, oof: pd.DataFrame) -> dict[str, np.ndarray]:
    names = [f"proba_{c}" for c in trained.model.classes]
    raw = oof[names].to_numpy()
    known = np.isfinite(raw).all(axis=1)
    out = np.full_like(raw, np.nan)
    out[known] = trained.model.policy.calibrate(raw[known])
    return {f"score:{n}": out[:, j] for j, n in enumerate(names)}


def test_numeric_features_match_the_training_rows(reference):
    ref, train, _ = reference
    summaries = {s.column: s for s in ref.inputs}
    assert ref.rows == len(train)
    for name in ("x1", "x2", "noise", "store"):
        s = summaries[name]
        assert isinstance(s, NumericSummary)
        values = train[name].to_numpy(dtype=np.float64)
        known = values[np.isfinite(values)]
        assert (s.count, s.missing) == (known.size, values.size - known.size)
        np.testing.assert_allclose(s.quantiles, np.quantile(known, np.linspace(0, 1, QUANTILES)))
        assert (s.min, s.max) == (known.min(), known.max())
        assert len(s.edges) == len(s.counts) + 1 <= BINS + 1
        assert sum(s.counts) == known.size
        assert set(s.sample) <= set(known.tolist())
        assert len(s.sample) == min(5000, known.size)


def test_categories_match_the_training_rows(reference):
    ref, train, _ = reference
    colour = next(s for s in ref.inputs if s.column == "colour")
    assert isinstance(colour, CategoricalSummary)
    assert not colour.hashed
    assert dict(colour.top) == train["colour"].value_counts().to_dict()
    assert colour.other == 0


def test_scores_are_the_calibrated_out_of_fold_probabilities(reference, trained):
    ref, train, _ = reference
    assert [s.column for s in ref.scores] == [f"proba_{c}" for c in trained.model.classes]
    for s in ref.scores:
        values = train[f"score:{s.column}"].to_numpy()
        known = values[np.isfinite(values)]
        np.testing.assert_allclose(s.quantiles, np.quantile(known, np.linspace(0, 1, QUANTILES)))
        assert s.missing == values.size - known.size


def test_only_features_are_summarized_and_dates_are_left_out(reference, trained):
    ref, _, _ = reference
    assert {s.column for s in ref.inputs} == set(trained.model.schema.features) - {"day"}


def test_the_record_round_trips_and_refuses_another_version(reference):
    ref, _, stored = reference
    assert ReferenceSummary.from_dict(ref.to_dict()) == ref
    assert ref.to_dict() == stored
    with pytest.raises(ArtifactError, match="schema_version 2"):
        ReferenceSummary.from_dict({**stored, "schema_version": 2})
    with pytest.raises(ArtifactError, match="malformed"):
        ReferenceSummary.from_dict({**stored, "inputs": [{"kind": "numeric"}]})
