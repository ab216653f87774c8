"""Model files that are malformed or swapped are refused at load, never abort the process.

LightGBM texts: each malformation that made LightGBM 4.7 abort or crash (SIGABRT, SIGSEGV,
SIGFPE, heap corruption) is loaded, with seeded random mutations, in ONE child process, which
must exit normally having refused each (or, for a mutation that stays a valid model, predicted
finite numbers). skops files: a forest bundle whose file is swapped for another estimator is
refused with the class named.
"""

from __future__ import annotations

import json
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import lightgbm as lgb
import numpy as np
import pytest
import skops.io as sio
from sklearn.ensemble import ExtraTreesRegressor, RandomForestClassifier, RandomForestRegressor
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from shipml.core.enums import Task
from shipml.core.errors import ArtifactError
from shipml.runtime import InferenceModel
from shipml.runtime.estimators import BoosterEstimator, load_booster
from shipml.runtime.lgb_text import check_model_text
from shipml.runtime.model_files import ModelFileError

from .conftest import build_model, make_columns

TASKS = (Task.BINARY, Task.MULTICLASS, Task.REGRESSION)
N_FEATURES = 5
CATEGORY = 4  # the feature LightGBM splits on as a category

# -- LightGBM texts ----------------------------------------------------------------------------


def _data(n: int = 400, seed: int = 0) -> np.ndarray:
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, N_FEATURES))
    X[:, CATEGORY] = rng.integers(0, 12, n)
    X[rng.random(X.shape) < 0.05] = np.nan
    return X


def _train(task: Task) -> lgb.Booster:
    X = _data()
    rng = np.random.default_rng(1)
    score = X[:, 0] + (np.nan_to_num(X[:, CATEGORY]) % 3 == 1) + rng.normal(0, 0.3, len(X))
    params: dict[str, Any] = {
        "objective": str(task),
        "verbosity": -1,
        "num_threads": 1,
        "seed": 0,
        "num_leaves": 7,
        "min_data_in_leaf": 5,
        "max_cat_to_onehot": 4,
    }
    if task is Task.BINARY:
        y = (score > 0.5).astype(int)
    elif task is Task.MULTICLASS:
        y, params["num_class"] = np.digitize(score, [0, 1]), 3
    else:
        y = score
    data = lgb.Dataset(X, y, categorical_feature=[CATEGORY])
    return lgb.train(params, data, num_boost_round=6)


@pytest.fixture(scope="module")
def boosters() -> dict[Task, lgb.Booster]:
    return {task: _train(task) for task in TASKS}


@pytest.fixture(scope="module")
def texts(boosters: dict[Task, lgb.Booster]) -> dict[Task, str]:
    out = {task: booster.model_to_string() for task, booster in boosters.items()}
    assert all("num_cat=1" in text for text in out.values())  # categorical splits are covered
    return out


def _tree_start(text: str, tree: int | None) -> int:
    return 0 if tree is None else text.index(f"\nTree={tree}\n") + 1


def _get(text: str, key: str, tree: int | None = 0) -> str:
    match = re.compile(rf"^{key}=(.*)$", re.M).search(text, _tree_start(text, tree))
    assert match, key
    return match.group(1)


def _set(text: str, key: str, value: str, tree: int | None = 0) -> str:
    match = re.compile(rf"^{key}=.*$", re.M).search(text, _tree_start(text, tree))
    assert match, key
    return text[: match.start()] + f"{key}={value}" + text[match.end() :]


def _set_item(text: str, key: str, index: int, value: str, tree: int = 0) -> str:
    items = _get(text, key, tree).split(" ")
    items[index] = value
    return _set(text, key, " ".join(items), tree)


def _drop_line(text: str, key: str, tree: int | None = 0) -> str:
    match = re.compile(rf"^{key}=.*\n", re.M).search(text, _tree_start(text, tree))
    assert match, key
    return text[: match.start()] + text[match.end() :]


def _fix_sizes(text: str) -> str:
    """Rewrite tree_sizes to the blocks' sizes, as an attacker who edits a tree would."""
    first = text.find("\nTree=") + 1
    end = text.find("\n\n\nend of trees", first)
    if not first or end < 0 or "\ntree_sizes=" not in text[:first]:
        return text
    blocks = text[first : end + 3].split("\n\n\n")[:-1]
    sizes = " ".join(str(len(block.encode()) + 3) for block in blocks)
    return re.sub(r"(?m)^tree_sizes=.*$", "tree_sizes=" + sizes, text, count=1)


