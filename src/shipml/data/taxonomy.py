"""Data: the tree of a hierarchical target, built from its classes (paths), and its arithmetic.

A class is a path of levels joined by `PATH_JOIN` ("Fashion > Shoes > Sneakers"). The nodes
of the tree are every prefix of every class; node indices put the K classes first, in class
order (so a decided class keeps its class code), then the nodes that are only inner nodes,
by depth and name. A class can also be an inner node: a small class folded into its parent
leaves that parent a class of its own beside its children ("stop here").

`Taxonomy.walk` decides a node per row from class probabilities: from the root, it takes the
child (or "stop here") with the most probability, and stops at the current node when the
best child holds less than `stop_below` of the current node's probability. Hierarchical
precision and recall (Kiritchenko et al. 2005) count a path's nodes: a decided node and its
ancestors against the true class and its ancestors, so the overlap of two paths is the length
of their common prefix.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np

PATH_JOIN = " > "
ROOT = -1


def path_parts(path: str) -> tuple[str, ...]:
    return tuple(path.split(PATH_JOIN))


@dataclass(frozen=True, eq=False)
class Taxonomy:
    classes: tuple[str, ...]
    nodes: tuple[str, ...]  # classes first, then inner-only nodes
    parent: np.ndarray  # (N,) parent node index, ROOT for the first level
    depth: np.ndarray  # (N,) 1 for the first level
    children: dict[int, tuple[int, ...]]  # node (or ROOT) -> child nodes
    below: np.ndarray  # (K, N) 1.0 where class k is node n or under it
    common: np.ndarray  # (N, K) length of the common prefix of node n and class k

    @property
    def n_classes(self) -> int:
        return len(self.classes)

    @property
    def levels(self) -> int:
        return int(self.depth.max())

    @property
    def inner(self) -> tuple[int, ...]:
        """The nodes (ROOT first) that choose among more than one option."""
        return tuple(v for v in (ROOT, *range(len(self.nodes))) if len(self.options(v)) > 1)

    def options(self, v: int) -> tuple[int, ...]:
        """What node `v` chooses among: its children, and itself when it is also a class."""
        own = (v,) if 0 <= v < self.n_classes and v in self.children else ()
        return (*self.children.get(v, ()), *own)

    def marginals(self, proba: np.ndarray) -> np.ndarray:
        """P(node) for each row: the class probabilities under it summed, (n, N)."""
        return np.asarray(proba, dtype=np.float64) @ self.below

    def walk(self, proba: np.ndarray, stop_below: float = 0.0) -> np.ndarray:
        """The decided node per row (a class code when the walk ends at a class)."""
        proba = np.asarray(proba, dtype=np.float64)
        mass = self.marginals(proba)
        n = len(proba)
        at = np.full(n, ROOT, dtype=np.int64)
        moving = np.ones(n, dtype=bool)
        for _ in range(self.levels):
            for v in np.unique(at[moving]).tolist():
                rows = np.flatnonzero(moving & (at == v))
                options = self.options(v)
                if not self.children.get(v):
                    moving[rows] = False
                    continue
                held = np.column_stack(
                    [proba[rows, o] if o == v else mass[rows, o] for o in options]
                )
                best = np.argmax(held, axis=1)
                chosen = np.asarray(options)[best]
                share = held[np.arange(len(rows)), best] / (
                    1.0 if v == ROOT else np.maximum(mass[rows, v], 1e-300)
                )
                stop = (chosen == v) | ((share < stop_below) & (v != ROOT))
                at[rows[~stop]] = chosen[~stop]
                moving[rows[stop]] = False
            if not moving.any():
                break
        return at

    def counts(self, y: np.ndarray, decided: np.ndarray) -> np.ndarray:
        """Per row (overlap, decided path length, true path length), (n, 3) float64."""
        y = np.asarray(y, dtype=np.int64)
        decided = np.asarray(decided, dtype=np.int64)
        return np.column_stack(
            [self.common[decided, y], self.depth[decided], self.depth[y]]
        ).astype(np.float64)

    def at_level(self, node: np.ndarray, level: int) -> np.ndarray:
        """The ancestor of each node at `level` (1 = the first), -1 where the node is higher."""
        return self._ancestor_table[level - 1][np.asarray(node, dtype=np.int64)]

    @property
    def _ancestor_table(self) -> np.ndarray:
        return _ancestors(self)

    def name(self, node: int) -> str:
        return self.nodes[node]


@cache
def taxonomy_of(classes: tuple[str, ...]) -> Taxonomy:
    """The tree of `classes` (canonical paths); cached, as every scorer of a run asks for it."""
    parts = [path_parts(c) for c in classes]
    known = set(parts)
    inner = sorted(
        {p[:i] for p in parts for i in range(1, len(p))} - known, key=lambda p: (len(p), p)
    )
    all_parts = [*parts, *inner]
    index = {p: i for i, p in enumerate(all_parts)}
    parent = np.array([index[p[:-1]] if len(p) > 1 else ROOT for p in all_parts], dtype=np.int64)
    depth = np.array([len(p) for p in all_parts], dtype=np.int64)
    children: dict[int, list[int]] = {}
    for i in sorted(range(len(all_parts)), key=lambda j: all_parts[j]):
        children.setdefault(int(parent[i]), []).append(i)
    below = np.zeros((len(parts), len(all_parts)))
    common = np.zeros((len(all_parts), len(parts)), dtype=np.int64)
    for k, p in enumerate(parts):
        for i in range(1, len(p) + 1):
            below[k, index[p[:i]]] = 1.0
        for n, q in enumerate(all_parts):
            common[n, k] = _prefix(p, q)
    return Taxonomy(
        classes=classes,
        nodes=tuple(PATH_JOIN.join(p) for p in all_parts),
        parent=parent,
        depth=depth,
        children={v: tuple(c) for v, c in children.items()},
        below=below,
        common=common,
    )


@cache
def _ancestors(tax: Taxonomy) -> np.ndarray:
    table = np.full((tax.levels, len(tax.nodes) + 1), -1, dtype=np.int64)
    for n in range(len(tax.nodes)):
        v = n
        while v != ROOT:
            table[tax.depth[v] - 1, n] = v
            v = int(tax.parent[v])
    return table[:, :-1]


def _prefix(a: tuple[str, ...], b: tuple[str, ...]) -> int:
    n = 0
    for x, y in zip(a, b, strict=False):
        if x != y:
            break
        n += 1
    return n
