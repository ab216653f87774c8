"""Inputs the server and `predict` must read as training read them, and never log in clear.

One model trained on a table with day-first date strings, e-mail and phone columns (unique,
shared and kept, excluded in the spec) is served by the real server; records are posted and
every file of the prediction log is read back.
"""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pyarrow.ipc as ipc
import pyarrow.parquet as pq
import pytest
import yaml

import shipml
from shipml.batch import predict_file
from shipml.core.enums import ColumnFlag
from shipml.monitor import read_predictions

from .conftest import make_table
from .test_serve import KEY, server

ROWS = 400


def contacts_table(n: int = ROWS) -> pd.DataFrame:
    df = make_table(n, seed=3).drop(columns=["day", "customer_id"])
    rng = np.random.default_rng(3)
    stamps = pd.Timestamp("2023-01-01") + pd.to_timedelta(rng.integers(0, 700 * 24, n), unit="h")
    df["signup"] = stamps.strftime("%d/%m/%Y %H:%M")  # day first: 13/02/2023 14:00
    df["contact"] = [f"person.{i}@example.org" for i in range(n)]  # unique: also an identifier
    phones = [f"+44 20 7946 {i:04d}" for i in rng.integers(0, 60, n)]
    df["phone"] = phones  # shared by several rows; kept with keep_suspects
    df["backup"] = [f"backup{i % 90}@mail.example.com" for i in range(n)]  # excluded in the spec
    return df


@pytest.fixture(scope="module")
def contacts(
    home: Path, tmp_path_factory: pytest.TempPathFactory
) -> tuple[shipml.TrainingResult, Path, pd.DataFrame]:
    folder = tmp_path_factory.mktemp("contacts")
    df = contacts_table()
    df.to_csv(folder / "contacts.csv", index=False)
    spec = {
        "name": "contacts",
        "data": {"train": "contacts.csv"},
        "target": {"column": "bought", "positive": "yes"},
        "features": {"exclude": ["backup"], "keep_suspects": ["phone"]},
        "validation": {"folds": 3},
        "constraints": {"n_trials": 4},
        "explain": {"enabled": False},
        "seed": 11,
    }
    (folder / "spec.yaml").write_text(yaml.safe_dump(spec, sort_keys=False))
    return shipml.train(folder / "spec.yaml"), folder, df


def test_every_pii_column_is_flagged_whatever_framing_decided(
    contacts: tuple[shipml.TrainingResult, Path, pd.DataFrame],
) -> None:
    result, _, _ = contacts
    columns = {c.name: c for c in result.model.schema.columns}
    for name in ("contact", "phone", "backup"):
        assert ColumnFlag.PII in columns[name].flags, name
    assert ColumnFlag.IDENTIFIER in columns["contact"].flags
    assert columns["phone"].role == "feature"  # kept: a feature, and still masked
    assert columns["signup"].format == "%d/%m/%Y %H:%M"


def test_the_reference_summary_holds_no_pii_value(
    contacts: tuple[shipml.TrainingResult, Path, pd.DataFrame],
) -> None:
    result, _, df = contacts
    text = (result.bundle_dir / "evaluation" / "reference.json").read_text(encoding="utf-8")
    assert not any(v in text for v in df["phone"].tolist() + df["contact"].tolist())
    phone = next(s for s in json.loads(text)["inputs"] if s["column"] == "phone")
    assert phone["hashed"] is True
    assert all(label.startswith("sha256:") for label, _ in phone["top"])


def test_predict_scores_its_own_training_file(
    contacts: tuple[shipml.TrainingResult, Path, pd.DataFrame],
) -> None:
    result, folder, df = contacts
    assert result.registered is not None
    out = folder / "scored.csv"
    predict_file(f"contacts/{result.registered.version}", folder / "contacts.csv", out)
    scored = pd.read_csv(out)
    assert len(scored) == len(df)
    expected = result.model.predict_frame(df)["proba_yes"].to_numpy()
    np.testing.assert_allclose(scored["proba_yes"].to_numpy(), expected, rtol=1e-6)


