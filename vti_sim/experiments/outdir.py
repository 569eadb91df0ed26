"""Output paths: refuse, before any computation, a path that cannot be written or must not be replaced.

Shared by ``vti-sim run``/``compare`` (:mod:`.replicates`) and ``vti-sim sweep`` (:mod:`.store`).  Every check
raises a :class:`~vti_sim.registry.ParameterError` with source ``--out`` (one line, exit 2 in the CLI)."""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..registry import ParameterError

TEMP_NAME_ROOM = 40  # bytes a temporary directory's name adds to the output's: ".", ".tmp-", pid, host tag, random
OWNER_FILE = ".vti-sim-owner"  # inside a temporary directory: which process makes it (to clean up after kill -9)


def _err(path: Path, reason: str) -> ParameterError:
    return ParameterError(repr(str(path)), reason, source="--out")


def check_output_path(out: Path, *, replace: bool = False) -> None:
    """Refuse ``.``/``..``, the working directory or one of its parents, a path below a file, and a place where
    nothing can be created (read-only or immutable directory, ``/proc``...), by really trying to write there.

    ``replace``: the directory is replaced as a whole (``run``/``compare``), so its parent must be writable;
    otherwise (``sweep``) files are written inside it."""
    out = Path(out)
    if "\x00" in str(out):
        raise _err(out, "contains a NUL character; allowed: a directory path, e.g. --out results/my_run")
    _check_length(out, replace)
    if out.name in ("", ".", "..") or str(out) in (".", ".."):
        raise _err(out, "is the current directory or a parent of it; allowed: a new directory or a previous "
                        "vti-sim output directory, e.g. --out results/my_run")
    try:
        real, cwd = out.resolve(), Path.cwd().resolve()
    except (OSError, RuntimeError, ValueError) as e:
        raise _err(out, f"cannot be resolved ({e})") from None
    if real == cwd or real in cwd.parents:
        raise _err(out, "is the current directory or a parent of it; allowed: a new directory or a previous "
                        "vti-sim output directory")
    if out.exists() and not out.is_dir():
        raise _err(out, "exists and is not a directory")
    probe_dir = out if out.is_dir() and not replace else _nearest_existing(out.parent if replace else out)
    if not probe_dir.is_dir():
        raise _err(out, f"{str(probe_dir)!r} is a file, so nothing can be created below it")
    try:  # the only check that holds for root, immutable files, read-only mounts and /proc: try it
        tmp = tempfile.mkdtemp(prefix=".vti-sim-probe-", dir=probe_dir)
        os.rmdir(tmp)
    except OSError as e:
        raise _err(out, f"cannot write in {str(probe_dir)!r} ({e.strerror or e})") from None


def _check_length(out: Path, replace: bool) -> None:
    """A name longer than the file system allows (255 bytes on most) passes every other check and fails only
    when the first file is written: refuse it here.  ``replace``: the last name must leave room for the
    temporary directory beside it (``.NAME.tmp-<pid>.<host>-<random>``)."""
    where = _nearest_existing(out.parent)
    try:
        name_max, path_max = os.pathconf(where, "PC_NAME_MAX"), os.pathconf(where, "PC_PATH_MAX")
    except (OSError, ValueError):
        name_max, path_max = 255, 4096
    room = TEMP_NAME_ROOM if replace else 0
    names = [os.fsencode(p) for p in out.parts]
    too_long = any(len(n) > name_max for n in names[:-1]) or (names and len(names[-1]) > name_max - room)
    if too_long or len(os.fsencode(os.path.abspath(out))) >= path_max:
        last = f" ({name_max - room} for the last one)" if room else ""
        raise _err(out, f"is too long for this file system; allowed: names of at most {name_max} bytes{last}, "
                        f"{path_max - 1} in all")


def _nearest_existing(path: Path) -> Path:
    for p in (path, *path.parents):
        if p.exists():
            return p
    return Path(".")


# --------------------------------------------------------------------------------------------- temporary dirs
def make_temp_dir(parent: Path, prefix: str) -> Path:
    """A temporary directory that records its owner (host, pid), so that a later run can remove it if that
    process was killed (``kill -9`` leaves no chance to clean up).

    The owner is in the directory's name (``PREFIX<pid>.<host tag>-<random>``), which ``mkdtemp`` creates in one
    step, so a kill between creating the directory and writing :data:`OWNER_FILE` still leaves it removable."""
    tmp = Path(tempfile.mkdtemp(prefix=f"{prefix}{os.getpid()}.{_host_tag()}-", dir=parent))
    (tmp / OWNER_FILE).write_text(json.dumps({"host": socket.gethostname(), "pid": os.getpid()}), encoding="utf-8")
    return tmp


def _host_tag(host: str | None = None) -> str:
    return hashlib.sha1((host or socket.gethostname()).encode()).hexdigest()[:8]


def _owner(d: Path, prefix: str) -> dict | None:
    """Who made ``d``: its owner file, else its name; ``None`` when neither tells (not ours: leave it)."""
    try:
        return json.loads((d / OWNER_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        pass
    m = re.match(r"(\d+)\.([0-9a-f]{8})-", d.name[len(prefix):])
    if m is None:
        return None
    return {"pid": int(m.group(1)), "host": socket.gethostname() if m.group(2) == _host_tag() else None}


def remove_stale_temp_dirs(parent: Path, prefixes: tuple[str, ...]) -> list[Path]:
    """Remove the temporary directories under ``parent`` left by a process of this host that no longer runs."""
    removed = []
    if not parent.is_dir():
        return removed
    for d in parent.iterdir():
        prefix = next((p for p in prefixes if d.name.startswith(p)), None)
        if prefix is None or not d.is_dir():
            continue
        owner = _owner(d, prefix)
        if owner is None:
            continue  # not ours: leave it
        if owner.get("host") == socket.gethostname() and not _alive(owner.get("pid")):
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed


def _alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def write_atomically(path: Path, write: Callable[[str], object]) -> None:
    """``write(tmp)`` to a temporary file beside ``path``, then ``os.replace``: never a partial file, and no
    temporary file left whenever the write stops (the name is chosen before the file exists, so an interrupt at
    any point is followed by its removal; ``mkstemp`` could be interrupted after creating it)."""
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(8)}.tmp")
    try:  # O_EXCL: never another writer's file (64 random bits); 0o666: the umask's mode, as a plain file
        os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666))
        write(str(tmp))
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def public_mode(path: str | Path) -> None:
    """Give a file written through ``mkstemp`` (mode 0600) the mode of a normally created file (0666 & ~umask),
    so that collaborators on a shared directory can read a sweep."""
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(path, 0o666 & ~umask)