def _chain(text: str, leaves: int) -> str:
    """One tree, a chain of `leaves` leaves: depth leaves-1 (valid, but too deep)."""
    m = leaves - 1
    nodes = np.arange(m)
    right = [str(c) for c in nodes + 1]
    right[-1] = str(~m)

    def join(values: Any) -> str:
        return " ".join(map(str, values))

    block = "\n".join(
        [
            "Tree=0",
            f"num_leaves={leaves}",
            "num_cat=0",
            "split_feature=" + join([0] * m),
            "split_gain=" + join([1] * m),
            "threshold=" + join(nodes),
            "decision_type=" + join([2] * m),
            "left_child=" + join(~nodes),
            "right_child=" + " ".join(right),
            "leaf_value=" + join([0.1] * leaves),
            "leaf_weight=" + join([1] * leaves),
            "leaf_count=" + join([1] * leaves),
            "internal_value=" + join([0] * m),
            "internal_weight=" + join([1] * m),
            "internal_count=" + join(range(leaves, 1, -1)),
            "is_linear=0",
            "shrinkage=1",
            "",
            "",
            "",
        ]
    )
    first = text.index("\nTree=0\n") + 1
    end = text.index("end of trees\n")
    return _fix_sizes(text[:first] + block + text[end:])


def _malformations(texts: dict[Task, str]) -> dict[str, tuple[Task, str]]:
    """Each kind of malformation found, named with what LightGBM 4.7 did with it before this
    check, each loaded alone in a child process: aborted (SIGABRT: an error inside its OpenMP
    tree loop, or glibc's heap checks), crashed (SIGSEGV, SIGFPE), hung in `predict`, or loaded
    a model that reads out of bounds or differs from the text. The tree sizes are rewritten to
    match, as an attacker would, except in the cases about them."""
    b, m, r = texts[Task.BINARY], texts[Task.MULTICLASS], texts[Task.REGRESSION]
    cat_tree = next(i for i in range(100) if _get(r, "num_cat", i) != "0")
    decisions = [int(d) for d in _get(r, "decision_type", cat_tree).split(" ")]
    cat_node = next(i for i, d in enumerate(decisions) if d & 1)
    num_node = next(i for i, d in enumerate(decisions) if not d & 1)
    leaves = int(_get(b, "num_leaves"))
    last = leaves - 2
    cases: dict[str, tuple[Task, str]] = {
        "num_leaves larger than the arrays [SIGABRT]": (
            Task.BINARY,
            _set(b, "num_leaves", str(leaves + 1)),
        ),
        "num_leaves smaller than the arrays [SIGABRT]": (Task.BINARY, _set(b, "num_leaves", "2")),
        "num_leaves=0 [SIGSEGV]": (Task.BINARY, _set(b, "num_leaves", "0")),
        "num_leaves not a number [SIGSEGV]": (Task.BINARY, _set(b, "num_leaves", "x")),
        "num_tree_per_iteration=0 [SIGFPE]": (
            Task.BINARY,
            _set(b, "num_tree_per_iteration", "0", None),
        ),
        "num_tree_per_iteration above num_class [heap corruption]": (
            Task.BINARY,
            _set(b, "num_tree_per_iteration", "7", None),
        ),
        "num_class above the trees per iteration [uninitialised outputs]": (
            Task.BINARY,
            _set(b, "num_class", "2", None),
        ),
        "tree_sizes one byte off [SIGABRT]": (
            Task.BINARY,
            _set(
                b,
                "tree_sizes",
                re.sub(r"^\d+", lambda x: str(int(x[0]) + 1), _get(b, "tree_sizes", None)),
                None,
            ),
        ),
        "tree_sizes with an extra tree [SIGABRT]": (
            Task.BINARY,
            _set(b, "tree_sizes", _get(b, "tree_sizes", None) + " 100000", None),
        ),
        "tree_sizes beyond the text [SIGSEGV]": (
            Task.BINARY,
            _set(b, "tree_sizes", "99999999999 " + _get(b, "tree_sizes", None), None),
        ),
        "split_feature beyond max_feature_idx [reads past the row]": (
            Task.BINARY,
            _set_item(b, "split_feature", 0, "99"),
        ),
        "split_feature negative [heap corruption]": (
            Task.BINARY,
            _set_item(b, "split_feature", 0, "-1"),
        ),
        "child index beyond the nodes [hangs]": (
            Task.BINARY,
            _set_item(b, "left_child", 0, str(leaves)),
        ),
        "child index beyond the leaves [reads out of bounds]": (
            Task.BINARY,
            _set_item(b, "left_child", 0, str(~leaves)),
        ),
        "child pointing back to the root (cycle) [hangs]": (
            Task.BINARY,
            _set_item(b, "left_child", 1, "0"),
        ),
        "node its own child (loop) [hangs]": (Task.BINARY, _set_item(b, "right_child", 1, "1")),
        "a leaf the child of two nodes [a wrong tree]": (
            Task.BINARY,
            _set_item(b, "right_child", last, _get(b, "left_child").split(" ")[last]),
        ),
        "leaf_value one short [SIGABRT]": (
            Task.BINARY,
            _set(b, "leaf_value", _get(b, "leaf_value").rsplit(" ", 1)[0]),
        ),
        "threshold one short [SIGABRT]": (
            Task.BINARY,
            _set(b, "threshold", _get(b, "threshold").rsplit(" ", 1)[0]),
        ),
        "threshold not a number [SIGABRT]": (Task.BINARY, _set_item(b, "threshold", 0, "abc")),
        "split_gain an unknown word [SIGABRT]": (Task.BINARY, _set_item(b, "split_gain", 0, "--1")),
        "decision_type -1 [SIGSEGV]": (Task.BINARY, _set_item(b, "decision_type", 0, "-1")),
        "categorical bit without categories [SIGSEGV]": (
            Task.BINARY,
            _set_item(b, "decision_type", 0, "9"),
        ),
        "num_cat without cat_boundaries [SIGABRT]": (Task.BINARY, _set(b, "num_cat", "1")),
        "num_cat negative [ignored]": (Task.BINARY, _set(b, "num_cat", "-1")),
        "num_cat above cat_boundaries [SIGSEGV]": (
            Task.REGRESSION,
            _set(r, "num_cat", "6", cat_tree),
        ),
        "num_cat=0 under a categorical split [SIGSEGV]": (
            Task.REGRESSION,
            _drop_line(
                _drop_line(_set(r, "num_cat", "0", cat_tree), "cat_boundaries", cat_tree),
                "cat_threshold",
                cat_tree,
            ),
        ),
        "cat_boundaries ending at -1 [SIGABRT]": (
            Task.REGRESSION,
            _set_item(r, "cat_boundaries", -1, "-1", cat_tree),
        ),
        "cat_threshold missing [SIGABRT]": (
            Task.REGRESSION,
            _drop_line(r, "cat_threshold", cat_tree),
        ),
        "category set index far out [SIGSEGV]": (
            Task.REGRESSION,
            _set_item(r, "threshold", cat_node, "1e9", cat_tree),
        ),
        "numerical split turned categorical [SIGSEGV]": (
            Task.REGRESSION,
            _set_item(
                _set_item(r, "decision_type", num_node, str(decisions[num_node] | 1), cat_tree),
                "threshold",
                num_node,
                "3",
                cat_tree,
            ),
        ),
        "objective empty [SIGSEGV]": (Task.BINARY, _set(b, "objective", "", None)),
        "objective num_class above the model's [heap corruption]": (
            Task.MULTICLASS,
            _set(m, "objective", "multiclass num_class:5", None),
        ),
        "a binary model with a multiclass objective [heap corruption]": (
            Task.BINARY,
            _set(b, "objective", "multiclassova num_class:5 sigmoid:1", None),
        ),
        "a tree line without '=' [misread]": (
            Task.BINARY,
            b.replace("is_linear=0\n", "is_linear\n", 1),
        ),
        "the blank lines after a tree removed [misread]": (
            Task.BINARY,
            b.replace("\n\n\nTree=1\n", "\nTree=1\n", 1),
        ),
        "linear tree with leaf features out of range [SIGSEGV]": (
            Task.BINARY,
            b.replace(
                "is_linear=0\n",
                "is_linear=1\nnum_features="
                + " ".join(["2"] * leaves)
                + "\nleaf_features="
                + " ".join(["50"] * 2 * leaves)
                + "\n",
                1,
            ),
        ),
        "a parameter line without ':' [SIGSEGV]": (Task.BINARY, b.replace("[boosting: gbdt]", ":")),
        "a NUL byte [SIGABRT]": (Task.BINARY, b.replace("Tree=1\n", "Tree=1\n\x00", 1)),
        "truncated after the header [SIGABRT]": (Task.BINARY, b[: b.index("Tree=0")]),
        "truncated inside a tree [SIGABRT]": (Task.BINARY, b[: b.index("leaf_value=") + 15]),
        "truncated after a tree's last line [SIGABRT]": (
            Task.BINARY,
            b[: b.index("shrinkage=", b.index("Tree=1")) + len("shrinkage=1\n")],
        ),
        "a tree 20000 deep [SIGSEGV in dump_model]": (
            Task.REGRESSION,
            _chain(r, 20_000),
        ),
    }
    return {
        name: (task, text if name.startswith("tree_sizes") else _fix_sizes(text))
        for name, (task, text) in cases.items()
    }


