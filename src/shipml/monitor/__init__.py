"""Monitor: what production did, read from the prediction log and the version's reference
summaries; never imports the server or training code (the import contracts say so)."""

from shipml.monitor.logs import LoggedPredictions, read_predictions

__all__ = ["LoggedPredictions", "read_predictions"]
