"""Quality benchmark datasets: the list file, loading, the seeded split, and the scoring.

`benchmarks/datasets.txt` has one dataset a line (`#` starts a comment):

    name  source  target  task  [positive]  [drop=col,col]

`source` is a Parquet or CSV path relative to the repository root (`../shared/data/x.parquet`) or
`sklearn:load_NAME` for one of scikit-learn's bundled loaders (no network). `task` is binary,
multiclass or regression; `positive` names a binary task's positive class (quote it if it holds
spaces). Every system is scored here, by the same code, from the predictions its worker wrote.
"""

from __future__ import annotations

import math
import shlex
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn import metrics as skm
from sklearn.model_selection import train_test_split

TASKS = ("binary", "multiclass", "regression")
PRIMARY = {"binary": "roc_auc", "multiclass": "log_loss", "regression": "rmse"}
GREATER_IS_BETTER = {"roc_auc": True, "accuracy": True, "r2": True}
TEST_SIZE = 0.25


@dataclass(frozen=True)
class Dataset:
    name: str
    source: str
    target: str
    task: str
    positive: str | None = None
    drop: tuple[str, ...] = field(default=())

    @property
    def metric(self) -> str:
        return PRIMARY[self.task]

    @property
    def classification(self) -> bool:
        return self.task != "regression"


def parse_list(path: Path) -> list[Dataset]:
    """The datasets of a list file, in order."""
    out = []
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        words = shlex.split(line)
        drop = tuple(c for w in words if w.startswith("drop=") for c in w[5:].split(",") if c)
        words = [w for w in words if not w.startswith("drop=")]
        if len(words) not in (4, 5) or words[3] not in TASKS:
            raise ValueError(f"{path}:{number}: expected 'name source target task [positive]'")
        positive = words[4] if len(words) == 5 else None
        out.append(Dataset(words[0], words[1], words[2], words[3], positive, drop))
    return out


def select(datasets: list[Dataset], names: str | None) -> list[Dataset]:
    """Those named in a comma-separated list (all when `names` is empty), in the file's order."""
    if not names:
        return datasets
    wanted = [n.strip() for n in names.split(",") if n.strip()]
    unknown = sorted(set(wanted) - {d.name for d in datasets})
    if unknown:
        raise SystemExit(f"unknown datasets: {', '.join(unknown)}")
    return [d for d in datasets if d.name in wanted]


def load(dataset: Dataset, root: Path) -> pd.DataFrame:
    """The whole table: features plus the target (as strings for classification)."""
    if dataset.source.startswith("sklearn:"):
        df = _sklearn(dataset)
    else:
        path = (root / dataset.source).resolve()
        df = pd.read_parquet(path) if path.suffix == ".parquet" else pd.read_csv(path)
    df = df.drop(columns=list(dataset.drop)).dropna(subset=[dataset.target])
    if dataset.classification:
        df[dataset.target] = df[dataset.target].astype(str)
    else:
        df[dataset.target] = df[dataset.target].astype(np.float64)
    return df.reset_index(drop=True)


def _sklearn(dataset: Dataset) -> pd.DataFrame:
    import sklearn.datasets

    bunch = getattr(sklearn.datasets, dataset.source.split(":", 1)[1])(as_frame=True)
    df = bunch.frame.rename(columns={"target": dataset.target})
    names = getattr(bunch, "target_names", None)
    if dataset.classification and names is not None and len(names):
        df[dataset.target] = [str(names[i]) for i in df[dataset.target].astype(int)]
    return df


def split(
    df: pd.DataFrame, dataset: Dataset, seed: int, max_rows: int
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The seeded train/test split (stratified for classification); a table larger than
    `max_rows` training rows is first subsampled (stratified too) so train has `max_rows`."""
    strata = df[dataset.target] if dataset.classification else None
    total = math.ceil(max_rows / (1 - TEST_SIZE))
    if len(df) > total:
        df, _ = train_test_split(df, train_size=total, random_state=seed, stratify=strata)
        strata = df[dataset.target] if dataset.classification else None
    train, test = train_test_split(df, test_size=TEST_SIZE, random_state=seed, stratify=strata)
    return train.reset_index(drop=True), test.reset_index(drop=True)


def write_parquet(df: pd.DataFrame, path: Path) -> None:
    """Parquet both virtualenvs read (pandas 3 and pandas 2): strings stored as plain object."""
    plain = df.copy()
    for c in plain.columns:
        if not (pd.api.types.is_numeric_dtype(plain[c]) or pd.api.types.is_bool_dtype(plain[c])):
            plain[c] = plain[c].astype(object).where(plain[c].notna(), None)
    plain.to_parquet(path, index=False)


def score(dataset: Dataset, y_true: pd.Series, pred: pd.DataFrame) -> dict[str, float]:
    """Test metrics from a worker's predictions: roc_auc/log_loss/accuracy for classification,
    rmse/mae/r2 for regression."""
    if not dataset.classification:
        y, p = y_true.to_numpy(np.float64), pred["prediction"].to_numpy(np.float64)
        return {
            "rmse": float(np.sqrt(skm.mean_squared_error(y, p))),
            "mae": float(skm.mean_absolute_error(y, p)),
            "r2": float(skm.r2_score(y, p)),
        }
    y = y_true.astype(str).to_numpy()
    classes = sorted(set(y) | {c[6:] for c in pred.columns if c.startswith("proba_")})
    proba = np.column_stack(
        [pred.get(f"proba_{c}", pd.Series(0.0, index=pred.index)).to_numpy() for c in classes]
    ).astype(np.float64)
    proba = np.clip(proba, 1e-15, 1.0)
    proba /= proba.sum(axis=1, keepdims=True)
    out = {
        "log_loss": float(skm.log_loss(y, proba, labels=classes)),
        "accuracy": float(np.mean(pred["prediction"].astype(str).to_numpy() == y)),
    }
    if dataset.task == "binary":
        positive = dataset.positive if dataset.positive is not None else classes[-1]
        out["roc_auc"] = float(skm.roc_auc_score(y == positive, proba[:, classes.index(positive)]))
    return out


def better(metric: str, a: float, b: float) -> bool:
    return a > b if GREATER_IS_BETTER.get(metric, False) else a < b
