"""Training a pipeline from `configs/` (spaCy's `train` with skillner's functions registered)
and shipping the best one into `models/` (`run`).

Imports `pipeline`; imported by the CLI.
"""
