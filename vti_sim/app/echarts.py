"""An ECharts widget that takes its option as a JSON string (for the workshop app).

Same front end as ``solara.FigureEcharts`` (its Vue template, adapted; Solara is MIT-licensed), but the
option travels as one string.  Reacton walks and re-assigns every element property of the whole page on
each render pass; a string is one cheap comparison, where a nested option of hundreds of numbers costs
time on every simulated month.

In the browser it loads ECharts' production build (``echarts.min.js``, in the same npm package as Solara's
``echarts.js``): the development build runs a few hundred checks on every ``setOption``.  Month to month it passes
ECharts only the components whose JSON changed, redraws one chart per animation frame page-wide while the run
plays, draws an option as it arrives otherwise (a lever moved, a step), and skips the charts out of view until they
come into view.

Three ECharts instances, stacked, make one chart.  Two take turns drawing the run: while the page rests, the one
not on screen draws ``ahead_json`` (the month a Step would show, ``Player.next_frame``) when the browser is idle.
The third keeps the picture of an option marked ``vtiKeep`` (month 0, which every rebuild shows again: a lever
moved, a scenario, a seed, Reset).  When an option arrives that one of them already holds, the page shows that
instance and draws nothing: ECharts' own work for a chart is 5-15 ms whatever the data, five charts in a row on
the browser's one main thread.  JSON equality decides, so a guess that turns out wrong costs a normal draw.
"""

from __future__ import annotations

import json
from typing import Any

import ipyvuetify
import traitlets

