"""Serve: the prediction server. Request and response models generated from the training schema,
the compiled single-record path, the prediction log, metrics, security, traffic split, reload.
It never imports training code; MLflow is read only while loading a model, never per request.
"""

from shipml.serve.app import ServeConfig, create_app
from shipml.serve.loading import ServeOptions, Snapshot, load_snapshot

__all__ = ["ServeConfig", "ServeOptions", "Snapshot", "create_app", "load_snapshot"]
