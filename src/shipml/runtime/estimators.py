"""Runtime: fitted models evaluated from float64 arrays, each saved in a safe, non-pickle format.

constant   class priors or the mean (the baseline), JSON
linear     coefficients and intercepts with a logistic, softmax or identity link, JSON
lightgbm   a LightGBM booster as its native model text, checked by `lgb_text` before LightGBM
           reads it: a malformed text raises `ModelFileError` (LightGBM's loader could abort)
skops      a scikit-learn forest or tree via skops; the metadata names its class, and the load
           trusts that class and its parts only (`model_files.load_skops`)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from shipml.core.enums import TaskName
from shipml.data.taxonomy import ROOT, taxonomy_of
from shipml.runtime.lgb_text import check_model_text, check_task
from shipml.runtime.model_files import FIX, ModelFileError, class_name, load_skops
from shipml.tasks import task_kind


class Estimator(Protocol):
    @property
    def kind(self) -> str: ...

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (n, k) for classification; values (n,) for regression."""
        ...

    def save(self, folder: Path) -> dict[str, Any]:
        """Write the model's files into `folder`; return the JSON metadata that reloads it."""
        ...


@dataclass(frozen=True, slots=True)
class ConstantEstimator:
    values: tuple[float, ...]
    task: TaskName
    kind: str = "constant"

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        if task_kind(self.task).gives_values:
            return np.full(len(X), self.values[0])
        return np.tile(np.asarray(self.values), (len(X), 1))

    def save(self, folder: Path) -> dict[str, Any]:
        return {"kind": self.kind, "values": list(self.values)}


@dataclass(frozen=True, slots=True)
class LinearEstimator:
    coef: np.ndarray  # (m, p): m = 1 for binary and regression, k for multiclass
    intercept: np.ndarray  # (m,)
    task: TaskName
    kind: str = "linear"

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        z = X @ self.coef.T + self.intercept
        kind = task_kind(self.task)
        if kind.gives_values:
            return z[:, 0]
        if kind.one_probability:
            p = 1.0 / (1.0 + np.exp(-np.clip(z[:, 0], -500, 500)))
            return np.column_stack([1.0 - p, p])
        z = z - z.max(axis=1, keepdims=True)
        e = np.exp(z)
        return e / e.sum(axis=1, keepdims=True)

    def save(self, folder: Path) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "coef": self.coef.tolist(),
            "intercept": self.intercept.tolist(),
        }


@dataclass(frozen=True, slots=True)
class BoosterEstimator:
    booster: Any  # lightgbm.Booster
    task: TaskName
    kind: str = "lightgbm"
    FILE = "model.lgb.txt"

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        p = self.booster.predict(X, num_threads=1)
        return np.column_stack([1.0 - p, p]) if task_kind(self.task).one_probability else p

    def save(self, folder: Path) -> dict[str, Any]:
        (folder / self.FILE).write_text(self.booster.model_to_string(), encoding="utf-8")
        return {"kind": self.kind, "file": self.FILE}


@dataclass(frozen=True, slots=True)
class SkopsEstimator:
    model: Any  # a fitted scikit-learn estimator from the trusted list
    task: TaskName
    kind: str = "skops"
    FILE = "model.skops"

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        if task_kind(self.task).gives_values:
            return np.asarray(self.model.predict(X), dtype=np.float64)
        return np.asarray(self.model.predict_proba(X), dtype=np.float64)

    def save(self, folder: Path) -> dict[str, Any]:
        import skops.io as sio

        sio.dump(self.model, folder / self.FILE)
        return {"kind": self.kind, "file": self.FILE, "estimator_class": class_name(self.model)}


@dataclass(frozen=True, slots=True)
class LabelwiseEstimator:
    """One binary estimator per label (binary relevance), or a classifier chain: the label at
    chain position i also reads the decided (p >= 0.5) labels before it, appended to the row
    in chain order. Outputs P(label) per label, (n, L), in the labels' order."""

    estimators: tuple[Estimator, ...]  # in the labels' order
    chain: tuple[int, ...] | None  # label positions in chain order; None: independent labels
    task: TaskName
    kind: str = "per_label"

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        out = np.empty((len(X), len(self.estimators)))
        if self.chain is None:
            for j, est in enumerate(self.estimators):
                out[:, j] = est.predict_raw(X)[:, 1]
            return out
        extra: list[np.ndarray] = []
        for j in self.chain:
            Xj = np.column_stack([X, *extra]) if extra else X
            out[:, j] = self.estimators[j].predict_raw(Xj)[:, 1]
            extra.append((out[:, j] >= 0.5).astype(X.dtype))
        return out

    def save(self, folder: Path) -> dict[str, Any]:
        parts = []
        for j, est in enumerate(self.estimators):
            sub = folder / f"label_{j}"
            sub.mkdir(parents=True, exist_ok=True)
            parts.append(est.save(sub))
        chain = None if self.chain is None else list(self.chain)
        files = [f"label_{j}/{m['file']}" for j, m in enumerate(parts) if m.get("file")]
        return {"kind": self.kind, "labels": parts, "chain": chain, "files": files}


