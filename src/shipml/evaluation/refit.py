"""Evaluation: refit a tuned candidate on all non-test rows, into the inference form."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from shipml.candidates.family import FitData
from shipml.candidates.tuning import TunedCandidate
from shipml.framing.metrics import score
from shipml.framing.problem import ProblemFrame
from shipml.runtime.inference import InferenceModel
from shipml.runtime.policy import DecisionPolicy
from shipml.runtime.preprocess import fit_preprocessor


@dataclass(frozen=True, slots=True)
class Refitted:
    model: InferenceModel
    params: dict[str, object]
    train_score: float  # in-sample primary metric on the non-test rows, for the fit diagnosis


def refit(candidate: TunedCandidate, frame: ProblemFrame) -> Refitted:
    family = candidate.family
    rows = frame.train_rows
    pre = fit_preprocessor(
        frame.rows(rows), frame.features, family.preprocess, formats=frame.schema.formats
    )
    X = pre.transform(frame.rows(rows)).matrix
    params = family.refit_params(candidate.params, candidate.outcome.infos)
    fitted = family.fit(
        FitData(
            X=X,
            y=frame.y[rows],
            w=frame.weights(rows),
            task=frame.task,
            n_classes=frame.n_classes,
            seed=frame.seed,
            n_jobs=frame.n_jobs,
            categorical=pre.categorical_indices,
            classes=tuple(str(c) for c in frame.classes),
            feature_names=tuple(pre.feature_names),
        ),
        params,
    )
    model = InferenceModel(
        task=frame.task,
        target=frame.target,
        family=family.name,
        classes=frame.classes,
        schema=frame.schema,
        preprocessor=pre,
        estimator=fitted.estimator,
        policy=DecisionPolicy.default(frame.task, frame.classes),
    )
    sample = rows if len(rows) <= 200_000 else rows[:: len(rows) // 200_000 + 1]
    pred = model.estimator.predict_raw(X if sample is rows else X[np.searchsorted(rows, sample)])
    train_score = score(frame.primary, frame.y[sample], pred, frame.weights(sample), frame.classes)
    return Refitted(model=model, params=dict(params), train_score=train_score)
