"""Batch: scoring files through the runtime, chunk by chunk (`shipml predict`)."""

from shipml.batch.predict import PredictionSummary, predict_file

__all__ = ["PredictionSummary", "predict_file"]
