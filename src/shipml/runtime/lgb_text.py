"""LightGBM model text, checked before LightGBM reads it: a malformed model raises, never aborts.

Why. LightGBM's text loader (`GBDT::LoadModelFromString`, `Tree::Tree(const char*)`, 4.6/4.7)
trusts the text's structure. The trees that `tree_sizes` locates are parsed in an OpenMP loop,
and an error raised there ends the process (SIGABRT, "terminate called without an active
exception") instead of reaching Python as a `LightGBMError`: a miscounted array, a missing
`cat_boundaries`, a garbage number, a wrong tree size. Other mistakes read or write out of
bounds (SIGSEGV, SIGFPE, heap corruption) at load or at the first prediction: an empty
objective, `num_tree_per_iteration=0`, a child or category index out of range, a cycle between
nodes (prediction never ends), a `num_class` the objective or the output buffer disagrees with,
a text truncated inside a tree (the parser scans past the end of the string). A bundle whose
hashes were rewritten with the file would take a server down at start or at reload. So the
whole text is checked here, in the exact shape LightGBM writes it; anything else is refused with
a `ModelFileError`. One pass, one regex and one numpy parse per field over all trees: a
500-tree, 31-leaf model (1.5 MB) takes about 35-40 ms.

What is checked.
- The text: no NUL (LightGBM gets a C string and would stop there, reading a different model
  than the one checked here), no carriage return (LightGBM ends lines at one too; a text read
  in Python's text mode never keeps one).
- The header, every line before the first `Tree=`: first line `tree`, then only known keys, each
  once: `version=v4`; `num_class` >= 1; `num_tree_per_iteration` equal to it (the output row
  has `num_class` slots and each iteration writes one per tree); `label_index`;
  `max_feature_idx` >= 0 with as many `feature_names` (no control or JSON special character:
  LightGBM refuses them when training and does not escape them in `dump_model`) and
  `feature_infos` (and `monotone_constraints`, -1/0/1); `objective`, a LightGBM objective
  name whose `num_class:K` equals `num_class` for multiclass objectives (softmax writes K values
  into the row) and whose `num_class` is 1 otherwise, with a positive `sigmoid:`;
  `tree_sizes`, one size per tree, each the exact byte length of its block (LightGBM jumps to
  each tree by these sizes); the `average_output` flag.
- Each tree, `Tree=i` numbered in order, then the key lines LightGBM writes, each once (a line
  without `=` makes the parser scan on into the next lines), then the two blank lines that end
  the block: `num_leaves` in 1..131072 (LightGBM's own limit), `num_cat` in 0..num_leaves-1;
  `split_feature`, `split_gain`, `threshold`, `decision_type`, `left_child`, `right_child`,
  `internal_value`, `internal_weight`, `internal_count` of num_leaves-1 numbers and
  `leaf_value`, `leaf_weight` (empty in a one-leaf tree, which LightGBM reads no further),
  `leaf_count` of num_leaves; every number in the syntax LightGBM writes and all its parsers
  read, one space apart (integers; decimals, `inf`, `nan`: its `Atof` aborts on a word such as
  `x` or `--1`, its `Atoi` reads `1-2` as two numbers), no decimal beyond the double range;
  `is_linear=0` (shipml trains no linear trees, and their leaf features index the input row
  unchecked); `shrinkage`; `cat_boundaries` and `cat_threshold` exactly when num_cat > 0.
- Tree structure: `split_feature` in 0..max_feature_idx (the input row is indexed with it); a
  non-negative child of node i in i+1..num_leaves-2 (LightGBM numbers a node after its
  parent) and a negative child c with ~c in
  0..num_leaves-1, every node but the root and every leaf the child of exactly one node (so a
  tree is a tree: no cycle, every index in range); depth at most 400 (the C++ recurses per level:
  `dump_model` crashed at depth 20000 and `pred_contrib` at 131071; Python's JSON of a dump
  fails from about 1000; shipml searches up to 255 leaves, so depth < 255); `decision_type` in
  0..15 with missing type 0, 1 or 2; `leaf_value` finite (no `inf`, `nan`, overflow).
- Categorical splits: a node with the categorical bit needs num_cat > 0 and its threshold, the
  category set's index, an integer in 0..num_cat-1; `cat_boundaries` num_cat+1 integers from 0,
  strictly increasing, ending at the length of `cat_threshold`, whose words are 32-bit unsigned.
- The trees: at least one, a whole number of iterations, followed by `end of trees`.
- After the trees: the `parameters:` section up to `end of parameters`, each line
  `[name: value]` (LightGBM splits each at ':' and indexes the second part unchecked); the
  `pandas_categorical:` line the Python package reads, valid JSON (null or a list of lists).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import numpy as np

from shipml.core.enums import Task
from shipml.runtime.model_files import FIX, ModelFileError
from shipml.tasks import RawOutput, ScoresKind, task_kind

MAX_LEAVES = 131_072  # LightGBM's own limit on num_leaves
MAX_DEPTH = 400
OBJECTIVES = frozenset(
    {
        "regression",
        "regression_l1",
        "quantile",
        "huber",
        "fair",
        "poisson",
        "binary",
        "lambdarank",
        "rank_xendcg",
        "multiclass",
        "multiclassova",
        "cross_entropy",
        "cross_entropy_lambda",
        "mape",
        "gamma",
        "tweedie",
        "custom",
    }
)
MULTICLASS_OBJECTIVES = frozenset({"multiclass", "multiclassova"})
OUTPUT_OBJECTIVES = {  # the objectives that fit a task's (scores, raw output)
    (ScoresKind.CLASS_PROBABILITIES, RawOutput.SINGLE): frozenset({"binary", "cross_entropy"}),
    (ScoresKind.CLASS_PROBABILITIES, RawOutput.PER_CLASS): MULTICLASS_OBJECTIVES,
    (ScoresKind.VALUES, RawOutput.SINGLE): frozenset(
        {"regression", "regression_l1", "quantile", "huber", "fair", "poisson", "mape"}
        | {"gamma", "tweedie"}
    ),
}
HEADER_KEYS = frozenset(
    {
        "version",
        "num_class",
        "num_tree_per_iteration",
        "label_index",
        "max_feature_idx",
        "objective",
        "feature_names",
        "monotone_constraints",
        "feature_infos",
        "tree_sizes",
    }
)
REQUIRED_HEADER = HEADER_KEYS - {"monotone_constraints"}
# numbers as LightGBM writes them and all its parsers read them (its own `Atof` aborts on an
# unknown word such as `x` or `--1`, its `Atoi` reads `1-2` as two numbers)
_INT = r"-?+[0-9]{1,10}+"
_UINT = r"[0-9]{1,10}+"
_FINITE = r"-?+[0-9]++(?:\.[0-9]++)?+(?:[eE][-+]?+[0-9]++)?+"
_FLOAT = rf"(?:{_FINITE}|-?+(?:inf|nan))"
INT, FLOAT = re.compile(_INT), re.compile(_FLOAT)
INTS, UINTS, FINITES, FLOATS = (
    re.compile(rf"{p}(?: {p})*+") for p in (_INT, _UINT, _FINITE, _FLOAT)
)
BIG_EXPONENT = re.compile(r"[eE]\+?[0-9]{3}")  # found in a number that may exceed a double
BIG_NUMBER = re.compile(r"[-0-9.]*+[eE]\+?+[0-9]{3,}+")
INTERNAL, LEAVES = "internal", "leaves"
# tree arrays: one value per internal node or per leaf, the syntax, parsed into (None: not)
ARRAYS: dict[str, tuple[str, re.Pattern[str], type | None]] = {
    "split_feature": (INTERNAL, INTS, np.int64),
    "split_gain": (INTERNAL, FLOATS, None),
    "threshold": (INTERNAL, FLOATS, None),
    "decision_type": (INTERNAL, INTS, np.int64),
    "left_child": (INTERNAL, INTS, np.int64),
    "right_child": (INTERNAL, INTS, np.int64),
    "leaf_value": (LEAVES, FINITES, None),
    "leaf_weight": (LEAVES, FLOATS, None),
    "leaf_count": (LEAVES, INTS, None),
    "internal_value": (INTERNAL, FLOATS, None),
    "internal_weight": (INTERNAL, FLOATS, None),
    "internal_count": (INTERNAL, INTS, None),
}
SCALARS = ("num_leaves", "num_cat", "is_linear", "shrinkage")
TREE_KEYS = frozenset(ARRAYS) | frozenset(SCALARS)
CAT_KEYS = frozenset({"cat_boundaries", "cat_threshold"})
END_OF_TREES = "\n\n\nend of trees"
# LightGBM refuses these in feature names when it trains; its JSON dump does not escape them
BAD_NAME = re.compile(r'[\x00-\x1f"\\,:\[\]{}]')
PARAM_LINE = re.compile(r"\[[A-Za-z0-9_]+: .*\]")
PANDAS_KEY = "pandas_categorical:"


@dataclass(frozen=True, slots=True)
class ModelTextInfo:
    """What the checked text says about the model."""

    num_class: int
    num_tree_per_iteration: int
    max_feature_idx: int
    objective: str
    num_trees: int


def check_model_text(text: str, *, where: str | None = None) -> ModelTextInfo:
    """Raise `ModelFileError` unless `text` is a LightGBM model text LightGBM can load safely."""
    return _Checker(text, where).run()


def check_task(info: ModelTextInfo, task: Task, *, where: str | None = None) -> None:
    """Raise `ModelFileError` unless the model's objective and class count fit `task`."""
    kind = task_kind(task)
    allowed = OUTPUT_OBJECTIVES.get((kind.scores, kind.raw_output), frozenset())
    if info.objective not in allowed:
        raise ModelFileError(
            f"the LightGBM objective {info.objective!r} does not fit a {task} model"
            f" (expected {' or '.join(sorted(allowed))})",
            where=where,
            fix=FIX,
        )
    if kind.per_class and info.num_class < 2:
        raise ModelFileError("a multiclass LightGBM model has num_class < 2", where=where, fix=FIX)


