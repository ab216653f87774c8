"""Runtime: the checker of a LightGBM model text, line by line against `lgb_grammar.py`."""

from __future__ import annotations

import json
import re

import numpy as np

from shipml.runtime.lgb_grammar import (
    ARRAYS,
    BAD_NAME,
    BIG_EXPONENT,
    BIG_NUMBER,
    CAT_KEYS,
    END_OF_TREES,
    FINITES,
    FLOAT,
    FLOATS,
    HEADER_KEYS,
    INT,
    INTERNAL,
    INTS,
    LEAVES,
    MAX_DEPTH,
    MAX_LEAVES,
    MULTICLASS_OBJECTIVES,
    OBJECTIVES,
    PANDAS_KEY,
    PARAM_LINE,
    REQUIRED_HEADER,
    TREE_KEYS,
    UINTS,
    ModelTextInfo,
)
from shipml.runtime.model_files import FIX, ModelFileError


class Checker:
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
