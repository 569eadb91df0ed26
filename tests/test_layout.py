"""The package's layout: imports flow one way along the data flow, and the docs stand on their own.

Layers, in order: registry (0) < scenarios (1) < model (2) < outputs (3, with the ``api`` and ``plateau``
re-exports) < experiments (4, with the ``sweep`` re-export) < analysis (5) < interfaces (6: ``figures``, ``cli``,
``app/``). A module may import from its own layer or an earlier one, never from a later one, at module level or
inside a function (a lazy import is still a dependency). ``vti_sim/__init__.py`` gathers the public API from
several layers and is exempt.

The docs stand on their own: nothing sends users to the project's private source folder, the ODD's citations lead
to ``docs/SOURCES.md``, and its code references name code that exists.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "vti_sim"

LAYERS = {
    "registry": 0, "_kernel_cache": 0,  # the compiled-kernel cache location is set before anything loads
    "scenarios": 1,
    "model": 2,
    "outputs": 3, "api": 3, "plateau": 3,
    "experiments": 4, "sweep": 4,
    "analysis": 5,
    "figures": 6, "figure_data": 6, "figure_workers": 6, "cli": 6, "app": 6,
}
LAYER_NAMES = ("registry", "scenarios", "model", "outputs", "experiments", "analysis", "interfaces")


def module_name(path: Path) -> str:
    """``vti_sim/model/agents.py`` -> ``vti_sim.model.agents``; a package's ``__init__`` is the package."""
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def layer_of(module: str) -> int | None:
    """The layer of a ``vti_sim`` module, or None for the package root and for modules outside vti_sim."""
    parts = module.split(".")
    if parts[0] != "vti_sim" or len(parts) == 1:
        return None
    if parts[1] not in LAYERS:
        raise AssertionError(f"{module}: not in any layer; add it to LAYERS in tests/test_layout.py")
    return LAYERS[parts[1]]


def _resolve(node: ast.ImportFrom, importer: str, is_package: bool) -> str:
    """The absolute module a ``from ... import`` names (relative imports resolved against the importer)."""
    if node.level == 0:
        return node.module or ""
    base = importer.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join(base + ([node.module] if node.module else []))


def _callee(call: ast.Call) -> str | None:
    return getattr(call.func, "attr", getattr(call.func, "id", None))


