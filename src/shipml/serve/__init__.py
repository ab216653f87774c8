"""Serve: the FastAPI app, schemas generated from the training schema, the prediction log."""
