"""`shipml init` proposes multilabel for several targets, `A,B` naming columns, or a separator;
the spec it writes loads and says why, and a column of single labels is refused as multiclass."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import yaml

from shipml.core.errors import DataContractError
from shipml.scaffold import scaffold_spec
from shipml.tasks.load import load_spec


def _movies(tmp_path: Path) -> Path:
    rng = np.random.default_rng(0)
    n = 120
    action, comedy = rng.random(n) < 0.4, rng.random(n) < 0.5
    table = pd.DataFrame(
        {
            "length": rng.normal(100, 20, n),
            "Action": action.astype(int),
            "Comedy": comedy,
            "genres": [
                "|".join(g for g, on in (("action", a), ("comedy", c)) if on)
                for a, c in zip(action, comedy, strict=True)
            ],
        }
    )
    path = tmp_path / "movies.parquet"
    table.to_parquet(path)
    return path


@pytest.mark.parametrize("targets", [["Action", "Comedy"], ["Action,Comedy"]])
def test_several_flag_columns_propose_multilabel(tmp_path: Path, targets: list[str]) -> None:
    out = tmp_path / "spec.yaml"
    result = scaffold_spec(_movies(tmp_path), targets, out_path=out)
    assert result.spec["task"] == "multilabel"
    assert result.spec["target"] == {"columns": ["Action", "Comedy"]}
    said = " ".join(result.text.replace("#", " ").split())  # the comments, unwrapped
    assert "labels per row on average" in said
    assert "most frequent together: Action+Comedy" in said
    out.write_text(result.text, encoding="utf-8")
    loaded = load_spec(out)
    assert loaded.spec.the_target.columns == ["Action", "Comedy"]


def test_a_separated_column_proposes_multilabel_with_its_separator(tmp_path: Path) -> None:
    out = tmp_path / "spec.yaml"
    result = scaffold_spec(_movies(tmp_path), "genres", separator="|", out_path=out)
    values = yaml.safe_load(result.text)
    assert values["target"] == {"column": "genres", "separator": "|"}
    assert values["task"] == "multilabel"
    assert "K-fold by iterative stratification" in " ".join(result.text.replace("#", " ").split())


def test_one_label_per_row_is_refused_as_a_multiclass_target(tmp_path: Path) -> None:
    with pytest.raises(DataContractError, match="exactly one label") as info:
        scaffold_spec(_movies(tmp_path), "Action", separator="|")
    assert info.value.where == "--separator"


def test_a_missing_one_of_several_targets_is_named_with_close_matches(tmp_path: Path) -> None:
    with pytest.raises(DataContractError, match="'Comdy' is not among") as info:
        scaffold_spec(_movies(tmp_path), ["Action", "Comdy"])
    assert "Comedy" in info.value.detail
