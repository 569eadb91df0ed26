"""Where numba keeps the model's compiled kernels: a writable place must exist before ``vti_sim.model`` loads.

numba's ``cache=True`` needs the package's ``__pycache__`` or the user's cache directory (``~/.cache/numba``) to be
writable, else ``import vti_sim`` fails ("no locator available") -- as on service-account Dask workers with a
read-only install and home.  Then the kernels are cached in a per-user temporary directory instead."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def _writable(path: Path) -> bool:
    """numba's own test: create the directory and a temporary file in it."""
    try:
        os.makedirs(path, exist_ok=True)
        tempfile.TemporaryFile(dir=path).close()
    except OSError:
        return False
    return True


def ensure_kernel_cache() -> str | None:
    """Point numba at a temporary cache directory if neither usual place is writable; return it (or None)."""
    from numba.core import config

    if config.CACHE_DIR or _writable(Path(__file__).resolve().parent / "model" / "__pycache__"):
        return None
    try:
        from numba.misc.appdirs import AppDirs

        if _writable(Path(AppDirs(appname="numba", appauthor=False).user_cache_dir)):
            return None
    except Exception:  # noqa: BLE001 - numba's private helper moved: fall through to the temporary directory
        pass
    uid = os.getuid() if hasattr(os, "getuid") else "user"
    fallback = Path(tempfile.gettempdir()) / f"vti-sim-numba-cache-{uid}"
    if _writable(fallback):
        config.CACHE_DIR = str(fallback)
        return str(fallback)
    return None


KERNEL_CACHE_FALLBACK = ensure_kernel_cache()  # on import, before vti_sim.model (see vti_sim/__init__.py)