def _fuzz(texts: dict[Task, str], count: int = 210, seed: int = 0) -> dict[str, tuple[Task, str]]:
    """Seeded random truncations, line deletions and character flips of the real texts; half
    with tree_sizes rewritten so they reach the checks on the trees."""
    rng = random.Random(seed)
    out: dict[str, tuple[Task, str]] = {}
    for k in range(count):
        task = TASKS[k % len(TASKS)]
        text = texts[task]
        kind = rng.choice(("truncate", "delete line", "flip", "flip digit"))
        if kind == "truncate":
            at = rng.randrange(len(text))
            mutated = text[:at]
        elif kind == "delete line":
            lines = text.split("\n")
            at = rng.randrange(len(lines))
            mutated = "\n".join(lines[:at] + lines[at + 1 :])
        else:
            if kind == "flip":
                at = rng.randrange(len(text))
                new = chr(rng.randrange(32, 127)) if rng.random() < 0.9 else rng.choice("\n\t ")
            else:
                at = rng.choice([i for i, c in enumerate(text) if c.isdigit() or c in "-.e"])
                new = rng.choice("0123456789-.e ")
            mutated = text[:at] + new + text[at + 1 :]
        if k % 2:
            mutated = _fix_sizes(mutated)
        out[f"fuzz {k}: {task} {kind} at {at}"] = (task, mutated)
    return out


