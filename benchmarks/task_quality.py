"""Benchmark: task quality against a plain scikit-learn reference on the same test rows.

Multilabel: shipml trains on the shared yeast data (14 labels as flag columns) from a spec;
scikit-learn's `MultiOutputClassifier(HistGradientBoostingClassifier())` with 0.5 thresholds
trains on exactly shipml's training rows (all rows but the bundle's stored test rows) and is
scored on the same test rows. Printed: f1_micro of both (shipml at its decision policy, and at
0.5 on its calibrated probabilities for reference), the ratio shipml / reference (the floor is
1.0), and the seconds each took.

Hierarchical: shipml searches its ladder on a generated product taxonomy (36 classes on 3
levels, `tests/taxonomy.py`), each family flat over the classes and per parent node. Printed, on
the same test rows: leaf_f1_macro of the best flat and the best per-node candidate (each refit
on the training rows), the CV spread of the flat one, and the one selected by CV; the floor is
per-node >= flat - the flat's CV standard deviation.

    .venv/bin/python benchmarks/task_quality.py [--ladder baseline,linear,lightgbm] [--trials 8]
        [--only multilabel|hierarchical]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import yaml

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared" / "data"
YEAST = SHARED / "yeast_multilabel.parquet"
LABELS = [f"Class{i}" for i in range(1, 15)]


def multilabel(ladder: list[str], trials: int, budget: int, folder: Path) -> None:
    from sklearn.ensemble import HistGradientBoostingClassifier
    from sklearn.metrics import f1_score
    from sklearn.multioutput import MultiOutputClassifier

    import shipml

    table = pd.read_parquet(YEAST)
    table.to_parquet(folder / "yeast.parquet")
    spec = {
        "name": "yeast_bench",
        "data": {"train": "yeast.parquet"},
        "task": "multilabel",
        "target": {"columns": LABELS},
        "models": {"ladder": ladder},
        "constraints": {"n_trials": trials, "time_budget_s": budget},
        "explain": {"enabled": False},
        "seed": 42,
    }
    path = folder / "spec.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    started = time.perf_counter()
    result = shipml.train(path, track=False)
    ours_s = time.perf_counter() - started

    stored = pd.read_parquet(result.bundle_dir / "evaluation" / "test_predictions.parquet")
    test = np.sort(stored["row_id"].to_numpy())
    train = np.setdiff1d(np.arange(len(table)), test)
    X = table.drop(columns=LABELS).to_numpy(dtype=np.float64)
    Y = table[LABELS].to_numpy(dtype=np.int64)
    started = time.perf_counter()
    reference = MultiOutputClassifier(HistGradientBoostingClassifier(random_state=0))
    reference.fit(X[train], Y[train])
    decided = reference.predict(X[test])  # each label at 0.5
    ref_s = time.perf_counter() - started
    ref = f1_score(Y[test], decided, average="micro")

    ours = result.holdout.metrics["f1_micro"]
    proba = result.model.predict_frame(table.drop(columns=LABELS).iloc[test])
    at_half = (proba[[f"proba_{c}" for c in LABELS]].to_numpy() >= 0.5).astype(np.int64)
    ours_half = f1_score(Y[test], at_half, average="micro")
    print(f"multilabel yeast: {len(train):,} training rows, {len(test):,} test rows (the same)")
    print(f"  shipml ({result.selection.champion}, {result.model.policy.rule}): "
          f"f1_micro {ours:.4f} in {ours_s:.0f} s (at 0.5: {ours_half:.4f})")  # fmt: skip
    print(f"  scikit-learn MultiOutputClassifier(HistGradientBoostingClassifier()) at 0.5: "
          f"f1_micro {ref:.4f} in {ref_s:.0f} s")  # fmt: skip
    ratio = ours / ref
    print(f"  ratio shipml / reference: {ratio:.3f} (floor 1.000: "
          f"{'met' if ratio >= 1.0 else 'NOT met'})")  # fmt: skip


def hierarchical(ladder: list[str], trials: int, budget: int, folder: Path) -> None:
    from shipml.core.enums import Metric
    from shipml.core.protocols import NullProgress, NullTracker
    from shipml.evaluation import select_champion
    from shipml.framing.metrics import DEFINITIONS, score
    from shipml.pipeline.prepare import frame_data, prepare_data
    from shipml.pipeline.search import search_ladder
    from shipml.tasks.load import load_spec

    sys.path.insert(0, str(ROOT))
    from tests.taxonomy import taxonomy_frame

    table = taxonomy_frame(rows=3000, seed=11, noise=0.55, styles=2)
    table.drop(columns=["department", "category", "subcategory"]).to_parquet(
        folder / "products.parquet"
    )
    spec = {
        "name": "products_bench",
        "data": {"train": "products.parquet"},
        "task": "hierarchical",
        "target": {"column": "path", "separator": "/"},
        "models": {"ladder": ladder},
        "constraints": {"n_trials": trials, "time_budget_s": budget},
        "seed": 42,
    }
    path = folder / "products.yaml"
    path.write_text(yaml.safe_dump(spec, sort_keys=False), encoding="utf-8")
    started = time.perf_counter()
    loaded = load_spec(path)
    frame = frame_data(loaded, prepare_data(loaded))
    search = search_ladder(loaded.spec, frame, NullTracker(), NullProgress())
    selection = select_champion(search.rows, DEFINITIONS[frame.primary], strict=False)
    seconds = time.perf_counter() - started
    rows = frame.test_rows
    test, y = frame.rows(rows), frame.y[rows]

    def leaf_f1(family: str) -> float:
        model = search.refits[family].model
        raw = model.estimator.predict_raw(model.matrix(test)[0])
        return score(Metric.LEAF_F1_MACRO, y, raw, None, frame.classes)

    board = {r.family: r for r in search.rows}
    n_train = len(frame.train_rows)
    print(f"hierarchical products: {len(frame.classes)} classes on 3 levels, "
          f"{n_train:,} training rows, {len(rows):,} test rows; {seconds:.0f} s")  # fmt: skip
    for node in sorted(f for f in board if f.endswith("_per_node")):
        flat = node.removesuffix("_per_node")
        if flat not in board:
            continue
        ours, theirs = leaf_f1(node), leaf_f1(flat)
        cv_ours, cv_theirs = (
            board[node].secondary["leaf_f1_macro"],
            board[flat].secondary["leaf_f1_macro"],
        )
        floor = theirs - cv_theirs[1]
        print(f"  {flat}: per node {ours:.4f} (CV {cv_ours[0]:.4f} ± {cv_ours[1]:.4f}), flat "
              f"{theirs:.4f} (CV {cv_theirs[0]:.4f} ± {cv_theirs[1]:.4f}) leaf_f1_macro on the "
              f"test rows; per node - (flat - CV sd) {ours - floor:+.4f} "
              f"({'met' if ours >= floor else 'NOT met'})")  # fmt: skip
    print(f"  selected by CV {frame.primary}: {selection.champion}, leaf_f1_macro "
          f"{leaf_f1(selection.champion):.4f} on the test rows")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ladder", default="baseline,linear,lightgbm")
    parser.add_argument("--trials", type=int, default=8)
    parser.add_argument("--budget", type=int, default=600, help="shipml's time_budget_s")
    parser.add_argument("--only", choices=("multilabel", "hierarchical"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["SHIPML_HOME"] = str(Path(tmp) / "home")
        ladder = args.ladder.split(",")
        if args.only in (None, "multilabel"):
            multilabel(ladder, args.trials, args.budget, Path(tmp))
        if args.only in (None, "hierarchical"):
            hierarchical(ladder, args.trials, args.budget, Path(tmp))


if __name__ == "__main__":
    main()