@dataclass(frozen=True, slots=True)
class LogTargetEstimator:
    """A regression model learned on log1p(y): it answers exp(f(x)) * smear - 1, Duan's
    smearing factor `smear` turning the back-transformed median into an estimate of the mean."""

    inner: Estimator
    smear: float
    task: TaskName
    kind: str = "log_target"

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        return np.exp(np.clip(self.inner.predict_raw(X), -50, 50)) * self.smear - 1.0

    def save(self, folder: Path) -> dict[str, Any]:
        (folder / "inner").mkdir(parents=True, exist_ok=True)
        inner = self.inner.save(folder / "inner")
        files = [f"inner/{inner['file']}"] if inner.get("file") else []
        return {"kind": self.kind, "smear": self.smear, "inner": inner, "files": files}


@dataclass(frozen=True, slots=True)
class DetrendedEstimator:
    """A regression model learned after a linear trend in time was taken out: it answers the
    trend (intercept + slope x the time in years, from the time column's year and day-of-year
    features, missing ones filled) plus the inner model's prediction."""

    inner: Estimator
    columns: tuple[int, ...]  # the matrix columns of the year and the day of year
    fill: tuple[float, ...]  # their training means, for missing values
    coef: tuple[float, ...]  # intercept, slope per year
    task: TaskName
    kind: str = "detrended"

    @staticmethod
    def years(T: np.ndarray, fill: np.ndarray) -> np.ndarray:
        """Year + (day of year - 1) / 365.25, from (year, day of year) columns."""
        T = np.where(np.isnan(T), np.asarray(fill), T.astype(np.float64))
        return np.asarray(T[:, 0] + (T[:, 1] - 1.0) / 365.25, dtype=np.float64)

    @classmethod
    def trend_of(
        cls, X: np.ndarray, columns: Sequence[int], fill: np.ndarray, coef: np.ndarray
    ) -> np.ndarray:
        t = cls.years(X[:, list(columns)], fill)
        return np.asarray(coef[0] + coef[1] * t, dtype=np.float64)

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        trend = self.trend_of(X, self.columns, np.asarray(self.fill), np.asarray(self.coef))
        return self.inner.predict_raw(X) + trend

    def save(self, folder: Path) -> dict[str, Any]:
        (folder / "inner").mkdir(parents=True, exist_ok=True)
        inner = self.inner.save(folder / "inner")
        files = [f"inner/{inner['file']}"] if inner.get("file") else []
        return {"kind": self.kind, "columns": list(self.columns), "fill": list(self.fill),
                "coef": list(self.coef), "inner": inner, "files": files}  # fmt: skip


@dataclass(frozen=True, slots=True)
class NodeModel:
    """One parent node's classifier over its options (children, and itself when the node is
    also a class): `present` are the options its training rows held, in its output's order;
    an option never seen gets probability 0, and a node with one present option needs no
    model (`estimator` None)."""

    node: int  # a taxonomy node, or ROOT
    options: tuple[int, ...]
    present: tuple[int, ...]  # positions into `options`
    estimator: Estimator | None


