"""The workshop page (Solara, Mesa's SolaraViz), served by ``solara run vti_sim.app.workshop:page``.

Solara turns a *package* into one route per submodule, so ``vti_sim.app:page`` cannot name the page; the
workshop module can.

``page`` and ``Page`` are imported on first use, so that ``vti_sim.app.i18n`` stays cheap for the CLI."""


def __getattr__(name):
    if name in ("page", "Page"):
        from . import workshop

        return getattr(workshop, name)
    raise AttributeError(name)