CHILD = """
import json, sys
from pathlib import Path
import numpy as np
from shipml.core.enums import Task
from shipml.runtime.estimators import load_booster
from shipml.runtime.model_files import ModelFileError

folder = Path(sys.argv[1])
X = np.random.default_rng(1).normal(size=(100, 5))
X[:, 4] = np.random.default_rng(2).integers(-2, 40, 100)
X[::7] = np.nan
for case in json.loads((folder / "cases.json").read_text()):
    print("BEGIN", json.dumps(case["name"]), flush=True)
    try:
        booster = load_booster(folder / case["file"], Task(case["task"]))
    except ModelFileError as exc:
        result = {"outcome": "refused", "message": str(exc)}
    else:
        p = booster.predict(X, num_threads=1)
        booster.predict(X, pred_contrib=True, num_threads=1)
        result = {"outcome": "finite" if np.isfinite(p).all() else "not finite", "message": ""}
    print("RESULT", json.dumps({"name": case["name"], **result}), flush=True)
print("DONE", flush=True)
"""


@pytest.fixture(scope="module")
def child_results(
    texts: dict[Task, str], tmp_path_factory: pytest.TempPathFactory
) -> dict[str, dict[str, str]]:
    """Load every malformed and fuzzed text in one child process; its results by case name."""
    folder = tmp_path_factory.mktemp("lgb_cases")
    cases = []
    for group in (_malformations(texts), _fuzz(texts)):
        for name, (task, text) in group.items():
            file = f"case{len(cases)}.txt"
            (folder / file).write_text(text, encoding="utf-8", newline="")
            cases.append({"name": name, "task": str(task), "file": file})
    (folder / "cases.json").write_text(json.dumps(cases), encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(folder)],
        capture_output=True,
        text=True,
        errors="replace",
        timeout=120,
        check=False,
    )
    lines = done.stdout.splitlines()
    begun = [json.loads(line[6:]) for line in lines if line.startswith("BEGIN ")]
    last = begun[-1] if begun else "nothing"
    assert done.returncode == 0, f"exit {done.returncode} at {last!r}: {done.stderr[-2000:]}"
    assert lines[-1:] == ["DONE"], f"stopped at {last!r}: {done.stderr[-2000:]}"
    results = [json.loads(line[7:]) for line in lines if line.startswith("RESULT ")]
    return {result["name"]: result for result in results}


