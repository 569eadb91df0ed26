"""The ``vti-sim`` command line: one sub-command per task, all reading the parameter registry."""

from __future__ import annotations

import json
import signal
import sys
import threading

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
def params(format: str = typer.Option("table", "--format", help="table or json"),
           kind: str = typer.Option(None, "--kind", help="only this kind: lever, context or assumption")) -> None:
    """Print the parameter registry: name, default, bounds, unit, kind, meaning and source."""
    if kind is not None and kind not in registry.KINDS:
        fail(f"--kind: got {kind!r}; allowed: {', '.join(registry.KINDS)}")
    if format not in ("table", "json"):
        fail(f"--format: got {format!r}; allowed: table, json")
    if format == "json":
        typer.echo(json.dumps(registry.records(kind), indent=2))
        return
    rows = [("name", "default", "min", "max", "unit", "kind", "meaning")]
    for p in registry.PARAMETERS if kind is None else registry.of_kind(kind):
        lo = "" if p.min is None else f"{p.min:g}"
        hi = "" if p.max is None else f"{p.max:g}"
        if p.dtype == "choice":
            lo, hi = "", "|".join(p.choices)
        rows.append((p.name, str(p.default), lo, hi, p.unit, p.kind, p.doc))
    widths = [max(len(r[i]) for r in rows) for i in range(6)]
    for r in rows:
        typer.echo("  ".join(c.ljust(w) for c, w in zip(r[:6], widths, strict=False)) + "  " + r[6])


@app.command()
def patterns(replicates: int = typer.Option(8, "--replicates", "-r", min=2, help="paired replicates per arm"),
             seed: int = typer.Option(0, "--seed", help="first replicate seed"),
             as_json: bool = typer.Option(False, "--json", help="print JSON instead of a table")) -> None:
    """Test the thesis propositions R1-R6 and the synthesis (S1, S2) at the default and failing contexts.

    Each line gives the paired effect (arm A - arm B, in the predicted direction), its size relative to the
    phenomenon at the default context, the bootstrap 95% interval, the Wilcoxon p-value and the status by the
    one verdict rule (holds / fails / inconclusive; see `vti-sim propositions` for the full report).
    """
    from .analysis.patterns import PATTERNS, evaluate

    rows = []
    for key, pat in PATTERNS.items():
        for failing in (False, True):
            r = evaluate(key, failing=failing, replicates=replicates, seed=seed)
            lo, hi = r.ci()
            rows.append({"pattern": key, "context": "failing" if failing else "default", "metric": pat.outcome,
                         "effect": r.effect, "relative": r.relative_effect, "ci_low": lo, "ci_high": hi,
                         "wilcoxon_p": r.wilcoxon_p, "cohens_dz": r.cohens_dz, "holds": r.holds,
                         "status": r.status, "replicates": replicates})
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    typer.echo(f"{'':4}{'context':9}{'metric':28}{'effect':>10}{'relative':>10}{'95% CI':>24}{'Wilcoxon p':>12}"
               "  status")
    for r in rows:
        ci = f"[{r['ci_low']:.3g}, {r['ci_high']:.3g}]"
        typer.echo(f"{r['pattern']:4}{r['context']:9}{r['metric']:28}{r['effect']:10.3g}{r['relative']:10.2%}"
                   f"{ci:>24}{r['wilcoxon_p']:12.3g}  {r['status']}")


# --- run / compare commands (scenarios, issue 3) ---
_RUN_EPILOG = """\b
Examples:
  vti-sim run angers                          # one run, seed 0 -> results/angers-seed0/
  vti-sim run biarritz --seed 3 --months 72   # one mandate only
  vti-sim run global --set facilitation_fte=3 --set openness_start=launch
  vti-sim run scenarios/my_case.toml --replicates 20 --out results/my_case
\b
Scenarios: a name from ./scenarios/ or the repository's scenarios/ (angers, mulhouse, biarritz,
global, incremental, technocentric, open_with_resources, open_without_resources), or a .toml path.
Replicate seeds: replicate 0 uses --seed itself (so -r 1 equals a plain run); replicate k>=1 uses
int(numpy.random.SeedSequence(seed).spawn(R)[k].generate_state(1)[0]).
Writes timeseries.csv/.parquet, summary.json, run.json (provenance), missions.csv and figures/*.png."""

