"""Fine-tune the sentence encoder for skills, on CPUs, from pairs the taxonomies give.

all-MiniLM-L6-v2 was trained to tell sentences apart in general; ranking ESCO skills for a job-ad
or resume statement asks it to put "Reconciled vendor statements" next to "reconcile accounts"
and far from "negotiate with vendors". The pairs (`taxonomy_pairs`) say exactly that: an ESCO
alternative label, a description or an O*NET task statement, each with the name it belongs to.
Training is MultipleNegativesRankingLoss (the other positives of a batch are the negatives; no
batch holds one name twice), written here in thirty lines of torch rather than pulling
sentence-transformers' trainer with `datasets` and `accelerate` into the install. Only the top
`trainable_layers` layers learn, so what ships is those layers (`TUNED_FILE`), loaded over the
base package's weights by `taxonomy.encoder.Embedder`.
"""

from __future__ import annotations

import csv
import json
import random
import time
from pathlib import Path

import numpy as np
import pandas as pd

from skillner.taxonomy.encoder import MODEL_NAME, TUNED_FILE, Embedder
from skillner.taxonomy.skills import load_skills

# How job ads and resumes put a skill into a sentence (a noun phrase or a verb phrase).
NOUN_TEMPLATES = ("Experience with {}.", "Strong knowledge of {}.", "{} skills are a plus.", "Proficient in {}.",
                  "Responsible for {} across the team.", "Background in {} preferred.", "Skills: {}, teamwork.",
                  "Hands-on {} experience.")
VERB_TEMPLATES = ("You will {}.", "Able to {} independently.", "Daily duties: {}.", "We expect you to {}.",
                  "{} for our clients.", "Responsibilities include the ability to {}.")


def _template(label: str, verb: bool, rng: random.Random) -> str:
    text = rng.choice(VERB_TEMPLATES if verb else NOUN_TEMPLATES).format(label)
    return text[0].upper() + text[1:]


def heldout_skills(skills: pd.DataFrame, share: float, seed: int) -> set[str]:
    """The ESCO skills whose pairs stay out of training (measured by `measure.esco_linking`)."""
    rng = np.random.default_rng(seed)
    return set(skills["concept_id"][rng.random(len(skills)) < share])


def taxonomy_pairs(taxonomy_dir: Path | None, alternatives_per_skill: int = 4, descriptions: bool = True,
                   onet_tasks: bool = True, templated_share: float = 0.5, heldout_share: float = 0.05,
                   seed: int = 0) -> pd.DataFrame:
    """(query, positive, source) pairs: ESCO alternative labels (some put into a sentence) and
    descriptions -> preferred label, less the held-out skills; O*NET task statements -> each of
    their detailed work activities (needs `taxonomy_dir`, the shared taxonomies folder)."""
    rng = random.Random(seed)
    skills = load_skills()
    held = heldout_skills(skills, heldout_share, seed)
    rows = []
    for concept_id, preferred, alts, description, skill_type in skills[
            ["concept_id", "preferred_label", "alt_labels", "description", "skill_type"]].itertuples(index=False):
        if concept_id in held:
            continue
        first = preferred.split()[0]
        names = [a for a in alts.split("\n") if a]
        rng.shuffle(names)
        for name in names[:alternatives_per_skill]:
            templated = rng.random() < templated_share
            verb = skill_type == "skill/competence" and name.split()[0] == first  # "monitor ...", not "monitoring"
            rows.append((_template(name, verb, rng) if templated else name, preferred,
                         "esco-template" if templated else "esco-alternative"))
        if not names or rng.random() < templated_share:  # the name itself in a sentence
            rows.append((_template(preferred, skill_type == "skill/competence", rng), preferred, "esco-template"))
        if descriptions and description:
            rows.append((description, preferred, "esco-description"))
    if onet_tasks:
        if taxonomy_dir is None:
            raise ValueError("O*NET task pairs need the taxonomies folder (--taxonomies ../shared/data/taxonomies)")
        with open(Path(taxonomy_dir) / "onet-29.3" / "Tasks to DWAs.tsv", encoding="utf-8", newline="") as handle:
            rows.extend((row["Task"], row["DWA Title"], "onet-task") for row in csv.DictReader(handle, delimiter="\t"))
    return pd.DataFrame(rows, columns=["query", "positive", "source"]).drop_duplicates().reset_index(drop=True)


