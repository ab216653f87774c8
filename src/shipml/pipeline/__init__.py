"""Pipeline: the only code that knows the whole flow (`train`, `predict_file`, `scaffold_spec`)."""
