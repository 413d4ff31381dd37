"""The package tree reads as the data flow: each stage imports only the stages before it, no
module imports itself round a cycle, and no module grows past ~600 lines without saying why.

Imports are read from the source (every `import` and `from ... import`, inside functions too),
so a lazy import counts like any other.
"""

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "skillner"
# What each top-level subpackage may import (besides itself and the root `skillner`).
ALLOWED = {
    "runtime": set(),
    "taxonomy": set(),
    "pipeline": {"taxonomy"},
    "annotate": {"taxonomy", "pipeline"},
    "train": {"taxonomy", "pipeline", "annotate"},
    "measure": {"runtime", "taxonomy", "pipeline", "annotate", "train"},
    "extract": {"runtime", "taxonomy", "pipeline"},
    "cli": {"runtime", "taxonomy", "pipeline", "annotate", "train", "measure", "extract"},
}
MAX_LINES = 620


def module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports(name: str) -> set[str]:
    """The skillner modules `name` imports: `from skillner.a import b` is skillner.a.b where
    that is a module, else skillner.a."""
    tree = ast.parse(MODULES[name].read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name.startswith("skillner")}
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("skillner"):
            assert node.level == 0, f"{name}: relative import"
            for alias in node.names:
                target = f"{node.module}.{alias.name}"
                found.add(target if target in MODULES else node.module)
    return found - {name}


GRAPH = {name: imports(name) for name in MODULES}


def stage(name: str) -> str | None:
    parts = name.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_module_lies_in_a_stage():
    assert {stage(name) for name in MODULES} == set(ALLOWED) | {None}
    assert [name for name in MODULES if stage(name) is None] == ["skillner"]


def test_no_stage_imports_a_later_one():
    wrong = [f"{name} imports {target}" for name, targets in GRAPH.items() for target in sorted(targets)
             if stage(target) not in ALLOWED.get(stage(name), set()) | {stage(name), None}]
    assert wrong == []


def test_no_import_cycles():
    """Depth-first over the module graph; a module met again on the current path is a cycle."""
    cycles, done = [], set()

    def visit(name: str, path: list[str]) -> None:
        if name in path:
            cycles.append(" -> ".join(path[path.index(name):] + [name]))
            return
        if name in done:
            return
        for target in sorted(GRAPH.get(name, ())):
            visit(target, path + [name])
        done.add(name)

    for name in MODULES:
        visit(name, [])
    assert cycles == []


def test_modules_stay_short_or_say_why():
    long = []
    for name, path in MODULES.items():
        source = path.read_text(encoding="utf-8")
        if source.count("\n") > MAX_LINES and "on purpose" not in (ast.get_docstring(ast.parse(source)) or ""):
            long.append(f"{name}: {source.count(chr(10))} lines")
    assert long == []


def test_the_shipped_model_and_a_config_load_without_importing_skillner():
    """The registered names did not move with their modules: spaCy resolves them through the
    entry points, in a process that never imports skillner itself, for the shipped pipeline
    (its config written before the tree moved) and for a training config."""
    import subprocess
    import sys

    code = ("import sys, spacy; nlp = spacy.load('models/skillner-cpu'); "
            "print(sorted(ent.label_ for ent in nlp('Skills: Python, SQL and team leadership').ents)); "
            "spacy.util.load_model_from_config(spacy.util.load_config('configs/gazetteer.cfg'), auto_fill=True); "
            "print(sorted(name for name in sys.modules if name.startswith('skillner.')))")
    done = subprocess.run([sys.executable, "-c", code], cwd=PACKAGE.parent, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr[-2000:]
    labels, modules = done.stdout.splitlines()[-2:]
    assert "TECH_TOOL" in labels
    assert "skillner.pipeline.registry" in modules and "skillner.pipeline.gazetteer" in modules
