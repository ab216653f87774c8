"""The row count a progress bar is given before a file is scored."""

from __future__ import annotations

import gzip
from pathlib import Path

import pandas as pd

from shipml.data.sources import count_rows, iter_chunks


def test_counts_match_the_rows_read(tmp_path: Path) -> None:
    df = pd.DataFrame({"a": range(7), "b": list("abcdefg")})
    df.to_parquet(tmp_path / "x.parquet")
    df.to_csv(tmp_path / "x.csv", index=False)
    (tmp_path / "y.csv").write_text("a,b\n1,x\n2,y", encoding="utf-8")  # no final line end
    for name in ("x.parquet", "x.csv", "y.csv"):
        read = sum(len(c) for c in iter_chunks(str(tmp_path / name), 3))
        assert count_rows(str(tmp_path / name)) == read
    assert count_rows(str(tmp_path / "*.csv")) == 9


def test_a_compressed_text_file_has_no_cheap_count(tmp_path: Path) -> None:
    with gzip.open(tmp_path / "z.csv.gz", "wt") as fh:
        fh.write("a\n1\n2\n")
    assert count_rows(str(tmp_path / "z.csv.gz")) is None
