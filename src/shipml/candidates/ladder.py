"""Candidates: the ladder, cheapest rung first, and how the trial budget is shared out."""

from __future__ import annotations

from collections.abc import Callable

from shipml.candidates.baseline import Baseline
from shipml.candidates.boosting import LightGBM
from shipml.candidates.detrend import Detrended
from shipml.candidates.family import Family
from shipml.candidates.forest import Forest, extra_trees
from shipml.candidates.linear import Linear
from shipml.candidates.per_label import PerLabel
from shipml.candidates.per_node import PerNode
from shipml.candidates.target_transform import LogTarget
from shipml.core.enums import TaskName
from shipml.spec.model import DEFAULT_LADDER, ModelSpec
from shipml.tasks import task_kind

DEFAULT_TRIALS = 24
# Relative share of the trials beyond each rung's first; tuning pays most on boosting.
SHARE = {"baseline": 0, "linear": 1, "random_forest": 1, "extra_trees": 1, "lightgbm": 3}


def _family(name: str) -> Family:
    factories: dict[str, Callable[[], Family]] = {
        "baseline": Baseline,
        "linear": Linear,
        "random_forest": Forest,
        "extra_trees": extra_trees,
        "lightgbm": LightGBM,
    }
    return factories[name]()


CHAIN_OF = "lightgbm"  # the rung a label-set task also climbs as a classifier chain


def build_ladder(
    spec: ModelSpec,
    task: TaskName | None = None,
    *,
    skewed_target: bool = False,
    trend_column: str | None = None,
) -> list[Family]:
    """The spec's rungs (or the default ladder), always with the baseline, cheapest first. A
    task learned one label at a time gets each rung per label, and a classifier chain of the
    boosted rung beside it when the ladder has that rung; a path task gets each rung flat (over
    the classes) and per parent node, and cross-validation picks between them; a positive,
    skewed regression target also gets the boosted rung on log1p(target), and one validated in
    time (`trend_column`: its datetime feature) the boosted rung after a linear trend."""
    names = list(spec.models.ladder or DEFAULT_LADDER)
    if "baseline" not in names:
        names.insert(0, "baseline")
    families = [_family(n) for n in dict.fromkeys(names)]
    if task is not None and task_kind(task).label_task is not None:
        families = [PerLabel(f) for f in families]
        families += [PerLabel(_family(CHAIN_OF), chain=True)] if CHAIN_OF in names else []
    if task is not None and task_kind(task).node_task is not None:  # flat, and per parent node
        families += [PerNode(f) for f in families if f.name != "baseline"]
    if skewed_target and task is not None and task_kind(task).gives_values:
        families += [LogTarget(_family(CHAIN_OF))] if CHAIN_OF in names else []
    if trend_column and task is not None and task_kind(task).gives_values and CHAIN_OF in names:
        families += [Detrended(_family(CHAIN_OF), trend_column)]
    return sorted(families, key=lambda f: f.cost_rank)


def share_trials(ladder: list[Family], total: int) -> dict[str, int]:
    """Every rung gets one trial in ladder order while they last; the rest go by SHARE."""
    counts = {f.name: 0 for f in ladder}
    left = total
    for f in ladder:
        if left == 0:
            break
        counts[f.name], left = 1, left - 1
    weights = {f.name: SHARE.get(f.name, 1) for f in ladder if counts[f.name]}
    weight_sum = sum(weights.values())
    if left and weight_sum:
        exact = {n: left * w / weight_sum for n, w in weights.items()}
        floors = {n: int(x) for n, x in exact.items()}
        rest = left - sum(floors.values())
        # Largest remainders first; ties go to the cheaper rung: deterministic.
        for n in sorted(exact, key=lambda n: -(exact[n] - floors[n]))[:rest]:
            floors[n] += 1
        for n, extra in floors.items():
            counts[n] += extra
    return counts