_COMPARE_EPILOG = """\b
Examples:
  vti-sim compare global open_with_resources open_without_resources
  vti-sim compare technocentric open_with_resources --replicates 20 --months 72
  vti-sim compare angers mulhouse biarritz --set annual_budget_meur=10 --out results/cases
\b
Every scenario runs with the same replicate seeds (see `vti-sim run --help`), so differences vs
the first scenario are paired by replicate; the interval is a 95% t-interval over replicates."""


def _seed_option() -> typer.models.OptionInfo:
    return typer.Option("0", "--seed", metavar="N", help="base random seed (integer >= 0)")


def _parse_counts(seed: str, replicates: str) -> tuple[int, int]:
    from .experiments.replicates import parse_int

    return (parse_int(seed, "--seed", minimum=0, maximum=2**63 - 1),
            parse_int(replicates, "--replicates", minimum=1, maximum=100_000))


def _interrupted(what: str) -> None:
    """Ctrl-C: one line, exit 130 (the shell's code for SIGINT)."""
    typer.echo(f"vti-sim: interrupted; {what}", err=True)
    raise typer.Exit(code=130)


@app.command("run", epilog=_RUN_EPILOG)
def run_command(
    scenario: str = typer.Argument(..., help="scenario name or path to a .toml file"),
    seed: str = _seed_option(),
    months: str = typer.Option(None, "--months", metavar="M", help="simulated months (overrides the scenario)"),
    set_: list[str] = typer.Option(None, "--set", metavar="NAME=VALUE",
                                   help="override one registry parameter; repeatable; wins over the scenario"),
    replicates: str = typer.Option("1", "--replicates", "-r", metavar="R", help="replicates (default 1)"),
    out: str = typer.Option(None, "--out", metavar="DIR",
                            help="output directory (default results/<scenario>-seed<N>, or "
                                 "results/<scenario>-r<R> with replicates; -seed<N>-r<R> if N != 0)"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
) -> None:
    """Run one scenario (optionally with replicates) and write its outputs and figures."""
    from .figure_workers import FigureWorkers

    with FigureWorkers() as painter:  # started first: it loads matplotlib while this process loads the model
        _run(painter, scenario, seed, months, set_, replicates, out, quiet)


def _run(painter, scenario, seed, months, set_, replicates, out, quiet) -> None:
    from pathlib import Path

    from .experiments import replicates as sr

    try:
        seed_n, reps = _parse_counts(seed, replicates)
        plan = sr.plan(scenario, seed=seed_n, months=months, sets=set_ or [], replicates=reps)
        if out:
            outdir = Path(out)
        elif reps == 1:
            outdir = Path("results") / f"{plan.name}-seed{seed_n}"
        else:
            outdir = Path("results") / (f"{plan.name}-r{reps}" if seed_n == 0 else f"{plan.name}-seed{seed_n}-r{reps}")
        sr.check_outdir(outdir)
    except registry.ParameterError as e:
        fail(str(e))
    try:
        results = sr.execute(plan, progress=not quiet)
        with sr.atomic_dir(outdir) as tmp, painter.drawing([results], tmp / "figures", labels=[plan.scenario.name]):
            sr.write_run(plan, results, tmp, sys.argv)
    except KeyboardInterrupt:
        _interrupted(f"nothing was written to {outdir}")
    except registry.ParameterError as e:  # the directory changed while the runs were computed
        fail(str(e))
    typer.echo(f"outputs: {outdir}")
    typer.echo(f"figures: {outdir / 'figures'}")


@app.command("compare", epilog=_COMPARE_EPILOG)
def compare_command(
    scenarios: list[str] = typer.Argument(..., help="two or more scenario names or paths; the first is the baseline"),
    seed: str = _seed_option(),
    months: str = typer.Option(None, "--months", metavar="M", help="simulated months (overrides the scenarios)"),
    set_: list[str] = typer.Option(None, "--set", metavar="NAME=VALUE",
                                   help="override one registry parameter in every scenario; repeatable"),
    replicates: str = typer.Option("5", "--replicates", "-r", metavar="R",
                                   help="replicates per scenario (default 5; at least 2 for intervals)"),
    out: str = typer.Option(None, "--out", metavar="DIR", help="output directory (default results/compare-<a>-<b>...)"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
) -> None:
    """Overlay scenarios on the same figures and tabulate summary differences vs the first one."""
    from .figure_workers import FigureWorkers

    with FigureWorkers() as painter:  # started first: it loads matplotlib while this process loads the model
        _compare(painter, scenarios, seed, months, set_, replicates, out, quiet)


def _compare(painter, scenarios, seed, months, set_, replicates, out, quiet) -> None:
    from pathlib import Path

    from .experiments import replicates as sr

    if len(scenarios) < 2:
        fail("compare: give at least two scenarios (the first is the baseline)")
    try:
        seed_n, reps = _parse_counts(seed, replicates)
        plans = [sr.plan(s, seed=seed_n, months=months, sets=set_ or [], replicates=reps) for s in scenarios]
        outdir = Path(out) if out else Path("results") / ("compare-" + "-".join(p.name for p in plans))
        sr.check_outdir(outdir)
    except registry.ParameterError as e:
        fail(str(e))
    from .outputs.result import to_json

    names = [p.scenario.name for p in plans]
    names = [n if names.count(n) == 1 else f"{n}#{i + 1}" for i, n in enumerate(names)]  # same scenario twice
    try:
        groups = [sr.execute(p, progress=not quiet, desc=f"{p.name} ({i + 1}/{len(plans)})")
                  for i, p in enumerate(plans)]
        table = sr.compare_table(groups, names)
        with sr.atomic_dir(outdir, command="compare") as tmp, painter.drawing(groups, tmp / "figures", labels=names):
            table.to_csv(tmp / "compare.csv", index=False)
            summary = {n: {"median": sr.median_summary(g), "replicates": [r.summary for r in g]}
                       for n, g in zip(names, groups, strict=True)}
            (tmp / "summary.json").write_text(to_json(summary), encoding="utf-8")
            record = {"command": sys.argv, "baseline": names[0], "replicates": reps,
                      "replicate_seeds": plans[0].seeds, "seed_derivation": sr.SEED_DERIVATION,
                      "runs": {n: sr.run_record(p, sys.argv) for n, p in zip(names, plans, strict=True)}}
            (tmp / "run.json").write_text(to_json(record), encoding="utf-8")
    except KeyboardInterrupt:
        _interrupted(f"nothing was written to {outdir}")
    except registry.ParameterError as e:
        fail(str(e))
    typer.echo(f"Differences vs {names[0]} (mean over {reps} paired replicates, 95% t-interval):")
    typer.echo(sr.format_table(table))
    typer.echo(f"table: {outdir / 'compare.csv'}")
    typer.echo(f"figures: {outdir / 'figures'}")


# --- sweep command (issue 4) ---
@app.command("sweep")
def sweep_command(
    experiment: str = typer.Argument(..., help="experiment TOML file (see experiments/)"),
    workers: int = typer.Option(None, "--workers", help="local worker processes (default: CPU count)"),
    scheduler: str = typer.Option(None, "--scheduler", help="existing Dask scheduler, e.g. tcp://HOST:PORT"),
    out: str = typer.Option(None, "--out", help="output directory (default: results/sweep-<name>)"),
    max_runs: int = typer.Option(None, "--max-runs", metavar="N",
                                 help="refuse designs of more than N runs (default 10,000,000)"),
    worker_timeout: float = typer.Option(60.0, "--worker-timeout", metavar="S",
                                         help="seconds to wait for a live Dask worker, or for a local worker "
                                              "that uses no CPU, before stopping or replacing it"),
    connect_timeout: float = typer.Option(20.0, "--connect-timeout", metavar="S",
                                          help="seconds for --scheduler to answer as a Dask scheduler"),
    quiet: bool = typer.Option(False, "--quiet", help="no progress bar"),
) -> None:
    """Run a parameter sweep (local worker processes, or Dask with --scheduler); rerun the same command to resume.

    Exit codes: 0 done, 2 bad input (nothing written), 1 stopped mid-way (rerun to resume), 130 Ctrl-C."""
    from pathlib import Path

    from .experiments import (  # not `from . import sweep`: the package exports sweep()
        SweepError,
        load_experiment,
        sweep,
    )
    from .experiments.experiment import DEFAULT_MAX_RUNS, SweepStopped

    if workers is not None and scheduler is not None:
        fail("--workers and --scheduler: give one or the other")
    if workers is not None and workers < 1:
        fail(f"--workers: got {workers}; allowed: an integer >= 1")
    if max_runs is not None and max_runs < 1:
        fail(f"--max-runs: got {max_runs}; allowed: an integer >= 1")
    for name, value in (("--worker-timeout", worker_timeout), ("--connect-timeout", connect_timeout)):
        if not 0 < value < 1e6:
            fail(f"{name}: got {value}; allowed: a number of seconds > 0")
    if not Path(experiment).exists():
        fail(f"{experiment}: experiment file not found")
    cap = max_runs or DEFAULT_MAX_RUNS
    try:
        exp = load_experiment(experiment, max_runs=cap)
        result = sweep(exp, workers=workers, scheduler=scheduler, out=out, progress=not quiet, max_runs=cap,
                       worker_timeout=worker_timeout, connect_timeout=connect_timeout)
    except SweepStopped as e:
        typer.echo(f"vti-sim: error: {e}", err=True)
        raise typer.Exit(code=1) from None
    except (registry.ParameterError, SweepError) as e:
        fail(str(e))
    except OSError as e:  # e.g. the disk filled up mid-sweep: the chunks written so far are kept
        typer.echo(f"vti-sim: error: cannot write the sweep ({e}); rerun the same command to resume", err=True)
        raise typer.Exit(code=1) from None
    except KeyboardInterrupt:
        _interrupted("rerun the same command to resume")
    if not quiet:
        typer.echo(f"{result}")


# --- sensitivity command (issue 11) ---
@app.command("sensitivity")
def sensitivity_command(
    experiment: str = typer.Argument(..., help="experiment TOML file with an [analysis] table (see experiments/)"),
    workers: int = typer.Option(None, "--workers", help="local worker processes (default: CPU count)"),
    scheduler: str = typer.Option(None, "--scheduler", help="existing Dask scheduler, e.g. tcp://HOST:PORT"),
    out: str = typer.Option(None, "--out", help="report directory (default: results/<kind>-<name>)"),
    quiet: bool = typer.Option(False, "--quiet", help="no progress bar"),
) -> None:
    """Sensitivity indices, open-vs-proactive discovery or plateau maps: runs (resumable) + report in one command."""
    from pathlib import Path

    from .analysis.workflow import analyse

    _check_where(workers, scheduler)
    if not Path(experiment).is_file():
        fail(f"{experiment}: experiment file not found")
    _report(lambda: analyse(experiment, workers=workers, scheduler=scheduler, out=out, progress=not quiet), scheduler)


def _check_where(workers: int | None, scheduler: str | None) -> None:
    if workers is not None and scheduler is not None:
        fail("--workers and --scheduler: give one or the other")
    if workers is not None and workers < 1:
        fail(f"--workers: got {workers}; allowed: an integer >= 1")


def _report(job, scheduler: str | None) -> None:
    """Run a report-writing job with the CLI's error contract: bad input or a stopped sweep is one line, exit 2
    (or 1); Ctrl-C is one line, exit 130; the report's path on success."""
    from .experiments import SweepError

    try:
        result = job()
    except (registry.ParameterError, SweepError) as e:
        fail(str(e))
    except OSError as e:
        if scheduler is not None:
            fail(f"--scheduler: cannot connect to {scheduler} ({e})")
        raise
    except KeyboardInterrupt:
        typer.echo("vti-sim: interrupted; rerun the same command to resume", err=True)
        raise typer.Exit(code=130) from None
    typer.echo(f"report: {result / 'REPORT.md'}")


# --- propositions command (issue 12) ---
@app.command("propositions")
def propositions_command(
    directory: str = typer.Option("experiments/propositions", "--dir", help="propositions directory (study.toml + "
                                  "one file per proposition)"),
    quick: bool = typer.Option(False, "--quick", help="the same stages, smaller ([quick] in study.toml; ~3 min)"),
    only: list[str] = typer.Option(None, "--only", help="only these propositions (repeatable), e.g. --only R1"),
    workers: int = typer.Option(None, "--workers", help="local worker processes (default: CPU count)"),
    scheduler: str = typer.Option(None, "--scheduler", help="existing Dask scheduler, e.g. tcp://HOST:PORT"),
    out: str = typer.Option(None, "--out", help="report directory (default: results/propositions, or "
                                                "results/propositions-quick with --quick)"),
    quiet: bool = typer.Option(False, "--quiet", help="no progress bar"),
) -> None:
    """Test every thesis proposition: verdicts, effects with bootstrap CIs, Wilcoxon tests, where each fails (PRIM)
    and which assumptions it rests on (one-at-a-time bounds, Sobol'), in REPORT.md with CSVs and figures."""
    from pathlib import Path

    from .analysis.propositions import analyse

    _check_where(workers, scheduler)
    if not Path(directory).is_dir():
        fail(f"{directory}: --dir: not a directory; allowed: a propositions directory like experiments/propositions")
    _report(lambda: analyse(directory, quick=quick, workers=workers, scheduler=scheduler, out=out, only=only or None,
                            progress=not quiet), scheduler)


# --- workshop command (issue 5) ---
@app.command()
def workshop(host: str = typer.Option("127.0.0.1", "--host", help="address to bind (default: this machine only)"),
             port: int = typer.Option(8765, "--port", help="port to serve on"),
             lang: str = typer.Option("fr", "--lang", help="starting language: fr or en (switchable in the app)"),
             open_browser: bool = typer.Option(False, "--open/--no-open", help="open a browser tab")) -> None:
    """Serve the workshop app (a Solara page over the Mesa model) at http://HOST:PORT; Ctrl+C stops it."""
    import os

    from .app import assets, i18n

    if lang not in i18n.LANGS:
        fail(f"--lang: got {lang!r}; allowed: {', '.join(i18n.LANGS)}")
    if not 0 < port < 65536:
        fail(f"--port: got {port}; allowed: 1-65535")
    url_host = f"[{host}]" if ":" in host else host
    if not _loopback(host):
        typer.echo(f"vti-sim workshop: warning: --host {host} serves this page to the network: anyone who can reach "
                   f"port {port} can use it without a password and make this machine run simulations; use the "
                   "default 127.0.0.1 unless every machine on that network is trusted", err=True)
    gone = assets.missing()
    if gone:  # offline, Solara would try a CDN for each file and the page would stay blank
        which = ", ".join(gone) if len(gone) < len(assets.PACKAGES) else "all of them"
        fail(f"the workshop page's browser files are missing from {assets.cache_dir()} ({which}); "
             f"{assets.fix_hint()}")
    typer.echo("vti-sim workshop: preparing the model (the first start after an install compiles it)...", err=True)
    from .app.player import warm_up

    warm_up()  # compiled kernels land in numba's cache, so the server loads them in about a second
    cmd = [sys.executable, "-m", "solara", "run", "vti_sim.app.workshop", "--host", host, "--port", str(port),
           "--production", "--open" if open_browser else "--no-open", "--no-check-version"]
    # Solara warns at each page load that cookies with samesite=none need https (a concern when embedding the page
    # in an iframe, not for a page served to this machine's browser): 12 lines each time in the trainer's terminal
    quiet = "ignore:Cookies with samesite=none require https:UserWarning"
    env = {**os.environ, "VTI_SIM_LANG": lang, "SOLARA_THEME_SHOW_BANNER": "false",
           "SOLARA_THEME_TITLE": i18n.t("title", lang),
           "PYTHONWARNINGS": ",".join(w for w in (os.environ.get("PYTHONWARNINGS"), quiet) if w)}
    typer.echo(f"vti-sim workshop: serving on http://{url_host}:{port} (Ctrl+C to stop)", err=True)
    if os.name == "posix":  # the server takes this process's place, so stopping one stops the other
        sys.stdout.flush()
        sys.stderr.flush()
        os.execvpe(cmd[0], cmd, env)
        return  # exec does not return; reached only where it is stubbed (tests)
    import subprocess

    try:
        raise typer.Exit(code=subprocess.call(cmd, env=env))
    except KeyboardInterrupt:
        raise typer.Exit(code=130) from None

def _loopback(host: str) -> bool:
    """True if ``host`` only accepts connections from this machine."""
    import ipaddress

    if host.lower() in ("localhost", "localhost.localdomain", "ip6-localhost"):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def _terminate_as_interrupt() -> None:
    """``kill PID`` (SIGTERM: what batch schedulers such as SLURM send at a job's time limit) stops a command the
    way Ctrl-C does: one line, exit 130, nothing half-written, a sweep resumable.  Without this, Python dies at
    once, leaving lock files and a warning about leaked semaphores."""
    if signal.getsignal(signal.SIGTERM) is signal.SIG_DFL and threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGTERM, _raise_interrupt)


def _raise_interrupt(signum, frame) -> None:
    raise KeyboardInterrupt


def main() -> None:
    _terminate_as_interrupt()
    try:
        app()
    except registry.ParameterError as e:
        typer.echo(f"vti-sim: error: {e}", err=True)
        sys.exit(2)


if __name__ == "__main__":
    main()
