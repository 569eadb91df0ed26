"""A table whose cells the browser updates one by one: the live status and missions tables.

Replacing a table's whole HTML every month makes the browser rebuild, lay out, paint and rasterise every cell;
here the rows travel as lists of cell HTML and Vue patches only the cells whose HTML changed (the labels, most
of the table, stay as they are).  ``html`` gives the same table as one string (for tests).
"""

from __future__ import annotations

import ipyvuetify
import traitlets

TEMPLATE = r"""
<template>
  <div :class="classes">
    <table :class="'vti-table ' + table_class"
           :style="'border-collapse:collapse;width:100%;font-size:' + size + 'px'">
      <tr v-if="header && header.length"><th v-for="(h, i) in header" :key="i" v-html="h"></th></tr>
      <tr v-for="(row, r) in rows" :key="r"><td v-for="(c, i) in row" :key="i" v-html="c"></td></tr>
    </table>
    <div v-if="after" v-html="after"></div>
  </div>
</template>
"""


class HtmlRows(ipyvuetify.VuetifyTemplate):
    template = traitlets.Unicode(TEMPLATE).tag(sync=True)
    classes = traitlets.Unicode("").tag(sync=True)  # of the wrapper (e.g. "vti-status-table")
    table_class = traitlets.Unicode("").tag(sync=True)
    size = traitlets.Int(13).tag(sync=True)  # font size, px
    header = traitlets.List([]).tag(sync=True)
    rows = traitlets.List([]).tag(sync=True)
    after = traitlets.Unicode("").tag(sync=True)  # HTML after the table (the status card's progress bar)

    @property
    def html(self) -> str:
        return table_html(self.header or None, self.rows, self.table_class, self.size) + self.after


def table_html(header: list[str] | None, rows: list[list[str]], cls: str = "", size: int = 13) -> str:
    head = "" if header is None else "<tr>" + "".join(f"<th>{h}</th>" for h in header) + "</tr>"
    body = "".join("<tr>" + "".join(f"<td>{c}</td>" for c in r) + "</tr>" for r in rows)
    return (f'<table class="vti-table {cls}" style="border-collapse:collapse;width:100%;font-size:{size}px">'
            f"{head}{body}</table>")
