"""Quality benchmark worker: trains ONE system on one train/test split and reports it.

Run by `benchmarks/quality.py` in a subprocess, with the python of the system's own virtualenv
(shipml: the project's `.venv`; FLAML and AutoGluon: `benchmarks/.peers-venv`), so imports and
thread pools of the systems never meet and a crash is a recorded failure, not a fatal one:

    python benchmarks/quality_systems.py --system flaml --train TRAIN.parquet --test TEST.parquet \
        --target income --task binary --metric roc_auc --budget 60 --seed 0 --workdir DIR

It writes the test-set predictions to `DIR/predictions.parquet` (`prediction`, and `proba_<label>`
per class for classification) and prints one JSON line on stdout: version, fit seconds, median
single-row predict latency, model size on disk and a summary of what the system chose. Scoring is
left to the harness, so the three systems are scored by the same code. Only the standard library,
numpy and pandas are imported at module level: the two virtualenvs share nothing else.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import sys
import time
import traceback
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

LATENCY_CALLS = 100
WARMUP_CALLS = 5
MB = 1e6


def dir_size_mb(folder: Path) -> float:
    """Bytes of every file under `folder`, in MB (1e6 bytes)."""
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file()) / MB


def median_latency_ms(predict: Any, rows: list[pd.DataFrame]) -> tuple[float, float]:
    """Median and p95 in ms of `predict(row)` over single-row DataFrames, after a warm-up."""
    for row in rows[:WARMUP_CALLS]:
        predict(row)
    times = []
    for row in rows:
        start = time.perf_counter()
        predict(row)
        times.append(time.perf_counter() - start)
    ms = np.asarray(times) * 1000.0
    return float(np.median(ms)), float(np.percentile(ms, 95))


def single_rows(X: pd.DataFrame, n: int = LATENCY_CALLS) -> list[pd.DataFrame]:
    """`n` one-row DataFrames cycling through the rows of `X` (built before any timing)."""
    return [X.iloc[[i % len(X)]] for i in range(n)]


def proba_frame(proba: np.ndarray, classes: list[Any], index: pd.Index) -> pd.DataFrame:
    return pd.DataFrame({f"proba_{c}": proba[:, j] for j, c in enumerate(classes)}, index=index)


def run_shipml(args: argparse.Namespace, X_test: pd.DataFrame) -> dict[str, Any]:
    """shipml through its public API: a spec dict with the test file as its test set."""
    os.environ["SHIPML_HOME"] = str(args.workdir / "shipml-home")
    import shipml

    train = shipml.train  # resolves the lazy export (imports) before the clock starts
    spec: dict[str, Any] = {
        "name": f"bench-{args.name}",
        "data": {"train": str(args.train.resolve()), "test": str(args.test.resolve())},
        "target": {"column": args.target},
        "task": args.task,
        "metrics": {"primary": args.metric},
        "constraints": {"time_budget_s": args.budget, "n_jobs": args.n_jobs},
        "seed": args.seed,
    }
    if args.positive is not None:
        spec["target"]["positive"] = args.positive
    start = time.perf_counter()
    result = train(spec, track=False)
    fit_s = time.perf_counter() - start
    model = result.model
    out = model.predict_frame(X_test)
    keep = ["prediction"] + [c for c in out.columns if c.startswith("proba_")]
    latency = median_latency_ms(model.predict_frame, single_rows(X_test))
    saved = args.workdir / "shipml-model"
    model.save(saved)
    board = [
        {
            "family": r.family,
            "cv_mean": r.cv_mean,
            "cv_std": r.cv_std,
            "n_trials": r.n_trials,
            "n_pruned": r.n_pruned,
            "tuning_seconds": round(r.tuning_seconds, 2),
            "fit_seconds": round(r.fit_seconds, 3),
            "latency_p95_ms": round(r.latency_p95_ms, 3),
            "size_mb": round(r.size_mb, 3),
        }
        for r in result.leaderboard
    ]
    details = {
        "champion": result.selection.champion,
        "leaderboard": board,
        "train_seconds": round(result.seconds, 2),
        "source": str(Path(shipml.__file__).parent),
        "holdout": {k: float(v) for k, v in result.holdout.metrics.items()},
    }
    return {
        "version": shipml.__version__,
        "fit_seconds": fit_s,
        "latency": latency,
        "size_mb": dir_size_mb(saved),
        "best_model": result.selection.champion,
        "predictions": out[keep],
        "details": details,
    }


def run_flaml(args: argparse.Namespace, X_train: pd.DataFrame, y_train: pd.Series,
              X_test: pd.DataFrame) -> dict[str, Any]:  # fmt: skip
    """FLAML AutoML with an explicit estimator list (no xgboost, so no `flaml[automl]`)."""
    import flaml
    from flaml import AutoML

    classification = args.task != "regression"
    estimators = ["lgbm", "rf", "extra_tree"] + (["lrl1"] if classification else [])
    automl = AutoML()
    start = time.perf_counter()
    automl.fit(
        X_train=X_train,
        y_train=y_train,
        task="classification" if classification else "regression",
        metric=args.metric,
        time_budget=args.budget,
        estimator_list=estimators,
        n_jobs=args.n_jobs,
        seed=args.seed,
        verbose=0,
    )
    fit_s = time.perf_counter() - start
    pred = pd.DataFrame({"prediction": automl.predict(X_test)}, index=X_test.index)
    if classification:
        classes = [str(c) for c in automl.classes_]
        pred = pred.join(proba_frame(automl.predict_proba(X_test), classes, X_test.index))
    latency = median_latency_ms(automl.predict, single_rows(X_test))
    size = len(pickle.dumps(automl, protocol=pickle.HIGHEST_PROTOCOL)) / MB
    model_size = len(pickle.dumps(automl.model, protocol=pickle.HIGHEST_PROTOCOL)) / MB
    details = {
        "best_estimator": automl.best_estimator,
        "best_config": automl.best_config,
        "best_loss": automl.best_loss,
        "time_to_find_best": automl.time_to_find_best_model,
        "best_model_pickle_mb": round(model_size, 4),
        "best_per_estimator": {
            k: v for k, v in (automl.best_loss_per_estimator or {}).items() if v is not None
        },
    }
    return {
        "version": flaml.__version__,
        "fit_seconds": fit_s,
        "latency": latency,
        "size_mb": size,
        "best_model": automl.best_estimator,
        "predictions": pred,
        "details": details,
    }


def run_hgb(args: argparse.Namespace, X_train: pd.DataFrame, y_train: pd.Series,
            X_test: pd.DataFrame) -> dict[str, Any]:  # fmt: skip
    """scikit-learn's HistGradientBoosting with its defaults (early stopping on 10% of the rows
    beyond 10,000 rows, native categoricals from the category dtype): the floor a tuned tool
    must clear. It takes no budget: the defaults are the point."""
    import sklearn
    from sklearn.ensemble import HistGradientBoostingClassifier, HistGradientBoostingRegressor

    def prepared(X: pd.DataFrame, like: pd.DataFrame) -> pd.DataFrame:
        out = X.copy()
        for c in like.columns:
            if not pd.api.types.is_numeric_dtype(like[c]) or pd.api.types.is_bool_dtype(like[c]):
                cats = pd.Index(like[c].dropna().astype(str).unique())
                out[c] = pd.Categorical(out[c].astype("string"), categories=cats)
        return out

    X_tr, X_te = prepared(X_train, X_train), prepared(X_test, X_train)
    classification = args.task != "regression"
    cls = HistGradientBoostingClassifier if classification else HistGradientBoostingRegressor
    model = cls(categorical_features="from_dtype", random_state=args.seed)
    start = time.perf_counter()
    model.fit(X_tr, y_train)
    fit_s = time.perf_counter() - start
    pred = pd.DataFrame({"prediction": model.predict(X_te)}, index=X_test.index)
    if classification:
        classes = [str(c) for c in model.classes_]
        pred = pred.join(proba_frame(model.predict_proba(X_te), classes, X_test.index))
    rows = single_rows(X_te)
    latency = median_latency_ms(model.predict, rows)
    return {
        "version": sklearn.__version__,
        "fit_seconds": fit_s,
        "latency": latency,
        "size_mb": len(pickle.dumps(model, protocol=pickle.HIGHEST_PROTOCOL)) / MB,
        "best_model": type(model).__name__,
        "predictions": pred,
        "details": {"n_iter": int(model.n_iter_)},
    }


AG_METRICS = {"roc_auc": "roc_auc", "log_loss": "log_loss", "rmse": "root_mean_squared_error"}


def run_autogluon(args: argparse.Namespace, train: pd.DataFrame,
                  X_test: pd.DataFrame) -> dict[str, Any]:  # fmt: skip
    """AutoGluon's TabularPredictor, medium_quality preset, in a per-run folder."""
    import autogluon.tabular
    from autogluon.tabular import TabularPredictor

    path = args.workdir / "autogluon"
    kwargs: dict[str, Any] = {"learner_kwargs": {"random_state": args.seed}}  # its split
    if args.task == "binary" and args.positive is not None:
        kwargs["positive_class"] = args.positive
    predictor = TabularPredictor(
        label=args.target,
        problem_type=args.task,
        eval_metric=AG_METRICS[args.metric],
        path=str(path),
        verbosity=0,
        **kwargs,
    )
    start = time.perf_counter()
    predictor.fit(
        train, time_limit=args.budget, presets="medium_quality", num_cpus=args.n_jobs,
        num_gpus=0,
    )  # fmt: skip
    fit_s = time.perf_counter() - start
    pred = pd.DataFrame({"prediction": predictor.predict(X_test).to_numpy()}, index=X_test.index)
    if args.task != "regression":
        proba = predictor.predict_proba(X_test)
        classes = [str(c) for c in proba.columns]
        pred = pred.join(proba_frame(proba.to_numpy(), classes, X_test.index))
    latency = median_latency_ms(predictor.predict, single_rows(X_test))
    board = predictor.leaderboard()
    predictor.save_space()
    all_mb = dir_size_mb(path)
    predictor.delete_models(models_to_keep="best", dry_run=False)  # what one would deploy
    top = board.head(8)[["model", "score_val", "fit_time", "pred_time_val"]]
    details = {
        "best_model": predictor.model_best,
        "n_models": len(board),
        "kept_models": list(predictor.model_names()),
        "size_all_models_mb": round(all_mb, 3),
        "leaderboard": json.loads(top.to_json(orient="records")),
    }
    return {
        "version": autogluon.tabular.__version__,
        "fit_seconds": fit_s,
        "latency": latency,
        "size_mb": dir_size_mb(path),
        "best_model": predictor.model_best,
        "predictions": pred,
        "details": details,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    train = pd.read_parquet(args.train)
    test = pd.read_parquet(args.test)
    X_test = test.drop(columns=[args.target])
    if args.system == "shipml":
        out = run_shipml(args, X_test)
    elif args.system == "flaml":
        out = run_flaml(args, train.drop(columns=[args.target]), train[args.target], X_test)
    elif args.system == "autogluon":
        out = run_autogluon(args, train, X_test)
    elif args.system == "hgb":
        out = run_hgb(args, train.drop(columns=[args.target]), train[args.target], X_test)
    else:
        raise ValueError(f"unknown system {args.system!r}")
    pred_path = args.workdir / "predictions.parquet"
    out.pop("predictions").reset_index(drop=True).to_parquet(pred_path)
    median, p95 = out.pop("latency")
    return {
        "status": "ok",
        **out,
        "latency_ms": median,
        "latency_p95_ms": p95,
        "predictions": str(pred_path),
    }


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--system", required=True, choices=["shipml", "flaml", "autogluon", "hgb"])
    p.add_argument("--name", default="dataset", help="dataset name (shipml's spec name)")
    p.add_argument("--train", type=Path, required=True)
    p.add_argument("--test", type=Path, required=True)
    p.add_argument("--target", required=True)
    p.add_argument("--task", required=True, choices=["binary", "multiclass", "regression"])
    p.add_argument("--positive", default=None)
    p.add_argument("--metric", required=True, choices=sorted(AG_METRICS))
    p.add_argument("--budget", type=float, required=True, help="seconds for the whole fit")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--n-jobs", type=int, default=2)
    p.add_argument("--workdir", type=Path, required=True)
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    """Run one system; its logs (even C-level ones) go to stderr, the JSON line to stdout."""
    args = parse_args(argv)
    args.workdir.mkdir(parents=True, exist_ok=True)
    sys.stdout.flush()
    real_stdout = os.dup(1)
    os.dup2(2, 1)  # whatever the systems print lands on stderr
    try:
        result = run(args)
        code = 0
    except Exception as exc:  # a failure is a result to record, not a crash of the harness
        traceback.print_exc()
        result = {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:500]}
        code = 1
    sys.stdout.flush()
    line = json.dumps({"system": args.system, **result}, default=str)
    os.write(real_stdout, (line + "\n").encode())
    return code


if __name__ == "__main__":
    sys.exit(main())
