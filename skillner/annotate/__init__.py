"""Labelled resumes in and out: dotin's XML (`dotin`) and SkillSpan's job postings
(`skillspan`) imported, the Doccano bridge (`doccano`), conversion between Prodigy JSONL,
Doccano JSONL and spaCy DocBins with every misaligned span reported (`convert`), the splits
(`splits`), and the span matching both agreement and scores use (`matching`).

Imports `pipeline`; imported by `train`, `measure` and the CLI.
"""