def _record(row: pd.Series) -> dict[str, object]:
    return {k: (None if isinstance(v, float) and np.isnan(v) else v) for k, v in row.items()}


def test_served_inputs_and_the_log(
    contacts: tuple[shipml.TrainingResult, Path, pd.DataFrame],
    home: Path,
    tmp_path: Path,
) -> None:
    result, _, df = contacts
    assert result.registered is not None
    keys = tmp_path / "keys.txt"
    keys.write_text(f"{KEY}\n")
    log = tmp_path / "log"
    features = df.drop(columns="bought")
    records = [_record(r) for _, r in features.head(60).iterrows()]
    ref = f"contacts/{result.registered.version}"
    headers = {"x-api-key": KEY, "content-type": "application/json"}
    with server(home, ref, "--api-key-file", str(keys), "--log-dir", str(log)) as url:
        batch = httpx.post(f"{url}/v1/predict/batch", json={"records": records}, headers=headers)
        assert batch.status_code == 200, batch.text  # day-first dates read with the stored format
        served = [p["score"] for p in batch.json()["predictions"]]
        local = result.model.predict_frame(features.head(60))["proba_yes"].to_numpy()
        np.testing.assert_allclose(served, local, rtol=1e-5)

        one = dict(records[0])
        body = _json_with(one, x1="Infinity")
        inf = httpx.post(f"{url}/v1/predict", content=body, headers=headers)
        missing = httpx.post(f"{url}/v1/predict", json={**one, "x1": None}, headers=headers)
        assert inf.status_code == 200
        assert "non_finite:x1" in inf.json()["warnings"]
        assert inf.json()["score"] == pytest.approx(missing.json()["score"])
        for token in ("NaN", "1e999", "-Infinity"):
            answer = httpx.post(
                f"{url}/v1/predict", content=_json_with(one, x1=token), headers=headers
            )
            assert "non_finite:x1" in answer.json()["warnings"], token

        secret = "not-a-date-7f3a9c"
        bad = httpx.post(f"{url}/v1/predict", json={**one, "signup": secret}, headers=headers)
        assert bad.status_code == 422
        assert bad.json()["detail"][0]["field"] == "signup"
        assert secret not in bad.text

    raw = [str(v) for c in ("contact", "phone", "backup") for v in features.head(60)[c]]
    files = [p for p in log.rglob("*") if p.is_file()]
    assert files, "the server wrote no log"
    logged = 0
    for path in files:
        assert not any(v.encode() in path.read_bytes() for v in raw), path.name
        table = _read_log(path)
        if table is None:
            continue
        logged += table.num_rows
        for column in ("contact", "phone", "backup"):
            values = {v for v in table.column(f"input.{column}").to_pylist() if v is not None}
            assert values <= {"***"}, (path.name, column, list(values)[:3])
    assert logged >= 65
    read = read_predictions(log, model_version=result.registered.version)
    assert len(read.rows) == logged  # the monitor reads what the server wrote, all of it
    assert {"contact", "phone", "backup", "signup"} <= set(read.inputs)
    assert set(read.rows["contact"].dropna()) == {"***"}
    assert read.classes == tuple(str(c) for c in result.model.classes)


def _json_with(record: dict[str, object], **raw: str) -> bytes:
    """The record as JSON with some values written as raw tokens (NaN, Infinity, 1e999)."""
    import json

    marked = {**record, **{k: f"@@{k}@@" for k in raw}}
    text = json.dumps(marked)
    for k, token in raw.items():
        text = text.replace(f'"@@{k}@@"', token)
    return text.encode()


def _read_log(path: Path) -> object:
    if path.name.endswith(".parquet"):
        return pq.read_table(path)
    if path.name.endswith(".arrows"):
        with ipc.open_stream(path) as reader:
            return reader.read_all()
    return None