def imported_modules(source: str, importer: str, is_package: bool = False) -> list[tuple[int, str]]:
    """Every ``vti_sim`` module ``source`` imports, with its line: import statements anywhere in the file, and
    ``importlib.import_module("vti_sim...")`` calls with a literal name. ``from vti_sim import x`` counts as
    importing ``vti_sim.x`` when ``x`` is a layer's module or package, else as importing the package root;
    ``from vti_sim import __version__`` is metadata and counts as nothing."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            target = _resolve(node, importer, is_package)
            if target == "vti_sim":  # package metadata (``__version__``) belongs to no layer
                found += [(node.lineno, f"vti_sim.{a.name}" if a.name in LAYERS else "vti_sim") for a in node.names
                          if not (a.name.startswith("__") and a.name.endswith("__"))]
            else:
                found.append((node.lineno, target))
        elif (isinstance(node, ast.Call) and _callee(node) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.append((node.lineno, node.args[0].value))
    return [(line, m) for line, m in found if m == "vti_sim" or m.startswith("vti_sim.")]


def _root_layer() -> int:
    """Importing the package root pulls in everything ``vti_sim/__init__.py`` imports: its highest layer."""
    init = PACKAGE / "__init__.py"
    layers = [layer_of(m) for _, m in imported_modules(init.read_text(), "vti_sim", is_package=True)]
    return max(x for x in layers if x is not None)


def violations(path: Path, source: str | None = None) -> list[str]:
    importer = module_name(path)
    own = layer_of(importer)
    is_package = path.name == "__init__.py"
    out = []
    for line, target in imported_modules(path.read_text() if source is None else source, importer, is_package):
        theirs = _root_layer() if target == "vti_sim" else layer_of(target)
        if theirs is not None and theirs > own:
            out.append(f"{path.relative_to(ROOT)}:{line}: {importer} ({LAYER_NAMES[own]}) imports {target} "
                       f"({LAYER_NAMES[theirs]})")
    return out


MODULES = sorted(p for p in PACKAGE.rglob("*.py") if p != PACKAGE / "__init__.py")


def test_every_module_belongs_to_a_layer():
    assert MODULES, "no modules found under vti_sim/"
    for path in MODULES:
        assert layer_of(module_name(path)) is not None, path


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_from_a_later_layer(path):
    assert violations(path) == []


@pytest.mark.parametrize("snippet, where", [
    ("from ..analysis import patterns\n", "model/agents.py"),                     # relative, module level
    ("def f():\n    from vti_sim.experiments import sweep\n", "outputs/result.py"),  # lazy, absolute
    ("import vti_sim.figures\n", "analysis/patterns.py"),
    ("from vti_sim import run\n", "model/model.py"),                               # the root re-exports outputs
    ("from .. import cli\n", "experiments/runner.py"),
    ("import importlib\nimportlib.import_module('vti_sim.app.workshop')\n", "scenarios.py"),
])
def test_the_check_catches_an_upward_import(snippet, where):
    """The rule can fail: each of these imports reaches a later layer and must be reported."""
    found = violations(PACKAGE / where, source=snippet)
    assert len(found) == 1, found


@pytest.mark.parametrize("snippet, where", [
    ("from ..model.ledger import COLUMNS\nfrom ..registry import resolve\n", "outputs/result.py"),
    ("from . import workshop\nfrom ..analysis import patterns\n", "app/__init__.py"),
    ("from .design import build_design\n", "experiments/runner.py"),
    ("def provenance():\n    from .. import __version__\n", "outputs/result.py"),
])
def test_the_check_allows_imports_from_the_same_or_an_earlier_layer(snippet, where):
    assert violations(PACKAGE / where, source=snippet) == []


# ---- the docs stand on their own: users do not have the project's private source folder --------------------------

POINTERS_OUTSIDE = re.compile(r"\.\./shared|shared/seeds|shared/MODEL_BRIEF|MODEL_BRIEF\.md")
USER_FACING = sorted({*ROOT.glob("*.md"), *ROOT.glob("docs/**/*.md"), *ROOT.glob("benchmarks/**/*.md"),
                      *PACKAGE.rglob("*.py"), *ROOT.glob("scenarios/*.toml"), *ROOT.glob("experiments/*.toml")})


def test_docs_and_code_never_send_users_to_the_shared_folder():
    assert ROOT / "README.md" in USER_FACING and ROOT / "docs" / "ODD.md" in USER_FACING
    hits = [f"{p.relative_to(ROOT)}:{i}: {line.strip()}"
            for p in USER_FACING for i, line in enumerate(p.read_text().splitlines(), 1)
            if POINTERS_OUTSIDE.search(line)]
    assert hits == [], "cite docs/SOURCES.md instead:\n" + "\n".join(hits)


def test_readme_and_odd_cite_the_sources_page():
    sources = (ROOT / "docs" / "SOURCES.md").read_text()
    for seed, hal in (("000", "hal-04858925"), ("002", "hal-04618370"), ("003", "hal-04355998")):
        assert f'<a id="seed-{seed}"></a>' in sources and hal in sources
    assert "docs/SOURCES.md" in (ROOT / "README.md").read_text()
    odd = (ROOT / "docs" / "ODD.md").read_text()
    anchors = set(re.findall(r'<a id="([^"]+)"></a>', sources))
    links = set(re.findall(r"SOURCES\.md#([a-z0-9-]+)", odd))
    assert links and links <= anchors, links - anchors


# ---- the ODD's code references name code that exists -----------------------------------------------------------

CODE_DOCS = (ROOT / "docs" / "ODD.md", ROOT / "docs" / "SOURCES.md", ROOT / "benchmarks" / "README.md")
FLAT_MODULES = ("model", "agents", "phases", "portfolio", "governance", "time_budget", "value", "feedback", "outputs",
                "api", "plateau", "patterns", "sweep", "scenario_runs", "i18n", "echarts_widget")
FLAT_REFERENCE = re.compile(r"`(?:" + "|".join(FLAT_MODULES) + r"):[A-Za-z_][\w.]*`")


def _lookup(module: str, name: str | None):
    import importlib

    obj = importlib.import_module(module)
    for part in (name.split(".") if name else ()):
        obj = getattr(obj, part)
    return obj


def test_code_references_in_the_docs_resolve():
    """``layer.module:name`` and ``vti_sim/<path>.py:name`` references point at code that exists; the flat names
    of 0.1 (``agents:Residents.receive``, ``vti_sim/model.py``) are gone."""
    checked, broken = 0, []
    for doc in CODE_DOCS:
        text = doc.read_text()
        refs = [("vti_sim." + m[1], m[2]) for m in re.finditer(
            r"`((?:model|outputs|experiments|analysis|app)\.[a-z_]+|registry|scenarios|figures|cli):([A-Za-z_][\w.]*)`",
            text)]
        for m in re.finditer(r"vti_sim/([a-z_/]+)\.py(?::([A-Za-z_][\w.]*))?", text):
            if not (PACKAGE / f"{m[1]}.py").is_file():
                broken.append(f"{doc.name}: vti_sim/{m[1]}.py: no such file")
            elif m[2]:
                refs.append(("vti_sim." + m[1].replace("/", "."), m[2]))
        broken += [f"{doc.name}: {m[0]}: a 0.1 module name; write `layer.module:name`"
                   for m in FLAT_REFERENCE.finditer(text)]
        for module, name in refs:
            checked += 1
            try:
                _lookup(module, name)
            except (ImportError, AttributeError) as e:
                broken.append(f"{doc.name}: {module}:{name}: {e}")
    assert checked > 100, checked
    assert broken == [], "\n".join(broken)
