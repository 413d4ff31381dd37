"""skillner: skill NER for resumes, with measured data and annotation-cost needs."""

__version__ = "0.1.0"
