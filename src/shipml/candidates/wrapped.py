"""Candidates: the shared part of a rung that wraps another (`PerLabel`, `PerNode`,
`LogTarget`, `Detrended`): the inner rung's preprocessing, early stopping, defaults and search
space (for the task the inner rung learns, `inner_task`), one step dearer, and the refit of a
rung fit in parts (one inner model per label or node, their infos keyed `name@part`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from shipml.candidates.family import Family, Params, Trial
from shipml.core.enums import TaskName
from shipml.runtime.preprocess import PreprocessConfig


@dataclass(frozen=True)
class Wrapped:
    inner: Family

    @property
    def cost_rank(self) -> int:
        return self.inner.cost_rank + 1

    @property
    def preprocess(self) -> PreprocessConfig:
        return self.inner.preprocess

    @property
    def early_stopping(self) -> bool:
        return self.inner.early_stopping

    def inner_task(self, task: TaskName) -> TaskName:
        """The task the inner rung learns (the wrapper's own, unless it fits in parts)."""
        return task

    def defaults(self, task: TaskName, n_rows: int) -> list[Params]:
        return self.inner.defaults(self.inner_task(task), n_rows)

    def suggest(self, trial: Trial, task: TaskName, n_rows: int) -> Params:
        return self.inner.suggest(trial, self.inner_task(task), n_rows)

    def refit_params(self, params: Params, infos: Sequence[Mapping[str, float]]) -> Params:
        return self.inner.refit_params(params, infos)


def refit_in_parts(
    inner: Family, params: Params, infos: Sequence[Mapping[str, float]], key: str
) -> Params:
    """The inner rung's refit params for each part (infos keyed `name@part`), under `key`."""
    parts = sorted({k.rsplit("@", 1)[1] for i in infos for k in i if "@" in k})
    if not parts:
        return params
    return params | {
        key: {p: inner.refit_params(params, [part_info(i, p) for i in infos]) for p in parts}
    }


def part_info(info: Mapping[str, float], part: str) -> dict[str, float]:
    """The infos of one part, without their `@part` suffix."""
    suffix = f"@{part}"
    return {k[: -len(suffix)]: v for k, v in info.items() if k.endswith(suffix)}