@dataclass(frozen=True, slots=True)
class NodewiseEstimator:
    """A classifier per parent node of a taxonomy (local classifiers per parent node): the
    probability of a class is the product of the conditional probabilities down its path, so
    the class probabilities sum to 1 and agree with the tree. Outputs (n, K) in class order."""

    paths: tuple[str, ...]  # the classes, whose tree this is
    nodes: tuple[NodeModel, ...]
    task: TaskName
    kind: str = "per_node"

    def predict_raw(self, X: np.ndarray) -> np.ndarray:
        tax = taxonomy_of(self.paths)
        by_node = {m.node: m for m in self.nodes}
        mass = {ROOT: np.ones(len(X))}
        out = np.zeros((len(X), tax.n_classes))
        for v in sorted(tax.children, key=lambda n: (0 if n == ROOT else tax.depth[n], n)):
            if v not in mass:
                continue
            options, held = tax.options(v), mass[v]
            cond = self._conditional(by_node.get(v), len(options), X)
            for i, o in enumerate(options):
                if o == v:
                    out[:, v] += held * cond[:, i]
                else:
                    mass[o] = held * cond[:, i]
        for k in range(tax.n_classes):
            if k not in tax.children and k in mass:
                out[:, k] += mass[k]
        return out

    @staticmethod
    def _conditional(model: NodeModel | None, width: int, X: np.ndarray) -> np.ndarray:
        cond = np.zeros((len(X), width))
        if model is None:
            cond[:, 0] = 1.0
        elif model.estimator is None:
            cond[:, model.present[0]] = 1.0
        else:
            cond[:, list(model.present)] = model.estimator.predict_raw(X)
        return cond

    def save(self, folder: Path) -> dict[str, Any]:
        parts, files = [], []
        for m in self.nodes:
            entry: dict[str, Any] = {"node": m.node, "options": list(m.options),
                                     "present": list(m.present), "model": None}  # fmt: skip
            if m.estimator is not None:
                name = "node_root" if m.node == ROOT else f"node_{m.node}"
                (folder / name).mkdir(parents=True, exist_ok=True)
                entry["model"] = m.estimator.save(folder / name)
                entry["folder"] = name
                files += [f"{name}/{entry['model']['file']}"] if entry["model"].get("file") else []
            parts.append(entry)
        return {"kind": self.kind, "paths": list(self.paths), "nodes": parts, "files": files}


def load_estimator(meta: dict[str, Any], folder: Path, task: TaskName) -> Estimator:
    kind = meta["kind"]
    if kind == "detrended":
        inner = load_estimator(meta["inner"], folder / "inner", task)
        return DetrendedEstimator(
            inner,
            tuple(int(c) for c in meta["columns"]),
            tuple(float(v) for v in meta["fill"]),
            tuple(float(v) for v in meta["coef"]),
            task,
        )
    if kind == "log_target":
        inner = load_estimator(meta["inner"], folder / "inner", task)
        return LogTargetEstimator(inner, float(meta["smear"]), task)
    if kind == "per_node":
        node_task = task_kind(task).node_task
        if node_task is None:
            raise ModelFileError(
                f"a per-node model cannot serve a {task} task", where=str(folder), fix=FIX
            )
        nodes = tuple(
            NodeModel(
                int(m["node"]),
                tuple(int(o) for o in m["options"]),
                tuple(int(p) for p in m["present"]),
                None
                if m["model"] is None
                else load_estimator(m["model"], folder / m["folder"], node_task),
            )
            for m in meta["nodes"]
        )
        return NodewiseEstimator(tuple(meta["paths"]), nodes, task)
    if kind == "per_label":
        label_task = task_kind(task).label_task
        if label_task is None:
            raise ModelFileError(
                f"a per-label model cannot serve a {task} task", where=str(folder), fix=FIX
            )
        parts = tuple(
            load_estimator(m, folder / f"label_{j}", label_task)
            for j, m in enumerate(meta["labels"])
        )
        chain = None if meta.get("chain") is None else tuple(int(i) for i in meta["chain"])
        return LabelwiseEstimator(parts, chain, task)
    if kind == "constant":
        return ConstantEstimator(values=tuple(meta["values"]), task=task)
    if kind == "linear":
        return LinearEstimator(
            coef=np.asarray(meta["coef"], dtype=np.float64),
            intercept=np.asarray(meta["intercept"], dtype=np.float64),
            task=task,
        )
    if kind == "lightgbm":
        return BoosterEstimator(booster=load_booster(folder / meta["file"], task), task=task)
    if kind == "skops":
        model = load_skops(folder / meta["file"], task, meta.get("estimator_class"))
        return SkopsEstimator(model=model, task=task)
    raise ValueError(f"unknown estimator kind {kind!r}")


def load_booster(path: Path, task: TaskName) -> Any:
    """A LightGBM booster from its model text, checked first: a malformed text raises
    `ModelFileError` (LightGBM's own loader can abort the process on one)."""
    import lightgbm as lgb

    where = path.name
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ModelFileError(
            f"the LightGBM model text is not UTF-8 ({exc.reason})", where=where, fix=FIX
        ) from None
    info = check_model_text(text, where=where)
    check_task(info, task, where=where)
    try:
        booster = lgb.Booster(model_str=text)
    except (lgb.basic.LightGBMError, ValueError) as exc:
        raise ModelFileError(
            f"LightGBM cannot load the model: {exc}", where=where, fix=FIX
        ) from None
    loaded = (booster.num_trees(), booster.num_model_per_iteration(), booster.num_feature())
    expected = (info.num_trees, info.num_tree_per_iteration, info.max_feature_idx + 1)
    if loaded != expected:
        raise ModelFileError(
            f"LightGBM read (trees, trees per iteration, features) = {loaded},"
            f" the text says {expected}",
            where=where,
            fix=FIX,
        )
    return booster
