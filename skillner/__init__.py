"""skillner: skill NER for resumes, with measured data and annotation-cost needs.

The subpackages follow the data flow; each may import those before it, never one after it
(tests/test_layout.py walks the imports):

- `runtime`: processes and Ray clusters, shared by the stages that run work in them;
- `taxonomy`: ESCO and O*NET as concepts, and linking a mention to them;
- `pipeline`: the spaCy components and registered functions a trained pipeline is made of, and
  loading the shipped one;
- `annotate`: labelled resumes in (dotin, SkillSpan, Doccano), converted, split;
- `train`: training and shipping a pipeline from `configs/`;
- `measure`: scores, generalisation, calibration, the learning curve, annotation cost and quality;
- `extract`: what users run: reading files, extracting and linking skills, a folder as a batch,
  the HTTP service;
- `cli`: the `skillner` command, one module per stage.
"""

from pathlib import Path

__version__ = "0.1.0"

# The checkout skillner runs from (configs/, corpus/, build/); an installed wheel has none.
REPO_ROOT = Path(__file__).resolve().parents[1]
