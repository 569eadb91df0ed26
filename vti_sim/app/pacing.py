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
  mounted() { window.vtiPlaying = this.playing; this.ack(); },
  // vtiSeq: the last frame announced (benchmarks); vtiPlaying: whether more frames follow (echarts.py's redraws)
  watch: { seq() { window.vtiSeq = this.seq; this.ack(); }, playing() { window.vtiPlaying = this.playing; } },
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
    playing = traitlets.Bool(False).tag(sync=True)  # the play loop runs: more frames follow
    shown = traitlets.Int(-1).tag(sync=True)
