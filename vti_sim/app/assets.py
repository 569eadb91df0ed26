"""The browser files (JavaScript, CSS, fonts) the workshop page needs, and where Solara looks for them.

Solara serves them from a local cache and, when one is missing, tries a CDN; with no network that costs
seconds per file and ends in a blank page.  ``make install`` (run by ``make run`` and ``make test``) fills the
cache from the npm registry with ``scripts/fetch_solara_assets.sh``; ``vti-sim workshop`` checks it before serving.

    python -m vti_sim.app.assets            # print the cache directory, then one npm package spec a line
    python -m vti_sim.app.assets --check    # exit 1 (and say which) if a package is missing
"""

from __future__ import annotations

import sys
from pathlib import Path

# name@version as the Solara 1.64 page and widgets ask for them (solara.html.j2, echarts.vue, gridlayout_v3.vue)
PACKAGES = (
    "@widgetti/solara-vuetify3-app@5.2.0",
    "@widgetti/solara-vuetify-app@10.1.1",
    "@widgetti/vue-grid-layout@2.3.13-alpha.2",
    "font-awesome@4.5.0",
    "requirejs@2.3.6",
    "echarts@5.4.0",
)
FETCH_SCRIPT = "scripts/fetch_solara_assets.sh"


def cache_dir() -> Path:
    import solara.server.settings as settings

    return Path(settings.assets.proxy_cache_dir)


def missing(cache: Path | None = None) -> list[str]:
    """The packages not (or only partly) in the cache: a package counts when its directory holds a package.json."""
    cache = cache_dir() if cache is None else cache
    return [spec for spec in PACKAGES if not (cache / spec / "package.json").is_file()]


def fix_hint() -> str:
    root = Path(__file__).resolve().parents[2]
    script = root / FETCH_SCRIPT
    where = f"bash {script} {sys.executable}" if script.is_file() else \
        f"npm pack each of {' '.join(PACKAGES)} into {cache_dir()}"
    return f"run `{where}` (needs npm and the npm registry), or `make install`"


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    if args[:1] == ["--check"]:
        gone = missing()
        if gone:
            print(f"missing in {cache_dir()}: {', '.join(gone)}", file=sys.stderr)
            return 1
        return 0
    print(cache_dir())
    for spec in PACKAGES:
        print(spec)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
