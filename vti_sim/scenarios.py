"""Scenario files: named, commented parameter sets in ``scenarios/*.toml``.

A scenario file looks like::

    # one-line purpose
    name = "angers"
    description = "Angers Loire Métropole ..."
    extends = "global"            # optional: another scenario name or a relative path
    [params]
    annual_budget_meur = 15.6     # seed 000/001: EUR 93.6M line over a 6-year mandate

Only parameters declared in :mod:`vti_sim.registry` may appear under ``[params]``;
every value is validated and coerced by the registry.  ``extends`` chains are
merged parent first, so a child's value wins.  Errors raise
:class:`~vti_sim.registry.ParameterError` naming the file, the line of the key
and what is allowed, e.g. ``scenarios/x.toml:7: facilitation_fte: got -1.0; allowed: ...``.

Where names are looked up: ``./scenarios/`` in the current directory first (so a
user can add or shadow scenarios), then the repository's ``scenarios/``
(:data:`SCENARIO_DIR`).  A name containing ``/`` or ending in ``.toml`` is a path.
"""

from __future__ import annotations

import difflib
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .registry import REGISTRY, ParameterError, _show, validate

SCENARIO_DIR = Path(__file__).resolve().parent.parent / "scenarios"
TOP_LEVEL_KEYS = ("name", "description", "extends", "params")

_HEADER = re.compile(r"^\s*\[\s*([A-Za-z0-9_.\"'-]+)\s*\]\s*(#.*)?$")
_DOTTED_KEY = re.compile(r"^\s*([\"']?[A-Za-z0-9_-]+[\"']?(?:\s*\.\s*[\"']?[A-Za-z0-9_-]+[\"']?)*)\s*=")
_INLINE_KEY = re.compile(r"[{,]\s*[\"']?([A-Za-z0-9_-]+)[\"']?\s*=")
_TOML_POS = re.compile(r"\s*\(at line (\d+), column (\d+)\)\s*$")


@dataclass(frozen=True)
class Scenario:
    """A loaded scenario: validated parameters merged along its ``extends`` chain."""

    name: str
    description: str
    params: dict[str, Any]
    path: Path | None
    chain: tuple[str, ...] = field(default_factory=tuple)  # this scenario first, then its parents


def search_dirs() -> list[Path]:
    """Directories searched for scenario names: ``./scenarios`` then the repository's ``scenarios/``."""
    out: list[Path] = []
    for d in (Path.cwd() / "scenarios", SCENARIO_DIR):
        if d.is_dir() and all(d.resolve() != o.resolve() for o in out):
            out.append(d)
    return out


def list_scenarios() -> list[str]:
    """Names of the scenarios that can be loaded by name."""
    return sorted({p.stem for d in search_dirs() for p in d.glob("*.toml")})


def load_scenario(name_or_path: str | Path) -> Scenario:
    """Load a scenario by name (``"angers"``) or path (``"my/case.toml"``)."""
    path = _locate(name_or_path, base=None, source=None, line=None)
    return _load(path, seen=())


def _is_path(ref: str | Path) -> bool:
    if isinstance(ref, Path):
        return True
    return "/" in ref or "\\" in ref or ref.endswith(".toml")


def _locate(ref: str | Path, *, base: Path | None, source: str | None, line: int | None) -> Path:
    """Resolve a scenario reference to an existing file, or raise a ParameterError saying what exists."""
    field_name = "extends" if base is not None else "scenario"
    available = ", ".join(list_scenarios()) or "none"
    if not isinstance(ref, str | Path) or (isinstance(ref, str) and not ref.strip()):
        raise ParameterError(field_name, f"got {ref!r}; allowed: a scenario name ({available}) or a .toml path",
                             source=source or "scenario", line=line)
    if any(len(part) > 255 for part in Path(ref).parts):  # no file system takes such a name (ENAMETOOLONG)
        raise ParameterError(field_name, f"got {_show(str(ref))} ({len(str(ref))} characters); allowed: a scenario "
                                         f"name ({available}) or a .toml path", source=source or "arguments", line=line)
    if _is_path(ref):
        path = Path(ref)
        if base is not None and not path.is_absolute():
            path = base / path
        if path.is_file():
            return path
        if path.is_dir():
            raise ParameterError(field_name, f"{str(path)!r} is a directory; allowed: a scenario .toml file or a "
                                             f"name ({available})", source=source or str(path), line=line)
        raise ParameterError(field_name, f"file {str(path)!r} not found; available scenarios: {available}",
                             source=source or str(path), line=line)
    dirs = ([base] if base is not None else []) + search_dirs()
    for d in dirs:
        candidate = d / f"{ref}.toml"
        if candidate.is_file():
            return candidate
    where = source or str(SCENARIO_DIR / f"{ref}.toml")
    if base is None and Path(ref).is_dir():
        raise ParameterError(field_name, f"{ref!r} is a directory; allowed: a scenario name ({available}) or a "
                                         ".toml file", source=ref, line=line)
    raise ParameterError(field_name, f"no scenario named {ref!r}; available: {available} (or give a path to a "
                                     f".toml file)", source=where, line=line)


