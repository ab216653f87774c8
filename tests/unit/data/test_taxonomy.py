"""The tree of a path target: node order, the walk down it (with and without a stopping
share), and the path counts that hierarchical precision and recall read."""

from __future__ import annotations

import numpy as np

from shipml.core.enums import Metric
from shipml.data.taxonomy import ROOT, taxonomy_of
from shipml.framing.metrics import score

CLASSES = ("A > x > 1", "A > x > 2", "A > y", "A > y > 1", "B > z > 1")


def test_classes_come_first_then_the_inner_nodes_by_depth() -> None:
    tax = taxonomy_of(CLASSES)
    assert tax.nodes[:5] == CLASSES
    assert tax.nodes[5:] == ("A", "B", "A > x", "B > z")
    assert tax.options(ROOT) == (5, 6)
    assert tax.options(2) == (3, 2)  # 'A > y' chooses its child or itself
    assert tax.options(6) == (8,)  # one child: nothing to learn
    assert set(tax.inner) == {ROOT, 5, 7, 2}


def test_the_walk_takes_the_likeliest_child_and_stops_where_it_is_unsure() -> None:
    tax = taxonomy_of(CLASSES)
    p = np.array([[0.3, 0.25, 0.05, 0.0, 0.4], [0.05, 0.05, 0.5, 0.3, 0.1]])
    # row 0: A (0.6) over B (0.4), then A > x (0.55), then 1 (0.3 of 0.55)
    assert tax.walk(p).tolist() == [0, 2]
    # at 0.6: row 0 stops at 'A > x' (0.3 / 0.55 = 0.55 < 0.6); row 1 at 'A > y' (itself)
    assert [tax.nodes[i] for i in tax.walk(p, 0.6)] == ["A > x", "A > y"]
    assert tax.walk(p, 0.99).tolist() == [5, 5]  # never stops above the first level


def test_hierarchical_scores_count_the_common_prefix_of_the_paths() -> None:
    y = np.array([1, 4])  # A > x > 2, B > z > 1
    p = np.eye(5)[[0, 4]]  # decided A > x > 1 (2 of 3 nodes right), and B > z > 1
    assert score(Metric.HIERARCHICAL_PRECISION, y, p, None, CLASSES) == 5 / 6
    assert score(Metric.HIERARCHICAL_RECALL, y, p, None, CLASSES) == 5 / 6
    assert score(Metric.LEAF_F1_MACRO, y, p, None, CLASSES) == (0 + 0 + 1) / 3