def test_each_malformation_now_raises_in_a_child_that_exits_normally(child_results, texts):
    for name in _malformations(texts):
        result = child_results[name]
        assert result["outcome"] == "refused", (name, result)
        assert (
            "malformed LightGBM model text" in result["message"] or "objective" in result["message"]
        )


def test_fuzzed_texts_raise_or_load_a_model_that_predicts_finite_numbers(child_results, texts):
    outcomes = {name: child_results[name]["outcome"] for name in _fuzz(texts)}
    assert len(outcomes) == 210
    assert set(outcomes.values()) <= {"refused", "finite"}, {
        n: o for n, o in outcomes.items() if o not in ("refused", "finite")
    }
    assert "refused" in outcomes.values()


def test_messages_name_the_fault(texts):
    b = texts[Task.BINARY]
    with pytest.raises(ModelFileError, match="tree 0: split_feature is outside"):
        check_model_text(_fix_sizes(_set_item(b, "split_feature", 0, "99")))
    with pytest.raises(ModelFileError, match="tree_sizes does not match"):
        check_model_text(_set_item(b, "split_feature", 0, "99"))
    with pytest.raises(ModelFileError, match="deeper than 400"):
        check_model_text(_chain(texts[Task.REGRESSION], 1000))
    with pytest.raises(ModelFileError, match="child of two nodes"):
        check_model_text(_malformations(texts)["a leaf the child of two nodes [a wrong tree]"][1])
    with pytest.raises(ModelFileError, match="tree 0: leaf_weight holds a number beyond"):
        check_model_text(_fix_sizes(_set_item(b, "leaf_weight", 0, "1.5e999")))
    with pytest.raises(ModelFileError, match="tree 0: leaf_value is not a list of numbers"):
        check_model_text(_fix_sizes(_set_item(b, "leaf_value", 0, "inf")))
    with pytest.raises(ModelFileError, match="feature name holds a control"):
        check_model_text(b.replace("feature_names=Column_0", "feature_names=Col\tumn_0"))
    with pytest.raises(ValueError, match="malformed") as caught:  # what the bundle loader wraps
        check_model_text(b[:-2000])
    assert isinstance(caught.value, ArtifactError)


def test_a_model_of_the_wrong_task_is_refused(tmp_path, texts):
    path = tmp_path / "model.lgb.txt"
    path.write_text(texts[Task.MULTICLASS], encoding="utf-8")
    with pytest.raises(ModelFileError, match="objective 'multiclass' does not fit a binary"):
        load_booster(path, Task.BINARY)


@pytest.mark.parametrize("task", TASKS)
def test_real_models_load_and_predict_the_same(tmp_path, boosters, task):
    booster = boosters[task]
    BoosterEstimator(booster, task).save(tmp_path)
    loaded = load_booster(tmp_path / BoosterEstimator.FILE, task)
    X = _data(200, seed=5)
    np.testing.assert_array_equal(loaded.predict(X), booster.predict(X))
    assert check_model_text(booster.model_to_string()).num_trees == booster.num_trees()


def test_a_tree_deep_up_to_the_limit_and_one_leaf_trees_load(tmp_path, texts):
    r = texts[Task.REGRESSION]
    check_model_text(_chain(r, 400))  # depth 399
    stump = lgb.train(
        {"objective": "regression", "verbosity": -1, "min_data_in_leaf": 1000},
        lgb.Dataset(_data(), np.arange(400.0)),
        num_boost_round=2,
    )
    assert "num_leaves=1\n" in stump.model_to_string()
    path = tmp_path / "stump.txt"
    path.write_text(stump.model_to_string(), encoding="utf-8")
    assert load_booster(path, Task.REGRESSION).num_trees() == stump.num_trees()


def test_a_500_tree_model_validates_quickly(texts):
    """500 trees of 31 leaves (1.5 MB) take about 30 ms; the bound only catches a slow path."""
    booster = lgb.train(
        {"objective": "regression", "verbosity": -1, "num_leaves": 31, "min_data_in_leaf": 5},
        lgb.Dataset(_data(2000), np.random.default_rng(0).normal(size=2000)),
        num_boost_round=2,
    )
    text = booster.model_to_string()
    first = text.index("Tree=0\n")
    end = text.index("end of trees\n")
    blocks = text[first:end].split("\n\n\n")[:-1]
    many = text[:first] + "".join(
        re.sub(r"^Tree=\d+", f"Tree={i}", blocks[i % len(blocks)]) + "\n\n\n" for i in range(500)
    )
    many = _fix_sizes(many + text[end:])
    assert len(many) > 1_000_000
    started = time.perf_counter()
    assert check_model_text(many).num_trees == 500
    assert time.perf_counter() - started < 1.0


