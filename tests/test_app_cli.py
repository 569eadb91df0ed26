"""``vti-sim workshop`` before it serves, and the script that fills Solara's asset cache (issue 13, offline)."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytest.importorskip("solara")

from vti_sim.app import assets  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "fetch_solara_assets.sh"


def _env(cache: Path, **extra) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "SOLARA_ASSETS_PROXY_CACHE_DIR": str(cache), **extra}


def _fill(cache: Path, packages=assets.PACKAGES) -> None:
    for spec in packages:
        (cache / spec).mkdir(parents=True, exist_ok=True)
        (cache / spec / "package.json").write_text("{}")


def test_workshop_without_browser_files_says_how_to_fix_in_one_line_and_exits_2(tmp_path):
    cache = tmp_path / "cdn"
    _fill(cache, assets.PACKAGES[:2])
    t0 = time.monotonic()
    out = subprocess.run([sys.executable, "-m", "vti_sim.cli", "workshop", "--port", "8799"], cwd=ROOT,
                         env=_env(cache), capture_output=True, text=True, timeout=120)
    assert out.returncode == 2, out.stderr
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert str(cache) in lines[0] and "fetch_solara_assets.sh" in lines[0]
    for spec in assets.PACKAGES[2:]:
        assert spec in lines[0]
    assert "serving" not in out.stderr and time.monotonic() - t0 < 60  # it never started a server


def test_workshop_rejects_a_bad_language_before_anything_else(tmp_path):
    out = subprocess.run([sys.executable, "-m", "vti_sim.cli", "workshop", "--lang", "de"], cwd=ROOT,
                         env=_env(tmp_path), capture_output=True, text=True, timeout=120)
    assert out.returncode == 2 and "--lang" in out.stderr and "fr, en" in out.stderr


def test_assets_module_reports_what_is_missing(tmp_path):
    _fill(tmp_path)
    assert assets.missing(tmp_path) == []
    (tmp_path / assets.PACKAGES[0] / "package.json").unlink()  # a half-copied package counts as missing
    assert assets.missing(tmp_path) == [assets.PACKAGES[0]]


@pytest.mark.skipif(not Path("/bin/bash").exists(), reason="needs bash")
def test_fetch_script_is_idempotent_and_fast_when_cached(tmp_path):
    cache = tmp_path / "cdn"
    _fill(cache)
    before = {p: p.stat().st_mtime_ns for p in cache.rglob("*")}
    out = subprocess.run(["bash", str(SCRIPT), sys.executable], cwd=ROOT, env=_env(cache, PATH="/usr/bin:/bin"),
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert f"all {len(assets.PACKAGES)} packages cached" in out.stdout
    assert {p: p.stat().st_mtime_ns for p in cache.rglob("*")} == before  # nothing rewritten


def test_fetch_script_without_npm_says_so_and_writes_nothing(tmp_path):
    cache = tmp_path / "cdn"
    _fill(cache, assets.PACKAGES[1:])
    bin_dir = tmp_path / "bin"  # a PATH with bash and python but no npm
    bin_dir.mkdir()
    for tool in ("bash", "mktemp", "ls", "head", "mkdir", "rm", "tar", "mv", "dirname", "env"):
        for d in ("/usr/bin", "/bin"):
            if Path(d, tool).exists():
                (bin_dir / tool).symlink_to(Path(d, tool))
                break
    out = subprocess.run([str(bin_dir / "bash"), str(SCRIPT), sys.executable], cwd=ROOT,
                         env=_env(cache, PATH=str(bin_dir)), capture_output=True, text=True, timeout=120)
    assert out.returncode == 1
    assert "npm is required" in out.stderr and assets.PACKAGES[0] in out.stderr
    assert not (cache / assets.PACKAGES[0]).exists()


def _png_workers(pid: int) -> list:
    import psutil

    return [c for c in psutil.Process(pid).children(recursive=True) if "spawn_main" in " ".join(c.cmdline())]


def test_a_killed_workshop_server_leaves_no_png_worker_behind(tmp_path):
    import socket
    import urllib.request

    import psutil

    cache = tmp_path / "cdn"
    _fill(cache)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    proc = subprocess.Popen([sys.executable, "-m", "vti_sim.cli", "workshop", "--port", str(port)], cwd=ROOT,
                            env=_env(cache), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    try:
        deadline = time.monotonic() + 120
        workers = []
        while not workers:  # the server answers, and has started the process that draws slide PNGs
            assert proc.poll() is None and time.monotonic() < deadline, "the server did not start its PNG worker"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=2):
                    workers = _png_workers(proc.pid)
            except OSError:
                pass
            time.sleep(0.3)
        proc.kill()  # SIGKILL: the server cannot clean up
        proc.wait(timeout=10)
        gone = time.monotonic() + 10
        while any(w.is_running() and w.status() != psutil.STATUS_ZOMBIE for w in workers):
            assert time.monotonic() < gone, "the PNG worker outlived its server"
            time.sleep(0.2)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
