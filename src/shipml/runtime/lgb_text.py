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

from shipml.core.enums import TaskName
from shipml.runtime.lgb_checker import Checker
from shipml.runtime.lgb_grammar import MULTICLASS_OBJECTIVES, ModelTextInfo
from shipml.runtime.model_files import FIX, ModelFileError
from shipml.tasks import RawOutput, ScoresKind, task_kind

__all__ = ["ModelTextInfo", "check_model_text", "check_task"]

OUTPUT_OBJECTIVES = {  # the objectives that fit a task's (scores, raw output)
    (ScoresKind.CLASS_PROBABILITIES, RawOutput.SINGLE): frozenset({"binary", "cross_entropy"}),
    (ScoresKind.CLASS_PROBABILITIES, RawOutput.PER_CLASS): MULTICLASS_OBJECTIVES,
    (ScoresKind.VALUES, RawOutput.SINGLE): frozenset(
        {"regression", "regression_l1", "quantile", "huber", "fair", "poisson", "mape"}
        | {"gamma", "tweedie"}
    ),
}


def check_model_text(text: str, *, where: str | None = None) -> ModelTextInfo:
    """Raise `ModelFileError` unless `text` is a LightGBM model text LightGBM can load safely."""
    return Checker(text, where).run()


def check_task(info: ModelTextInfo, task: TaskName, *, where: str | None = None) -> None:
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