TEMPLATE = r"""
<template>
  <div ref="echarts" class="solara-echarts vti-echarts" v-bind="attributes">
    <div ref="stack" style="position: relative; width: 100%; height: 100%"></div>
  </div>
</template>
<script>
module.exports = {
  mounted() {
    const version = "5.4.0";
    (async () => {
      const echarts = (
        await this.import([`${this.getCdn()}/echarts@${version}/dist/echarts.min.js`])
      )[0];
      this.echarts = echarts;
      this.create();
    })();
    if(this.responsive){
      this.resizeObserver = new ResizeObserver(entries => {
        for (let entry of entries) {
          if (entry.target === this.$refs.echarts) {
            this.handleContainerResize();
          }
        }
      });
      this.resizeObserver.observe(this.$refs.echarts);
    };
    this.$refs.stack.addEventListener("mousemove", this.follow, {passive: true});
    this.$refs.stack.addEventListener("mouseleave", this.follow, {passive: true});
    // A chart scrolled out of view (or in a hidden tab) is not redrawn; it catches up when it comes into view.
    this.visible = true;
    if (window.IntersectionObserver) {
      this.intersection = new IntersectionObserver((entries) => {
        this.visible = entries[entries.length - 1].isIntersecting;
        if (this.visible && this.stale && !this.pending) {
          this.pending = true;
          this.queue();
        }
        if (this.visible) this.prepare();
      });
      this.intersection.observe(this.$refs.echarts);
    }
  },
  beforeDestroy() {
    this.destroyed = true;  // a redraw queued or a drawing ahead waiting for an idle moment: nothing to draw into
    this.markDone();  // an option it will never draw is no longer due
    for (const b of this.buffers || []) if (b) b.chart.dispose();
    if (this.intersection) this.intersection.disconnect();
    if (this.resizeObserver) {
      this.resizeObserver.unobserve(this.$refs.echarts);
      this.resizeObserver.disconnect();
    }
  },
  beforeUnmount() {
    this.$options.beforeDestroy.call(this);
  },
  watch: {
    ahead_json() {
      this.prepare();
    },
    option_json() {
      window.vtiUpdated = performance.now();  // a drawing ahead waits for a quiet page (prepare)
      this.markDue();
      // Updates that come faster than one redraw per MIN_MS (a fast play loop) cost one redraw: the last option
      // wins.  The page's text (month, status) still follows every month.
      if (this.pending) return;
      const MIN_MS = 250;
      const wait = Math.max(0, (this.drawn || 0) + MIN_MS - performance.now());
      // Not playing (a lever moved, a step) and not drawn within MIN_MS: draw now, as the option arrives, while
      // the rest of the move's updates are still on their way (waiting for the next animation frame left the
      // page idle meanwhile); the frame after the last update shows them all.
      if (!wait && !window.vtiPlaying && this.visible && this.echarts) {
        this.apply();
        return;
      }
      this.pending = true;
      setTimeout(() => this.queue(), wait);
    },
  },
  methods: {
    // window.vtiChartsDue counts the charts holding an option not drawn yet (out of view: not counted), so that a
    // benchmark can tell when the page has caught up.
    markDue() {
      if (this.due) return;
      this.due = true;
      window.vtiChartsDue = (window.vtiChartsDue || 0) + 1;
    },
    markDone() {
      if (!this.due) return;
      this.due = false;
      window.vtiChartsDue -= 1;
    },
    queue() {
      // While the run plays (window.vtiPlaying, set by the pacing widget, pacing.py), one chart redraw per animation
      // frame, page-wide: charts updated in the same month redraw in turn, so no frame (no month) pays for all of
      // them at once.  Otherwise (the loop's last month, an option that came within MIN_MS of the chart's last
      // redraw) every chart due redraws in the next frame, all in one go.
      const q = window.vtiChartQueue || (window.vtiChartQueue = {charts: [], armed: false});
      q.charts.push(this);
      if (q.armed) return;
      q.armed = true;
      const drain = () => {
        do {
          const chart = q.charts.shift();
          if (!chart) break;
          chart.pending = false;
          chart.stale = !chart.visible;
          if (chart.visible) chart.apply(); else chart.markDone();
        } while (!window.vtiPlaying && q.charts.length);  // the loop stopped meanwhile: the rest at once
        if (q.charts.length) requestAnimationFrame(drain); else q.armed = false;
      };
      requestAnimationFrame(drain);
    },
    create() {
      if (this.destroyed) return;  // gone before ECharts had loaded
      this.buffers = [];
      this.run = 0;  // the run's instance on screen (or last drawn); the other one, 2 - run, draws ahead
      // for the browser tests: the option drawn ahead, once an instance holds it (a Step to it then draws nothing)
      this.$refs.echarts.vtiAhead = () => {
        const json = this.ahead_json;
        return json && this.buffers.some((b) => b && b.json === json) ? json : null;
      };
      this.apply();  // and prepares the month drawn ahead
    },
    apply() {
      this.markDone();
      // ECharts is loaded asynchronously (mounted()); create() draws the option of that moment
      if (!this.echarts || this.destroyed) return;
      const json = this.option_json || "{}";
      // a picture an instance already holds (month 0 again: a lever moved; the month drawn ahead: a Step): show
      // it, draw nothing
      let buf = this.buffers.find((b) => b && b.json === json);
      if (buf) {
        if (buf !== this.buffers[1]) this.run = this.buffers.indexOf(buf);  // [1] keeps month 0
      } else {
        this.drawn = performance.now();
        const opt = JSON.parse(json);
        buf = this.buffer(opt.vtiKeep ? 1 : this.run);
        delete opt.vtiKeep;
        this.draw(buf, opt);
        buf.json = json;
      }
      this.show(buf);
      // the month drawn ahead may have been drawn over since (a play): its option, unchanged, sends no update
      if (!window.vtiPlaying) this.prepare();
    },
    prepare() {
      // the month a Step would show, drawn once no chart of the page has had an option for QUIET_MS (the month just
      // shown is presented first), in a moment the browser is idle; never while the run plays, nor before the
      // chart's own option is drawn, nor out of view (it comes back into view: prepare again)
      if (this.preparing || !this.ahead_json) return;
      this.preparing = true;
      const QUIET_MS = 150;
      const idle = (f, how) => (window.requestIdleCallback || ((g) => setTimeout(() => g({didTimeout: true}), 0)))(
        f, how);
      const later = () => {
        if (this.destroyed) return;
        const wait = (window.vtiUpdated || 0) + QUIET_MS - performance.now();
        if (wait > 0) {
          setTimeout(later, wait);
          return;
        }
        idle((deadline) => {
          if (this.destroyed || window.vtiPlaying || !this.visible || !this.echarts || !this.buffers) {
            this.preparing = false;
            return;
          }
          if (this.due || this.pending || (!deadline.didTimeout && deadline.timeRemaining() < 5)) {
            later();  // busy: the next quiet moment
            return;
          }
          this.preparing = false;
          const json = this.ahead_json;
          if (!json) return;
          if (!this.buffers.some((b) => b && b.json === json)) {
            const buf = this.buffer(2 - this.run);  // the run's instance not on screen
            this.draw(buf, JSON.parse(json));
            buf.json = json;
            window.vtiDrawnAhead = (window.vtiDrawnAhead || 0) + 1;  // for the browser tests
          }
        }, {timeout: 1000});
      };
      later();
    },
    buffer(i) {
      // [0] and [2] take turns drawing the run; [1] keeps the picture marked vtiKeep.  Each is made when first
      // needed, out of sight.
      if (!this.buffers[i]) {
        const el = document.createElement("div");
        el.className = "vti-echarts-instance";
        el.style.cssText = "position: absolute; left: 0; top: 0; width: 100%; height: 100%; visibility: hidden; "
                           + "opacity: 0; pointer-events: none";
        this.$refs.stack.appendChild(el);
        const buf = this.buffers[i] = {el, chart: this.echarts.init(el), shape: null, sent: {}, json: null,
                                       legend: null};
        // a legend item switched off (or on) by the trainer stays so in the other instances: they are drawn with
        // it (draw), or given it when shown (show)
        buf.chart.on("legendselectchanged", (e) => {
          this.legend = buf.legend = JSON.stringify(e.selected);  // as JSON: compared, then given as it is
        });
      }
      return this.buffers[i];
    },
    follow(e) {
      // where the pointer is over the chart, so that an instance shown under a still pointer shows its tooltip
      const box = this.$refs.stack.getBoundingClientRect();
      this.pointer = e.type === "mouseleave" ? null : [e.clientX - box.left, e.clientY - box.top];
    },
    show(buf) {
      // the other instances stay laid out (they keep their size) but are neither seen nor hovered; opacity too,
      // since a tooltip fading out sets its own visibility
      if (buf.el.style.visibility !== "hidden") return;  // shown already
      for (const b of this.buffers) {
        if (!b) continue;
        const on = b === buf;
        if (on === (b.el.style.visibility !== "hidden")) continue;  // already so
        if (!on) b.chart.dispatchAction({type: "hideTip"});
        b.el.style.visibility = on ? "" : "hidden";
        b.el.style.opacity = on ? "" : "0";
        b.el.style.pointerEvents = on ? "" : "none";
      }
      this.$refs.echarts.vtiChart = buf.chart;  // what the chart shows, for the browser tests
      if (this.legend && buf.hasLegend && buf.legend !== this.legend) {
        buf.chart.setOption({legend: {selected: JSON.parse(this.legend)}});  // drawn before the trainer's click
        buf.legend = this.legend;
      }
      if (this.pointer) {
        buf.chart.dispatchAction({type: "showTip", x: this.pointer[0], y: this.pointer[1]});
      }
    },
    draw(buf, opt) {
      const lang = opt.vtiLocale;
      delete opt.vtiLocale;
      buf.hasLegend = Boolean(opt.legend);
      if (this.legend && opt.legend) {  // the legend items the trainer switched off stay off
        opt.legend = Object.assign({}, opt.legend, {selected: JSON.parse(this.legend)});
        buf.legend = this.legend;
      }
      // Month to month only the data change: pass ECharts only the components that changed (the others keep their
      // models; a new phase in the title is a changed title), replacing the series.  When the chart's make-up
      // changes (language, number or names of series, legend, components), rebuild.
      const shape = JSON.stringify([lang, (opt.series || []).map((s) => s.name || s.type),
                                    opt.legend && opt.legend.data, Object.keys(opt)]);
      const sent = {};
      for (const key in opt) sent[key] = JSON.stringify(opt[key]);
      if (shape === buf.shape) {
        const changed = {};
        for (const key in opt) if (sent[key] !== buf.sent[key]) changed[key] = opt[key];
        buf.sent = sent;
        if (Object.keys(changed).length) {
          const how = changed.series ? {replaceMerge: ["series"]} : {};
          buf.chart.setOption(this.localise(changed, lang, buf.chart), how);
        }
      } else {
        buf.shape = shape;
        buf.sent = sent;
        buf.chart.setOption(this.localise(opt, lang, buf.chart), true);
      }
    },
    localise(opt, lang, chart) {
      // numbers in the page's language: decimal comma and thin-space thousands in French
      if (lang) {
        // signDisplay "negative": no "-0" for a value that rounds to zero (a series of nothing destroyed)
        const nf = new Intl.NumberFormat(lang === "fr" ? "fr-FR" : "en-GB", {maximumFractionDigits: 3,
                                                                               signDisplay: "negative"});
        const fmt = (v) => (typeof v === "number" ? nf.format(v) : Array.isArray(v) ? v.map(fmt).join(" · ") : v);
        for (const ax of [].concat(opt.xAxis || [], opt.yAxis || [])) {
          if (ax.type !== "value") continue;
          const suffix = ax.vtiSuffix ? (lang === "fr" ? "\u202f" : "") + ax.vtiSuffix : "";
          delete ax.vtiSuffix;
          ax.axisLabel = Object.assign({}, ax.axisLabel, {formatter: (v) => nf.format(v) + suffix});
          // the tooltip's first line (the month under the pointer) too, which ECharts writes "3.00" otherwise
          const pointer = ax.axisPointer || {};
          ax.axisPointer = Object.assign({}, pointer, {label: Object.assign({}, pointer.label, {
            formatter: (p) => nf.format(p.value) + suffix})});
        }
        if (opt.tooltip) opt.tooltip.valueFormatter = fmt;
      }
      // the chart's own PNG button: at least 1920 px wide, for slides
      const save = opt.toolbox && opt.toolbox.feature && opt.toolbox.feature.saveAsImage;
      if (save) save.pixelRatio = Math.max(2, Math.ceil(1920 / Math.max(chart.getWidth(), 1)));
      return opt;
    },
    handleContainerResize() {
      for (const b of this.buffers || []) if (b) b.chart.resize();
    },
    import(deps) {
      return this.loadRequire().then(() => {
        if (window.jupyterVue) {
          // in jupyterlab, we take Vue from ipyvue/jupyterVue
          define("vue", [], () => window.jupyterVue.Vue);
        } else {
          define("vue", ["jupyter-vue"], (jupyterVue) => jupyterVue.Vue);
        }
        return new Promise((resolve, reject) => {
          requirejs(deps, (...modules) => resolve(modules));
        });
      });
    },
    loadRequire() {
      /* Needed in lab */
      if (window.requirejs) {
        console.log("require found");
        return Promise.resolve();
      }
      return new Promise((resolve, reject) => {
        const script = document.createElement("script");
        script.src = `${this.getCdn()}/requirejs@2.3.6/require.js`;
        script.onload = resolve;
        script.onerror = reject;
        document.head.appendChild(script);
      });
    },
    getJupyterBaseUrl() {
      // if base url is set, we use ./ for relative paths compared to the base url
      if (document.getElementsByTagName("base").length) {
        return "./";
      }
      const labConfigData = document.getElementById("jupyter-config-data");
      if (labConfigData) {
        /* lab and Voila */
        return JSON.parse(labConfigData.textContent).baseUrl;
      }
      let base = document.body.dataset.baseUrl || document.baseURI;
      if (!base.endsWith("/")) {
        base += "/";
      }
      return base;
    },
    getCdn() {
      return this.cdn || (window.solara ? window.solara.cdn : `${this.getJupyterBaseUrl()}_solara/cdn`);
    },
  },
};
</script>
"""


class JsonEcharts(ipyvuetify.VuetifyTemplate):
    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    attributes = traitlets.Dict(default_value=None, allow_none=True).tag(sync=True)
    responsive = traitlets.Bool(False).tag(sync=True)
    option_json = traitlets.Unicode("{}").tag(sync=True)
    ahead_json = traitlets.Unicode("").tag(sync=True)  # the month a Step would show, drawn while the page rests
    cdn = traitlets.Unicode(None, allow_none=True).tag(sync=True)

    @traitlets.default("cdn")
    def _cdn(self):
        import solara.settings

        if not solara.settings.assets.proxy:
            return solara.settings.assets.cdn

    @property
    def option(self) -> dict[str, Any]:
        """The option as a dict (for tests and exports)."""
        return json.loads(self.option_json or "{}")


def dumps(option: dict[str, Any]) -> str:
    return json.dumps(option, separators=(",", ":"), ensure_ascii=False)