class _Checker:
    def __init__(self, text: str, where: str | None) -> None:
        self.text = text
        self.where = where

    def fail(self, message: str) -> ModelFileError:
        return ModelFileError(
            f"malformed LightGBM model text: {message}", where=self.where, fix=FIX
        )

    def run(self) -> ModelTextInfo:
        text = self.text
        if not isinstance(text, str):
            raise self.fail("not a string")
        if "\x00" in text:
            raise self.fail("it contains a NUL character")
        if "\r" in text:
            raise self.fail("it contains a carriage return")
        first = text.find("\nTree=") + 1  # LightGBM's header ends at the first `Tree=` line
        if not first:
            raise self.fail("no tree (no line starts with 'Tree=')")
        header = self.header(text[:first].split("\n"))
        trees, sizes, tail = self.blocks(first)
        info = self.header_values(header, len(trees))
        if sizes != self.ints_of(header["tree_sizes"], "tree_sizes", UINTS):
            raise self.fail(
                "tree_sizes does not match the trees' byte sizes"
                f" ({len(sizes)} trees; the text lists {header['tree_sizes'][:80]!r})"
            )
        self.trees(trees, info.max_feature_idx)
        self.tail(text[tail:].split("\n"))
        return info

    # -- header ------------------------------------------------------------------------------

    def header(self, lines: list[str]) -> dict[str, str]:
        if not lines or lines[0] != "tree":
            raise self.fail("the first line is not 'tree'")
        values: dict[str, str] = {}
        for line in lines[1:]:
            if not line:
                continue
            if line == "average_output":
                key, value = line, ""
            else:
                key, sep, value = line.partition("=")
                if not sep or key not in HEADER_KEYS:
                    raise self.fail(f"unknown header line {line[:60]!r}")
                if "=" in value and key not in ("feature_names", "monotone_constraints"):
                    raise self.fail(f"header line {line[:60]!r} has more than one '='")
            if key in values:
                raise self.fail(f"the header names {key} twice")
            values[key] = value
        missing = REQUIRED_HEADER - values.keys()
        if missing:
            raise self.fail(f"the header lacks {', '.join(sorted(missing))}")
        return values

    def header_values(self, header: dict[str, str], num_trees: int) -> ModelTextInfo:
        if header["version"] != "v4":
            raise self.fail(f"version {header['version']!r} is not v4")
        num_class = self.scalar_int(header, "num_class", low=1)
        per_iteration = self.scalar_int(header, "num_tree_per_iteration", low=1)
        self.scalar_int(header, "label_index", low=-(2**31))
        max_feature = self.scalar_int(header, "max_feature_idx", low=0)
        if per_iteration != num_class:
            raise self.fail(
                f"num_tree_per_iteration={per_iteration} differs from num_class={num_class}"
            )
        if BAD_NAME.search(header["feature_names"]):
            raise self.fail("a feature name holds a control or JSON special character")
        for key in ("feature_names", "feature_infos", "monotone_constraints"):
            if key in header:
                count = sum(1 for token in header[key].split(" ") if token)
                if count != max_feature + 1:
                    raise self.fail(f"{key} has {count} entries, max_feature_idx={max_feature}")
        if "monotone_constraints" in header and not set(
            header["monotone_constraints"].split(" ")
        ) <= {"-1", "0", "1", ""}:
            raise self.fail("monotone_constraints holds a value other than -1, 0, 1")
        objective = self.objective(header["objective"], num_class)
        if num_trees < per_iteration or num_trees % per_iteration:
            raise self.fail(
                f"{num_trees} trees is not a whole number of iterations of {per_iteration}"
            )
        return ModelTextInfo(num_class, per_iteration, max_feature, objective, num_trees)

    def scalar_int(self, values: dict[str, str], key: str, *, low: int) -> int:
        value = values[key]
        if not INT.fullmatch(value) or int(value) < low:
            raise self.fail(f"{key}={value[:40]!r} is not an integer >= {low}")
        return int(value)

    def objective(self, value: str, num_class: int) -> str:
        tokens = [token for token in value.split(" ") if token]
        if not tokens or tokens[0] not in OBJECTIVES:
            raise self.fail(f"objective={value[:60]!r} is not a LightGBM objective")
        name = tokens[0]
        params: dict[str, str] = {}
        for token in tokens[1:]:
            key, sep, param = token.partition(":")
            if sep:
                params[key] = param
        if name in MULTICLASS_OBJECTIVES:
            if num_class < 2:
                raise self.fail(f"objective {name} with num_class={num_class} (expected >= 2)")
            declared = params.get("num_class", "")
            if not INT.fullmatch(declared) or int(declared) != num_class:
                raise self.fail(f"objective={value[:60]!r} does not declare num_class:{num_class}")
        elif num_class != 1:
            raise self.fail(f"objective {name} with num_class={num_class} (expected 1)")
        if "sigmoid" in params:
            sigmoid = params["sigmoid"]
            if not FLOAT.fullmatch(sigmoid) or not 0 < float(sigmoid) < np.inf:
                raise self.fail(f"objective sigmoid:{sigmoid[:20]} is not a positive number")
        return name

    # -- trees -------------------------------------------------------------------------------

    def blocks(self, first: int) -> tuple[list[dict[str, str]], list[int], int]:
        """Each tree's fields, each tree block's size in bytes, where the lines after
        `end of trees` begin. A block: `Tree=i`, its key=value lines, two blank lines."""
        text = self.text
        end = text.find(END_OF_TREES, first)
        after = end + len(END_OF_TREES)
        if end < 0 or text[after : after + 1] not in ("\n", ""):
            raise self.fail("the trees are not followed by two blank lines and 'end of trees'")
        blocks = text[first : end + 3].split("\n\n\n")[:-1]
        trees: list[dict[str, str]] = []
        for number, block in enumerate(blocks):
            lines = block.split("\n")
            if lines[0] != f"Tree={number}":
                raise self.fail(f"{lines[0][:40]!r} where Tree={number} was expected")
            try:
                fields = dict(line.split("=", 1) for line in lines[1:])
            except ValueError:
                bad = next(line for line in lines[1:] if "=" not in line)
                if not bad:
                    raise self.fail(f"tree {number} is not followed by two blank lines") from None
                raise self.fail(f"tree {number}: line {bad[:40]!r} has no '='") from None
            if len(fields) != len(lines) - 1:
                raise self.fail(f"tree {number} names a field twice")
            unknown = fields.keys() - TREE_KEYS - CAT_KEYS
            if unknown:
                raise self.fail(f"tree {number}: unknown field {min(unknown)[:40]!r}")
            missing = TREE_KEYS - fields.keys()
            if missing:
                raise self.fail(f"tree {number} lacks {', '.join(sorted(missing))}")
            trees.append(fields)
        # a block that passes every check is ASCII (known keys, checked numbers): chars are bytes
        return trees, [len(block) + 3 for block in blocks], after + 1

    def trees(self, trees: list[dict[str, str]], max_feature: int) -> None:
        everyone = np.arange(len(trees))
        ones = np.ones(len(trees), dtype=np.int64)
        leaves = self.flat(trees, everyone, "num_leaves", ones, INTS, np.int64)
        n_cat = self.flat(trees, everyone, "num_cat", ones, INTS, np.int64)
        self.flat(trees, everyone, "shrinkage", ones, FLOATS, None)
        self.per_tree((leaves >= 1) & (leaves <= MAX_LEAVES), "num_leaves is outside 1..131072")
        internal = leaves - 1
        self.per_tree((n_cat >= 0) & (n_cat <= internal), "num_cat is outside 0..num_leaves-1")
        for number, tree in enumerate(trees):
            if tree["is_linear"] != "0":
                raise self.fail(f"tree {number}: is_linear={tree['is_linear'][:10]!r}, not 0")
            if CAT_KEYS & tree.keys() != (CAT_KEYS if n_cat[number] > 0 else set()):
                raise self.fail(
                    f"tree {number}: cat_boundaries and cat_threshold must be there exactly"
                    " when num_cat > 0"
                )
        counts = {INTERNAL: internal, LEAVES: leaves}
        parsed = {}
        for key, (per, pattern, dtype) in ARRAYS.items():
            expected = counts[per]
            if key == "leaf_weight":  # empty in a one-leaf tree, where LightGBM reads no further
                expected = np.where((leaves == 1) & [not t[key] for t in trees], 0, leaves)
            parsed[key] = self.flat(trees, everyone, key, expected, pattern, dtype)
        self.structure(trees, parsed, leaves, internal, n_cat, max_feature)
        if np.any(n_cat > 0):
            self.categories(trees, n_cat)

    def per_tree(self, ok: np.ndarray, message: str, which: np.ndarray | None = None) -> None:
        if not np.all(ok):
            k = int(np.argmin(ok))
            raise self.fail(f"tree {k if which is None else int(which[k])}: {message}")

    def flat(
        self,
        trees: list[dict[str, str]],
        which: np.ndarray,
        key: str,
        expected: np.ndarray,
        pattern: re.Pattern[str],
        dtype: type | None,
    ) -> np.ndarray:
        """Field `key` of the trees `which`, each with the expected number of values in
        LightGBM's syntax; parsed into one flat array when `dtype` is given."""
        values = [trees[number][key] for number in which]
        found = np.array([value.count(" ") + 1 if value else 0 for value in values], np.int64)
        if not np.array_equal(found, expected):
            k = int(np.argmax(found != expected))
            raise self.fail(f"tree {which[k]}: {key} has {found[k]} values, expected {expected[k]}")
        joined = " ".join([value for value in values if value])
        if joined and not pattern.fullmatch(joined):
            k = next(k for k, value in enumerate(values) if value and not pattern.fullmatch(value))
            raise self.fail(
                f"tree {which[k]}: {key} is not a list of numbers as LightGBM writes them"
            )
        if pattern in (FLOATS, FINITES) and BIG_EXPONENT.search(joined):
            for k, value in enumerate(values):
                if not all(np.isfinite(float(n)) for n in BIG_NUMBER.findall(value)):
                    raise self.fail(f"tree {which[k]}: {key} holds a number beyond double range")
        if dtype is None:
            return np.empty(0)
        out: np.ndarray = np.fromstring(joined, dtype=dtype, sep=" ")
        if out.size != expected.sum():  # the syntax check above makes this unreachable
            raise self.fail(f"{key} did not parse")
        return out

    def structure(
        self,
        trees: list[dict[str, str]],
        parsed: dict[str, np.ndarray],
        leaves: np.ndarray,
        internal: np.ndarray,
        n_cat: np.ndarray,
        max_feature: int,
    ) -> None:
        total = int(internal.sum())
        owner = np.repeat(np.arange(len(leaves)), internal)
        start = np.cumsum(internal) - internal  # each tree's first node in the flat arrays
        node = np.arange(total) - start[owner]
        m, n = internal[owner], leaves[owner]

        split = parsed["split_feature"]
        self.per_node(
            owner,
            (split >= 0) & (split <= max_feature),
            "split_feature is outside 0..max_feature_idx",
        )
        for side in ("left_child", "right_child"):
            child = parsed[side]
            ok = np.where(child >= 0, (child > node) & (child < m), ~child < n)
            self.per_node(owner, ok, f"{side} points outside the tree or back up it")
        # every node but the root and every leaf is the child of exactly one node
        base = np.cumsum(2 * leaves - 1) - (2 * leaves - 1)
        children = np.concatenate([parsed["left_child"], parsed["right_child"]])
        owners = np.concatenate([owner, owner])
        slot = base[owners] + np.where(children >= 0, children, internal[owners] + ~children)
        hits = np.bincount(slot, minlength=int((2 * leaves - 1).sum()))
        if np.any(hits > 1):
            tree = int(np.searchsorted(base, int(np.argmax(hits > 1)), side="right") - 1)
            raise self.fail(f"tree {tree}: a node is the child of two nodes")
        self.depth(parsed, owner, start, leaves)

        decision = parsed["decision_type"]
        self.per_node(
            owner,
            (decision >= 0) & (decision <= 15) & ((decision >> 2) & 3 != 3),
            "decision_type is outside 0..15 or names no missing-value type",
        )
        categorical = (decision & 1) == 1
        if np.any(categorical):
            # a categorical split's threshold is the index of its category set
            cat_owner, cat_node = owner[categorical], node[categorical]
            split_cache: dict[int, list[str]] = {}
            index = np.array(
                [
                    float(split_cache.setdefault(t, trees[t]["threshold"].split(" "))[i])
                    for t, i in zip(cat_owner.tolist(), cat_node.tolist(), strict=True)
                ]
            )
            sets = n_cat[cat_owner]
            ok = (sets > 0) & (index == np.floor(index)) & (index >= 0) & (index < sets)
            self.per_node(cat_owner, ok, "a categorical split's threshold is no category set")

    def per_node(self, owner: np.ndarray, ok: np.ndarray, message: str) -> None:
        if not np.all(ok):
            raise self.fail(f"tree {int(owner[np.argmin(ok)])}: {message}")

    def depth(
        self,
        parsed: dict[str, np.ndarray],
        owner: np.ndarray,
        start: np.ndarray,
        leaves: np.ndarray,
    ) -> None:
        """Refuse a tree deeper than MAX_DEPTH (pointer jumping over every internal node)."""
        total = len(owner)
        if total == 0:
            return
        parent = np.arange(total)
        for side in ("left_child", "right_child"):
            child = parsed[side]
            inner = child >= 0
            parent[start[owner[inner]] + child[inner]] = np.flatnonzero(inner)
        depth = (parent != np.arange(total)).astype(np.int64)
        while True:
            grand = parent[parent]
            if np.array_equal(grand, parent):
                break
            depth = depth + depth[parent]
            parent = grand
        # a tree's depth: its deepest internal node's depth + 1 (the leaf below it)
        self.per_node(owner, depth < MAX_DEPTH, f"the tree is deeper than {MAX_DEPTH}")

    def categories(self, trees: list[dict[str, str]], n_cat: np.ndarray) -> None:
        which = np.flatnonzero(n_cat > 0)
        bounds = self.flat(trees, which, "cat_boundaries", n_cat[which] + 1, INTS, np.int64)
        words_per_tree = np.array(
            [trees[t]["cat_threshold"].count(" ") + 1 for t in which], dtype=np.int64
        )
        words = self.flat(trees, which, "cat_threshold", words_per_tree, UINTS, np.int64)
        first = np.cumsum(n_cat[which] + 1) - (n_cat[which] + 1)
        last = first + n_cat[which]
        step = np.diff(bounds)
        inside = np.ones(len(step), dtype=bool)
        inside[last[:-1]] = False  # the step from one tree's offsets to the next tree's
        owner = np.repeat(which, n_cat[which] + 1)
        self.per_node(owner[1:], (step > 0) | ~inside, "cat_boundaries do not increase")
        self.per_tree(
            (bounds[first] == 0) & (bounds[last] == words_per_tree),
            "cat_boundaries do not run from 0 to the length of cat_threshold",
            which,
        )
        if words.max() > 2**32 - 1:
            raise self.fail("a cat_threshold word exceeds 32 bits")

    def ints_of(self, value: str, what: str, pattern: re.Pattern[str]) -> list[int]:
        if not value:
            return []
        if not pattern.fullmatch(value):
            raise self.fail(f"{what} is not a list of integers")
        return [int(token) for token in value.split(" ")]

    # -- after the trees ---------------------------------------------------------------------

    def tail(self, lines: list[str]) -> None:
        if "parameters:" in lines:
            begin = lines.index("parameters:")
            try:
                end = lines.index("end of parameters", begin)
            except ValueError:
                raise self.fail("'parameters:' has no 'end of parameters'") from None
            for line in lines[begin + 1 : end]:
                if line and not PARAM_LINE.fullmatch(line):
                    raise self.fail(f"parameter line {line[:60]!r} is not '[name: value]'")
        # the line lightgbm.Booster reads back, found the way it finds it
        last = self.text[self.text.rfind("\n", 0, -len(PANDAS_KEY)) :].strip()
        if last.startswith(PANDAS_KEY):
            try:
                value = json.loads(last[len(PANDAS_KEY) :])
            except (ValueError, RecursionError):
                raise self.fail("the pandas_categorical line is not JSON") from None
            if value is not None and not (
                isinstance(value, list) and all(isinstance(v, list) for v in value)
            ):
                raise self.fail("pandas_categorical is neither null nor a list of lists")
