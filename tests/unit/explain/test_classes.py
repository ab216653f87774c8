"""Which classes a multiclass model's explanations show: `explain.classes` when set, else the 3
largest by training rows; never a class under 50 rows in the sample; an unknown class is a
clear error naming the field and the valid classes."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from shipml.core.enums import Metric, Task
from shipml.core.errors import DataContractError
from shipml.explain import Limits, explain_model
from shipml.explain.classes import MIN_CLASS_ROWS, check_explain_classes, choose_classes
from shipml.spec.model import Explain, Fairness, ModelSpec
from tests.unit.explain.conftest import booster_model, multiclass_model

SMALL = Limits(permutation_rows=600, repeats=2, pdp_rows=80, grid_points=6, pdp_features=2,
               shap_rows=100, bootstrap=20)  # fmt: skip
CLASSES = ("a", "b", "c", "d", "e")


def labels(counts: list[int]) -> np.ndarray:
    return np.repeat(np.arange(len(counts)), counts)


def test_default_is_the_three_largest_by_training_rows() -> None:
    sample = labels([60, 60, 60, 60, 60])
    choice = choose_classes(CLASSES, sample, None, train_rows=[10, 500, 90, 300, 200])
    assert choice.explained == (1, 3, 4)  # b, d, e: the most training rows, largest first
    assert choice.lead == 1
    assert "not shown: 'a', 'c'" in " ".join(choice.notes)
    assert "explain.classes" in " ".join(choice.notes)


def test_without_training_counts_the_sample_ranks_the_classes() -> None:
    choice = choose_classes(CLASSES, labels([70, 300, 55, 200, 90]), None)
    assert choice.explained == (1, 3, 4)


def test_a_class_under_50_rows_is_never_explained() -> None:
    sample = labels([400, 300, MIN_CLASS_ROWS - 1, 200, 5])
    default = choose_classes(CLASSES, sample, None, train_rows=[400, 300, 900, 200, 5])
    assert 2 not in default.explained  # the largest in training, yet too few rows here
    assert default.explained == (0, 1, 3)
    note = default.notes[0]
    assert "'c' (49 rows)" in note
    assert "'e' (5 rows)" in note
    assert "at least 50 rows" in note
    named = choose_classes(CLASSES, sample, ["e", "b"])
    assert named.explained == (1,)
    assert "though named in explain.classes" in named.notes[0]
    assert "'e' (5 rows)" in named.notes[0]


def test_named_classes_are_followed_in_their_order() -> None:
    sample = labels([100, 100, 100, 100, 100])
    choice = choose_classes(CLASSES, sample, ["e", "a", "e"], train_rows=[5, 500, 400, 300, 9])
    assert choice.explained == (4, 0)  # not the largest: the ones named, once each
    assert choice.notes == ()
    numeric = choose_classes((1, 2, 3), labels([60, 60, 60]), [3, 1.0])  # YAML numbers
    assert numeric.explained == (2, 0)


def test_an_unknown_class_names_the_field_and_the_valid_classes() -> None:
    with pytest.raises(DataContractError) as err:
        check_explain_classes(["b", "Ideel"], ["Fair", "Ideal", "b"])
    assert err.value.where == "explain.classes"
    text = str(err.value)
    assert "'Ideel' is not a class of the target" in text
    assert "['Fair', 'Ideal', 'b']" in text
    assert "Did you mean 'Ideal'" in text
    with pytest.raises(DataContractError, match="no classes"):
        check_explain_classes(["a"], [])  # a regression target
    check_explain_classes(None, ["a"])
    check_explain_classes(["a"], ["a", "b"])


def test_the_spec_field_takes_labels_of_any_type() -> None:
    spec = ModelSpec.model_validate({
        "name": "m", "data": {"train": "t.csv"}, "target": {"column": "y"},
        "explain": {"classes": ["Ideal", 3]},
    })  # fmt: skip
    assert spec.explain.classes == ["Ideal", 3]
    assert Explain().classes is None


@pytest.fixture(scope="module")
def rare_last() -> dict[str, Any]:
    """Four classes; the last one (which the old focus picked) is 2% of the rows."""
    rng = np.random.default_rng(0)
    y = labels([500, 300, 180, 20])
    rng.shuffle(y)
    columns = {"x1": y + rng.normal(size=len(y)), "x2": rng.normal(size=len(y))}
    model = multiclass_model(columns, y, ("a", "b", "c", "d"))
    return {"model": model, "columns": columns, "y": y}


def explain(run: dict[str, Any], **fields: object) -> Any:
    return explain_model(
        run["model"], run["columns"], run["y"], None, metric=Metric.LOG_LOSS,
        explain=Explain.model_validate(fields), fairness=Fairness(), seed=0, limits=SMALL,
    )  # fmt: skip


def test_the_rare_last_class_is_not_explained(rare_last: dict[str, Any]) -> None:
    e = explain(rare_last)
    assert e.classes == ("a", "b", "c")
    assert e.output_label == "P(y = a)"
    assert {p.label for p in e.pdp} == {"a", "b", "c"}
    assert [p.label for p in e.pdp][:2] == ["a", "a"]  # class by class, the top features each
    assert len(e.pdp) == 3 * SMALL.pdp_features
    assert [s.scale for s in e.shap_by_class] == [
        f"class score (log scale) of y = {c}" for c in ("a", "b", "c")
    ]
    assert e.shap is e.shap_by_class[0]
    assert any("'d' (" in n for n in e.class_notes)
    assert all("'d'" not in p.output for p in e.pdp)


def test_explanations_follow_explain_classes(rare_last: dict[str, Any]) -> None:
    e = explain(rare_last, classes=["c", "d"])
    assert e.classes == ("c",)
    assert {p.output for p in e.pdp} == {"P(y = c)"}
    assert "though named in explain.classes" in e.class_notes[0]
    with pytest.raises(DataContractError, match=r"explain\.classes: 'z' is not a class"):
        explain(rare_last, classes=["z"])


def test_a_binary_model_explains_its_positive_class_whatever_is_named() -> None:
    rng = np.random.default_rng(2)
    columns = {"x1": rng.normal(size=300), "x2": rng.normal(size=300)}
    y = (columns["x1"] > 0).astype(int)
    model = booster_model(columns, y, Task.BINARY, rounds=10)
    spec = Fairness.model_validate({"sensitive": ["x2"]})
    e = explain_model(model, columns, y, None, metric=Metric.ROC_AUC,
                      explain=Explain(classes=["0"]), fairness=spec, seed=0,
                      limits=SMALL)  # fmt: skip
    assert e.classes == ("1",)
    assert "applies to models of several classes" in e.class_notes[0]
    off = explain_model(model, columns, y, None, metric=Metric.ROC_AUC,
                        explain=Explain(enabled=False), fairness=spec, seed=0,
                        limits=SMALL)  # fmt: skip
    assert off.sensitive[0].text == "a feature of the model (importance not computed)"
    assert off.class_notes == ()
