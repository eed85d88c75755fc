"""Draws the evaluation's figures from results.json (meshtrace-lab evaluate).

    plot.py RESULTS.json OUTDIR

table1-e2e-cdf.png  CDF of end-to-end latency (the paper's Fig. 7, behind Table 1)
fig8-detection.png  detection rate against the search window, original vs proposed
fig9-hop-cdf.png    CDF of rx and tx latency at productpage, meshtrace vs tcpdump, per load
"""
import json
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import matplotlib.ticker  # noqa: E402

results = json.load(open(sys.argv[1]))
out = sys.argv[2]
COLORS = {"original": "tab:red", "proposed": "tab:blue"}
PAPER_WALL = 900  # the paper's program passed 4096 instructions at a 900-byte window


def cdf(axis, values, **style):
    values = sorted(values)
    if values:
        axis.plot(values, [(i + 1) / len(values) for i in range(len(values))], **style)


def log_axis(axis, ticks):
    """A log-scale x axis labelled in plain numbers, at those of `ticks` within the data's range."""
    axis.set_xscale("log")
    low, high = axis.get_xlim()
    axis.xaxis.set_major_formatter(matplotlib.ticker.ScalarFormatter())
    axis.xaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    shown = [t for t in ticks if low <= t <= high]
    if len(shown) > 8:  # a wide range: the 1-2-5 series alone, or the labels run into each other
        shown = [t for t in shown if str(t)[0] in "125" and str(t)[1:].strip("0") == ""]
    axis.set_xticks(shown)
    axis.set_xlim(low, high)


TICKS = (1, 2, 3, 5, 10, 15, 20, 30, 50, 100, 200, 300, 500, 1000, 2000, 3000, 5000)


def qps_label(qps):
    return "%g QPS" % qps


loads = sorted({s["qps"] for s in results["samples"]})

figure, axes = plt.subplots(1, len(loads), figsize=(5 * len(loads), 3.8), squeeze=False)
for axis, qps in zip(axes[0], loads):
    for s in results["samples"]:
        if s["kind"] == "e2e" and s["qps"] == qps:
            cdf(axis, s["values"], color=COLORS[s["format"]], label="%s format (n=%d)" % (s["format"], len(s["values"])))
    log_axis(axis, TICKS)
    axis.set_title(qps_label(qps))
    axis.set_xlabel("latency from scheduled send time [ms] (log scale)")
    axis.set_ylabel("CDF")
    axis.grid(alpha=0.3)
    axis.legend(loc="lower right")
figure.suptitle("End-to-end latency through the gateway, open loop (Table 1; the paper's Fig. 7)")
figure.tight_layout()
figure.savefig(os.path.join(out, "table1-e2e-cdf.png"), dpi=120)

figure, axis = plt.subplots(figsize=(7.5, 4.2))
windows = sorted({d["window"] for d in results["detection"]})
positions = {w: i for i, w in enumerate(windows)}
for name in ("original", "proposed"):
    points = sorted((d["window"], d["rate"]) for d in results["detection"] if d["format"] == name)
    axis.plot([positions[w] for w, _ in points], [100 * r for _, r in points], marker="o", color=COLORS[name],
              label="%s format" % name)
wall = sum(1 for w in windows if w < PAPER_WALL) - 0.5
axis.axvline(wall, color="gray", linestyle="--")
axis.text(wall + 0.1, 25, "paper's program stops:\n4096 insns at 900 B\n(ours goes on: tail calls)", color="dimgray", fontsize=8)
axis.set_xticks(range(len(windows)))
axis.set_xticklabels([("%d KiB" % (w // 1024)) if w >= 1024 and w % 1024 == 0 else "%d B" % w for w in windows], rotation=30)
axis.set_xlabel("search window")
axis.set_ylabel("requests detected [%]")
axis.set_ylim(-5, 105)
axis.set_title("Fig. 8: trace contexts detected on productpage's requests")
axis.grid(alpha=0.3)
axis.legend(loc="center left")
figure.tight_layout()
figure.savefig(os.path.join(out, "fig8-detection.png"), dpi=120)

figure, axes = plt.subplots(1, len(loads), figsize=(5.5 * len(loads), 4), squeeze=False)
styles = {"meshtrace": "-", "tcpdump": ":"}
hop_colors = {"rx": "tab:green", "tx": "tab:purple"}
for axis, qps in zip(axes[0], loads):
    for s in results["samples"]:
        if s["kind"] in ("rx", "tx") and s["qps"] == qps and s["format"] == "proposed":
            cdf(axis, s["values"], color=hop_colors[s["kind"]], linestyle=styles[s["source"]],
                label="%s (%s) %s, n=%d" % (s["kind"], "NIC→vport" if s["kind"] == "rx" else "vport→NIC", s["source"], len(s["values"])))
    log_axis(axis, TICKS)
    axis.set_title(qps_label(qps))
    axis.set_xlabel("latency [µs] (log scale)")
    axis.set_ylabel("CDF")
    axis.grid(alpha=0.3, which="both")
    axis.legend(loc="lower right", fontsize=8)
figure.suptitle("Fig. 9: overlay latency at productpage (proposed format), meshtrace vs tcpdump on the same interfaces")
figure.tight_layout()
figure.savefig(os.path.join(out, "fig9-hop-cdf.png"), dpi=120)
