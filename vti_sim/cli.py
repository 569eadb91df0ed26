"""The ``vti-sim`` command line: one sub-command per task, all reading the parameter registry."""

from __future__ import annotations

import json
import sys

import typer

from . import registry

app = typer.Typer(add_completion=False, no_args_is_help=True, rich_markup_mode=None,
                  help="vti-sim: agent-based model of smart-city (VTI) policy steering.\n\n"
                       "Examples:\n\n  vti-sim params\n\n  vti-sim run angers --seed 1\n\n"
                       "  vti-sim compare global open_with_resources --replicates 5\n\n"
                       "  vti-sim sweep experiments/smoke.toml --workers 2\n\n  vti-sim workshop")


@app.callback()
def _root() -> None:
    """vti-sim: agent-based model of smart-city (VTI) policy steering."""


def fail(message: str) -> None:
    """Bad input: one line on stderr, exit code 2, nothing written."""
    typer.echo(f"vti-sim: error: {message}", err=True)
    raise typer.Exit(code=2)


@app.command()
def params(format: str = typer.Option("table", "--format", help="table or json")) -> None:
    """Print the parameter registry: name, default, bounds, unit, kind, meaning and source."""
    if format == "json":
        out = []
        for p in registry.PARAMETERS:
            rec = p.record()
            rec["doc"] = p.doc
            out.append(rec)
        typer.echo(json.dumps(out, indent=2))
        return
    if format != "table":
        fail(f"--format: got {format!r}; allowed: table, json")
    rows = [("name", "default", "min", "max", "unit", "kind", "meaning")]
    for p in registry.PARAMETERS:
        lo = "" if p.min is None else f"{p.min:g}"
        hi = "" if p.max is None else f"{p.max:g}"
        if p.dtype == "choice":
            lo, hi = "", "|".join(p.choices)
        rows.append((p.name, str(p.default), lo, hi, p.unit, p.kind, p.doc))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    for r in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(r[:6], widths, strict=False)) + "  " + r[6])


# --- run / compare commands (scenarios, issue 3) ---

# --- sweep command (issue 4) ---

# --- workshop command (issue 5) ---


def main() -> None:
    try:
        app()
    except registry.ParameterError as e:
        typer.echo(f"vti-sim: error: {e}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