def _load(path: Path, seen: tuple[Path, ...]) -> Scenario:
    source = str(path)
    real = path.resolve()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as e:
        raise ParameterError("scenario", f"cannot read file: {e}", source=source) from None
    try:
        data = tomllib.loads(text)
    except RecursionError:
        raise ParameterError("toml", "syntax error: arrays or tables nesting too deep", source=source) from None
    except tomllib.TOMLDecodeError as e:
        msg = str(e)
        m = _TOML_POS.search(msg)
        line = int(m.group(1)) if m else getattr(e, "lineno", None)
        reason = _TOML_POS.sub("", msg) if m else msg
        raise ParameterError("toml", f"syntax error: {reason}", source=source, line=line) from None
    if not data:
        raise ParameterError("scenario", "the file is empty; allowed: a name, a description, an optional extends "
                                         "and a [params] table (see scenarios/global.toml)", source=source)
    lines = key_lines(text)
    top = lines.get("", {})

    for key, value in data.items():
        if key not in TOP_LEVEL_KEYS:
            raise ParameterError(key, f"unknown top-level key; allowed: {', '.join(TOP_LEVEL_KEYS[:3])} and a "
                                      "[params] table of registry parameters", source=source, line=top.get(key))
        if key == "params":
            if not isinstance(value, dict):
                raise ParameterError("params", "must be a table: write [params] then one `name = value` a line",
                                     source=source, line=top.get(key))
        elif not isinstance(value, str):
            raise ParameterError(key, f"got {type(value).__name__} {_show(value)}; allowed: a string",
                                 source=source, line=top.get(key))

    raw = data.get("params", {})
    plines = lines.get("params", {})
    for key, value in raw.items():  # TOML is typed: a quoted number is a wrong type, not a number
        p = REGISTRY.get(key)
        if p is None:
            raise unknown_parameter(key, source=source, line=plines.get(key))
        if p is not None and p.dtype != "choice" and isinstance(value, str):
            raise ParameterError(key, f"got string {_show(value)}; allowed: {p.allowed()} "
                                 "(write numbers without quotes)", source=source, line=plines.get(key))
    own = validate(raw, source=source, lines=plines)

    name = data.get("name", path.stem)
    description = data.get("description", "")
    params: dict[str, Any] = {}
    chain: tuple[str, ...] = (name,)
    if "extends" in data:
        line = top.get("extends")
        parent_path = _locate(data["extends"], base=path.parent, source=source, line=line)
        if parent_path.resolve() in (*seen, real):
            cycle = " -> ".join(str(p) for p in (*seen, real, parent_path.resolve()))
            raise ParameterError("extends", f"cycle in extends chain: {cycle}", source=source, line=line)
        parent = _load(parent_path, seen=(*seen, real))
        params.update(parent.params)
        chain = (name, *parent.chain)
    params.update(own)
    return Scenario(name=name, description=description, params=params, path=path, chain=chain)


def unknown_parameter(name: str, *, source: str, line: int | None = None) -> ParameterError:
    """The error for a name that is not in the registry, with the closest registry names as a hint."""
    close = difflib.get_close_matches(name, list(REGISTRY), n=3, cutoff=0.6)
    hint = f"did you mean {' or '.join(close)}? " if close else ""
    return ParameterError(name, f"unknown parameter; {hint}see `vti-sim params` for the allowed names",
                          source=source, line=line)


def key_lines(text: str) -> dict[str, dict[str, int]]:
    """Line number (1-based) of the first ``key =`` in each table; the top level is table ``""``.

    Dotted keys (``params.x = 1``, or ``a.b = 1`` under ``[params]``) and inline tables
    (``params = { x = 1 }``) count for the tables they fill."""
    out: dict[str, dict[str, int]] = {"": {}}
    table = ""
    in_multiline = False
    for i, line in enumerate(text.splitlines(), start=1):
        if line.count('"""') % 2 == 1 or line.count("'''") % 2 == 1:
            in_multiline = not in_multiline
            if not in_multiline:
                continue
        elif in_multiline:
            continue
        h = _HEADER.match(line)
        if h:
            table = ".".join(part.strip().strip("\"'") for part in h.group(1).split("."))
            out.setdefault(table, {})
            continue
        k = _DOTTED_KEY.match(line)
        if k:
            parts = [part.strip().strip("\"'") for part in k.group(1).split(".")]
            where = table
            for part in parts:
                out.setdefault(where, {}).setdefault(part, i)
                where = f"{where}.{part}" if where else part
            rest = line[k.end():].lstrip()
            if rest.startswith("{"):
                for inner in _INLINE_KEY.findall(rest):
                    out.setdefault(where, {}).setdefault(inner, i)
    return out


__all__ = ["SCENARIO_DIR", "Scenario", "key_lines", "list_scenarios", "load_scenario", "search_dirs",
           "unknown_parameter"]
