"""Pipeline: the time budget of one `train`, from its start to its return.

`constraints.time_budget_s` bounds the whole run, from the command's launch (its imports too)
or the call of `shipml.train`: the data checks and the leakage probe, the
search (tuning, and each rung's refit), the decision and the test evaluation, the bundle with
its report, and the registration. The search ends early enough to leave the stages after it
their expected time (`RESERVE_S`, measured on UCI Adult at 48k rows on 2 cores: the report
took 4-7 s, registration about 2.5 s, the decision and evaluation about 1.5 s, the exit after
the run about 1.5 s), at most 60% of the budget. A run that still ends more than 10% over says
by how much and which stages took the time, as a warning.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

# seconds the stages after the search take (the decision, the evaluation, the bundle, the
# registration and the process's exit; the report), and the most of the budget they may hold
RESERVE_S = {"after_search": 6.5, "report": 6.0}
RESERVE_SHARE = 0.6
# the stages after the search grow with the rows as the data checks do: on 300k rows those took
# 12 s and the evaluation, report and registration 26 s; so each second the data checks took
# adds this many seconds to the reserve
RESERVE_PER_CHECK_SECOND = 1.5
DATA_STAGE = "data checks and leakage probe"
SEARCH_STAGE = "search (tuning and refits)"
OVERRUN = 1.10  # a run within 10% of its budget holds it


@dataclass
class Stopwatch:
    """Laps of one run against its budget (None: no time budget); `clock` is monotonic."""

    budget_s: float | None
    clock: Callable[[], float] = time.monotonic
    started: float | None = None  # a `clock` value; None: now
    stages: dict[str, float] = field(default_factory=dict)
    _last: float = 0.0

    def __post_init__(self) -> None:
        self.started = self.clock() if self.started is None else self.started
        self._last = self.started

    def lap(self, stage: str) -> None:
        now = self.clock()
        self.stages[stage] = self.stages.get(stage, 0.0) + (now - self._last)
        self._last = now

    @property
    def elapsed(self) -> float:
        return self.clock() - self._start

    @property
    def _start(self) -> float:
        assert self.started is not None
        return self.started

    def search_deadline(self, *, report: bool) -> float | None:
        """When the search must end (a `clock` value) for the stages after it to fit."""
        if self.budget_s is None:
            return None
        reserve = RESERVE_S["after_search"] + (RESERVE_S["report"] if report else 0.0)
        reserve += RESERVE_PER_CHECK_SECOND * self.stages.get(DATA_STAGE, 0.0)
        return self._start + self.budget_s - min(reserve, RESERVE_SHARE * self.budget_s)

    def overrun(self) -> str | None:
        """A sentence when the run took more than 10% over its budget, naming the stages."""
        if self.budget_s is None:
            return None
        took = self.elapsed
        if took <= OVERRUN * self.budget_s:
            return None
        ranked = sorted(self.stages.items(), key=lambda kv: -kv[1])
        parts = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in ranked)
        why = (
            "the search's first trials, which must finish for the run to have a model, ran past "
            "its deadline"
            if ranked and ranked[0][0] == SEARCH_STAGE
            else "the stages around the search do not shrink with the budget"
        )
        return (
            f"train took {took:.1f} s of its {self.budget_s:g} s time budget "
            f"({took / self.budget_s:.2f}x): {parts}; {why}, so raise "
            "constraints.time_budget_s (or turn the report off with explain.enabled: false) to "
            "hold it"
        )