# -- skops files -------------------------------------------------------------------------------


def _forest_bundle(tmp_path: Path, task: Task = Task.BINARY) -> Path:
    build_model("skops", task).save(tmp_path)
    return tmp_path


def _meta(folder: Path) -> dict[str, Any]:
    return json.loads((folder / "inference.json").read_text(encoding="utf-8"))


def _write_meta(folder: Path, meta: dict[str, Any]) -> None:
    (folder / "inference.json").write_text(json.dumps(meta), encoding="utf-8")


def _swap(folder: Path, model: Any) -> None:
    sio.dump(model, folder / "model.skops")


def _xy() -> tuple[np.ndarray, np.ndarray]:
    X = np.random.default_rng(0).normal(size=(60, 4))
    return X, (X[:, 0] > 0).astype(int)


def test_a_forest_bundle_records_its_class_and_loads(tmp_path):
    folder = _forest_bundle(tmp_path)
    meta = _meta(folder)["estimator"]
    assert meta["estimator_class"] == "sklearn.ensemble._forest.RandomForestClassifier"
    loaded = InferenceModel.load(folder)
    columns = make_columns(40)
    expected = build_model("skops", Task.BINARY).predict_columns(columns).proba
    np.testing.assert_allclose(loaded.predict_columns(columns).proba, expected)


def test_old_metadata_without_the_class_still_loads(tmp_path):
    folder = _forest_bundle(tmp_path, Task.REGRESSION)
    meta = _meta(folder)
    del meta["estimator"]["estimator_class"]
    _write_meta(folder, meta)
    assert isinstance(InferenceModel.load(folder).estimator.model, RandomForestRegressor)


@pytest.mark.parametrize(
    ("make", "named"),
    [
        (lambda X, y: ExtraTreesRegressor(n_estimators=2).fit(X, y), "ExtraTreesRegressor"),
        (lambda X, y: LogisticRegression().fit(X, y), "LogisticRegression"),
        (
            lambda X, y: make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y),
            "sklearn.pipeline.Pipeline",
        ),
    ],
)
@pytest.mark.parametrize("old_metadata", [False, True])
def test_a_swapped_skops_file_is_refused_naming_its_class(tmp_path, make, named, old_metadata):
    folder = _forest_bundle(tmp_path)
    _swap(folder, make(*_xy()))
    if old_metadata:
        meta = _meta(folder)
        del meta["estimator"]["estimator_class"]
        _write_meta(folder, meta)
    with pytest.raises(ArtifactError, match=named):
        InferenceModel.load(folder)


def test_metadata_naming_a_class_off_the_task_list_is_refused(tmp_path):
    folder = _forest_bundle(tmp_path)
    X, y = _xy()
    _swap(folder, make_pipeline(StandardScaler(), LogisticRegression()).fit(X, y))
    meta = _meta(folder)
    meta["estimator"]["estimator_class"] = "sklearn.pipeline.Pipeline"
    _write_meta(folder, meta)
    with pytest.raises(ModelFileError, match="Pipeline is not a binary model"):
        InferenceModel.load(folder)
    meta["estimator"]["estimator_class"] = "sklearn.ensemble._forest.RandomForestRegressor"
    _write_meta(folder, meta)
    with pytest.raises(ModelFileError, match="RandomForestRegressor is not a binary model"):
        InferenceModel.load(folder)


def test_a_forest_holding_another_estimator_is_refused_naming_it(tmp_path):
    folder = _forest_bundle(tmp_path)
    X, y = _xy()
    forest = RandomForestClassifier(n_estimators=2, random_state=0).fit(X, y)
    forest.estimators_[1] = LogisticRegression().fit(X, y)
    _swap(folder, forest)
    with pytest.raises(ModelFileError, match=r"may not contain .*LogisticRegression"):
        InferenceModel.load(folder)


def test_a_skops_file_that_is_not_a_zip_is_refused(tmp_path):
    folder = _forest_bundle(tmp_path)
    (folder / "model.skops").write_bytes(b"not a zip")
    with pytest.raises(ModelFileError, match="not a readable skops file"):
        InferenceModel.load(folder)