def _batches(pairs: pd.DataFrame, batch_size: int, seed: int):
    """Endless batches in a shuffled order, none holding one positive twice (it would be its
    own negative)."""
    rng = np.random.default_rng(seed)
    queries, positives = pairs["query"].to_numpy(), pairs["positive"].to_numpy()
    while True:
        batch, seen = [], set()
        for i in rng.permutation(len(pairs)):
            if positives[i] in seen:
                continue
            batch.append(i)
            seen.add(positives[i])
            if len(batch) == batch_size:
                yield queries[batch].tolist(), positives[batch].tolist()
                batch, seen = [], set()


def fine_tune(pairs: pd.DataFrame, out_dir: Path, steps: int = 1200, batch_size: int = 64,
              learning_rate: float = 5e-5, warmup_share: float = 0.1, scale: float = 20.0, max_length: int = 48,
              trainable_layers: int = 3, seed: int = 0, log=print) -> dict:
    """Train and write the tuned layers (`TUNED_FILE`) and `meta.json` to `out_dir`."""
    import torch
    from safetensors.torch import save_file

    torch.manual_seed(seed)
    embedder = Embedder()
    model, tokenizer = embedder.model, embedder.tokenizer
    layers = model.config.num_hidden_layers
    prefixes = [f"encoder.layer.{i}." for i in range(layers - trainable_layers, layers)] if trainable_layers else [""]
    trained = [name for name, _ in model.named_parameters() if any(name.startswith(p) for p in prefixes)]
    for name, parameter in model.named_parameters():
        parameter.requires_grad = name in trained
    model.train()
    optimiser = torch.optim.AdamW([p for p in model.parameters() if p.requires_grad], lr=learning_rate)
    warmup = max(1, int(steps * warmup_share))
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimiser, lambda step: min((step + 1) / warmup, max(0.0, (steps - step) / max(1, steps - warmup))))

    def embed(texts):
        batch = tokenizer(texts, padding=True, truncation=True, max_length=max_length, return_tensors="pt")
        hidden = model(**batch).last_hidden_state
        mask = batch["attention_mask"].unsqueeze(-1).to(hidden.dtype)
        return torch.nn.functional.normalize((hidden * mask).sum(1) / mask.sum(1).clamp(min=1e-9), dim=1)

    started, losses = time.time(), []
    batches = _batches(pairs, batch_size, seed)
    for step in range(steps):
        queries, positives = next(batches)
        scores = embed(queries) @ embed(positives).T * scale
        loss = torch.nn.functional.cross_entropy(scores, torch.arange(len(queries)))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        schedule.step()
        losses.append(float(loss.detach()))
        if (step + 1) % 100 == 0 or step + 1 == steps:
            log(f"step {step + 1}/{steps}: loss {np.mean(losses[-100:]):.3f} ({time.time() - started:.0f} s)")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    state = {name: tensor.detach().to(torch.float16).contiguous()
             for name, tensor in model.state_dict().items() if name in trained}
    save_file(state, str(out_dir / TUNED_FILE))
    meta = {"base": MODEL_NAME, "trained_parameters": len(trained), "trainable_layers": trainable_layers,
            "floats": int(sum(t.numel() for t in state.values())), "pairs": int(len(pairs)),
            "pairs_by_source": {k: int(v) for k, v in pairs["source"].value_counts().sort_index().items()},
            "steps": steps, "batch_size": batch_size, "learning_rate": learning_rate, "scale": scale,
            "max_length": max_length, "seed": seed, "seconds": round(time.time() - started, 1),
            "final_loss": round(float(np.mean(losses[-100:])), 4),
            "bytes": (out_dir / TUNED_FILE).stat().st_size}
    (out_dir / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta


def train_encoder(config_path: Path, out_dir: Path, taxonomy_dir: Path | None, overrides: dict | None = None,
                  log=print) -> dict:
    """`configs/encoder.cfg` (with spaCy-style overrides) -> pairs -> the tuned layers."""
    from spacy.util import load_config

    config = load_config(config_path, overrides=overrides or {}, interpolate=True)
    pairs = taxonomy_pairs(taxonomy_dir, **config["pairs"])
    log(f"{len(pairs)} pairs: {pairs['source'].value_counts().to_dict()}")
    meta = fine_tune(pairs, out_dir, log=log, **config["training"])
    meta["config"] = {section: dict(values) for section, values in config.items()}
    (Path(out_dir) / "meta.json").write_text(json.dumps(meta, indent=1) + "\n", encoding="utf-8")
    return meta
