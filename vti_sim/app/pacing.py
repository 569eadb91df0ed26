"""The browser tells the play loop which month it has drawn, so the run never gets ahead of the screen.

Without it, a browser slower than the loop (a busy laptop, a projector's machine) queues months: the picture lags
the model, and ❚❚ seems to overshoot by however many months are queued.  ``ShownAck`` is an invisible widget: the
server sets ``seq`` with each published frame; once the browser has painted that frame (the next animation frame)
it sends ``shown = seq`` back, and ``Player`` waits for it before stepping further (one month may be in flight).
"""

from __future__ import annotations

import ipyvuetify
import traitlets

TEMPLATE = r"""
<template><span class="vti-shown-ack" style="display:none"></span></template>
<script>
module.exports = {
  mounted() { this.ack(); },
  watch: { seq() { window.vtiSeq = this.seq; this.ack(); } },  // vtiSeq: the last frame announced (benchmarks)
  methods: {
    ack() {
      const seq = this.seq;
      requestAnimationFrame(() => { if (this.shown < seq) this.shown = seq; });
    },
  },
};
</script>
"""


class ShownAck(ipyvuetify.VuetifyTemplate):
    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    seq = traitlets.Int(0).tag(sync=True)
    shown = traitlets.Int(-1).tag(sync=True)
