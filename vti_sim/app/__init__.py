"""The workshop page (Solara over the Mesa model): ``vti-sim workshop`` serves ``vti_sim.app.workshop``
(``solara run vti_sim.app.workshop``).

``page`` and ``Page`` are imported on first use, so that ``vti_sim.app.i18n`` stays cheap for the CLI."""


def __getattr__(name):
    if name in ("page", "Page"):
        from . import workshop

        return getattr(workshop, name)
    raise AttributeError(name)
