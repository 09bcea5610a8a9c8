#!/usr/bin/env python3
"""The dashboard page's DOM after Chromium ran it (test-dashboard-browser.sh):

  dashboard-dom.py DOM SKYTUNE STORE SINCE UNTIL STEP [--tx ID T_MS VERDICT] [--no-db]

- the page's script ran (data-ready="1"), and every panel is there and not empty: a chart with
  drawn lines and the table of its series, or the sentence saying what the store lacks;
- every series' last, min, max and samples in the DOM are what `skytune monitor query --json` reads
  from the store over the same range and step;
- the alert cpu_busy is kept as resolved, and its firing and resolved events are listed;
- with --tx: the transaction in the table and, on every chart, its marker at its time with its verdict.
"""
import json
import subprocess
import sys
from html.parser import HTMLParser

PANELS = ["cpu", "cpu-per-cpu", "memory", "psi", "disk-latency", "disk-util", "net-throughput",
          "net-drops", "app-rate", "app-errors", "app-latency", "db"]


class Dom(HTMLParser):
    def __init__(self):
        super().__init__()
        self.ready = None
        self.sections = {}
        self.cur = None
        self.svg = None
        self.row = None
        self.rows = []
        self.alerts = {}
        self.events = []
        self.txs = {}
        self.marker = None
        self.text_target = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "html":
            self.ready = a.get("data-ready")
        if tag == "section":
            self.cur = {"id": a.get("id"), "charts": [], "series": [], "missing": ""}
            self.sections[a.get("id")] = self.cur
        if tag == "svg" and a.get("data-chart") == "wall":
            self.svg = {k: float(a[k]) for k in ("data-x0", "data-x1", "data-left", "data-width")}
            self.svg.update(lines=0, points=0, markers=[])
            self.cur["charts"].append(self.svg)
        if tag == "path" and self.svg is not None:
            d = a.get("d") or ""
            self.svg["lines"] += 1
            self.svg["points"] += d.count("L") + d.count("M")
        if tag == "g" and a.get("class") == "marker" and self.svg is not None:
            self.marker = {"x": None, "label": ""}
            self.svg["markers"].append(self.marker)
        if tag == "line" and self.marker is not None and self.marker["x"] is None:
            self.marker["x"] = float(a["x1"])
        if tag == "text" and self.marker is not None:
            self.text_target = self.marker
        if tag == "tr":
            self.row = {"attrs": a, "cells": []}
            if "data-series" in a:
                self.cur["series"].append(self.row)
            if "data-alert" in a:
                self.alerts[a["data-alert"]] = a.get("data-state")
            if "data-event" in a:
                self.events.append(a["data-event"])
            if "data-tx" in a:
                self.txs[a["data-tx"]] = int(a["data-t-ms"])
        if tag == "td" and self.row is not None:
            self.row["cells"].append(a.get("data-value"))
        if tag == "p" and a.get("class") == "missing" and self.cur is not None:
            self.text_target = self.cur

    def handle_endtag(self, tag):
        if tag == "svg":
            self.svg = None
        if tag == "g":
            self.marker = None
        if tag in ("text", "p"):
            self.text_target = None
        if tag == "tr":
            self.row = None

    def handle_data(self, data):
        if self.text_target is self.marker and self.marker is not None:
            self.marker["label"] += data
        elif self.text_target is not None and "missing" in self.text_target:
            self.text_target["missing"] += data


def query(skytune, store, name, since, until, step):
    out = subprocess.run([skytune, "monitor", "query", name, "--store", store, "--since", since, "--until", until,
                          "--step", step, "--json"], check=True, capture_output=True, text=True).stdout
    return json.loads(out)["buckets"]


def close(a, b):
    return abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))


def main():
    dom, skytune, store, since, until, step = sys.argv[1:7]
    rest = sys.argv[7:]
    tx = None
    if "--tx" in rest:
        i = rest.index("--tx")
        tx = (rest[i + 1], int(rest[i + 2]), rest[i + 3])
    d = Dom()
    d.feed(open(dom, encoding="utf-8").read())
    assert d.ready == "1", "no data-ready sentinel: the page's script did not run"
    checked = 0
    for p in PANELS:
        s = d.sections.get("panel-" + p)
        assert s is not None, f"panel {p} missing"
        if p == "db" and "--no-db" in rest:
            assert "no database configured" in s["missing"], ("panel db", s["missing"])
            assert not s["charts"], "panel db drew a chart without a database"
            continue
        assert s["charts"] and s["series"], f"panel {p} is empty: {s['missing']!r}"
        for c in s["charts"]:
            assert c["lines"] >= 1 and c["points"] >= 2, (p, "chart drawn empty", c)
        for row in s["series"]:
            name = row["attrs"]["data-series"]
            b = query(skytune, store, name, since, until, step)
            assert b, (name, "the store has no bucket of it")
            last, mn, mx = (float(v) for v in row["cells"][1:2] + row["cells"][2:3] + row["cells"][4:5])
            want = (b[-1]["avg"], min(x["min"] for x in b), max(x["max"] for x in b))
            assert close(last, want[0]) and close(mn, want[1]) and close(mx, want[2]), (name, (last, mn, mx), want)
            checked += 1
    assert d.sections.get("alerts") and d.sections.get("transactions"), "alerts or transactions section missing"
    assert d.alerts.get("cpu_busy") == "resolved", ("alert state", d.alerts)
    assert "firing" in d.events and "resolved" in d.events, ("alert events", d.events)
    markers = 0
    if tx:
        tx_id, t_ms, verdict = tx
        assert d.txs.get(tx_id) == t_ms, ("transaction row", d.txs, tx)
        for s in d.sections.values():
            for c in s["charts"]:
                want = c["data-left"] + (t_ms / 1000 - c["data-x0"]) / (c["data-x1"] - c["data-x0"]) * c["data-width"]
                got = [m for m in c["markers"] if abs(m["x"] - want) <= 1.0]
                assert got and got[0]["label"] == verdict, (s["id"], "marker", c["markers"], want, verdict)
                markers += 1
    print(f"{dom}: {len(PANELS)} panels, {checked} series equal to the store's, {markers} markers at the transaction")


main()
