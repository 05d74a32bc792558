#!/usr/bin/env python3
"""Karaf's JIT compiler threads' CPU over back-and-forth runs made with --jit, one panel per run,
as an SVG written by hand (no matplotlib): x seconds from the first migration's start, y the
compilers' CPU in each half second as a share of one CPU; each migration's freeze (S703 start ->
S710 end) shaded, its number above it, the first (cold) in red.

    lab/bench/plot-jit.py OUT.svg "TITLE" LABEL=RUN_DIR [LABEL=RUN_DIR ...]

RUN_DIR is a finished lab/bench/back-and-forth --jit --out directory (its raw.json).
"""
import json
import os
import sys
from xml.sax.saxutils import escape

W, PANEL, LEFT, RIGHT, TOP, GAP = 900, 170, 70, 20, 70, 65
BIN_S = 0.5


def run_of(path):
    with open(os.path.join(path, "raw.json")) as f:
        raw = json.load(f)
    samples = raw.get("karaf_jit")
    if not samples:
        sys.exit(f"plot-jit: {path} has no karaf_jit samples (a run without --jit)")
    t0 = raw["rows"][0]["record"]["startMicros"]
    freezes = []
    for r in raw["rows"]:
        steps = {s["step"]: s for s in r.get("record", {}).get("steps", [])}
        if "S703" in steps and "S710" in steps:
            freezes.append((r["n"], (steps["S703"]["startMicros"] - t0) / 1e6, (steps["S710"]["endMicros"] - t0) / 1e6))
    bins = {}
    for (ta, ca, _), (tb, cb, _) in zip(samples, samples[1:]):
        k = int(((ta + tb) / 2 - t0) / 1e6 // BIN_S)
        bins[k] = bins.get(k, 0) + (cb - ca)
    return bins, freezes, (samples[0][0] - t0) / 1e6, (samples[-1][0] - t0) / 1e6


def main():
    out, title, runs = sys.argv[1], sys.argv[2], [a.split("=", 1) for a in sys.argv[3:]]
    data = [(label, run_of(path)) for label, path in runs]
    lo = min(d[2] for _, d in data)
    hi = max(max(f[2] for f in d[1]) + 2 for _, d in data)
    pw = W - LEFT - RIGHT
    h = TOP + len(data) * (PANEL + GAP) + 10

    def x(t):
        return LEFT + (t - lo) * pw / (hi - lo)

    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{h}" font-family="sans-serif" font-size="13">',
           f'<rect width="{W}" height="{h}" fill="white"/>',
           f'<text x="{LEFT}" y="28" font-size="15">{escape(title)}</text>']
    for k, (label, (bins, freezes, _, _)) in enumerate(data):
        top = TOP + k * (PANEL + GAP)

        def y(share):
            return top + PANEL - share * PANEL

        for share in (0, 0.5, 1):
            svg.append(f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{y(share):.1f}" y2="{y(share):.1f}" stroke="#ddd"/>')
            svg.append(f'<text x="{LEFT - 8}" y="{y(share) + 4:.1f}" text-anchor="end">{share * 100:.0f} %</text>')
        for n, a, b in freezes:
            colour = "#d62728" if n == 1 else "#999"
            svg.append(f'<rect x="{x(a):.1f}" y="{top}" width="{max(1.0, x(b) - x(a)):.1f}" height="{PANEL}" '
                       f'fill="{colour}" fill-opacity="0.25"/>')
            svg.append(f'<text x="{x(a):.1f}" y="{top - 3}" font-size="10" fill="{colour}">{n}</text>')
        for b, ms in sorted(bins.items()):
            t = b * BIN_S
            if lo <= t <= hi:
                share = min(1.0, ms / (BIN_S * 1000))
                svg.append(f'<rect x="{x(t):.1f}" y="{y(share):.1f}" width="{max(0.5, x(t + BIN_S) - x(t) - 0.5):.1f}" '
                           f'height="{top + PANEL - y(share):.1f}" fill="#1f77b4"/>')
        svg.append(f'<text x="{LEFT}" y="{top - 16}" font-weight="bold">{escape(label)}</text>')
        t = int(lo // 5) * 5
        while t <= hi:
            if t >= lo:
                svg.append(f'<text x="{x(t):.1f}" y="{top + PANEL + 15}" text-anchor="middle" font-size="11">{t}</text>')
            t += 5
    svg.append(f'<text x="{LEFT + pw / 2}" y="{h - 8}" text-anchor="middle">s from the first migration\'s start '
               '(shaded: each freeze, S703 → S710; bars: the JIT compiler threads\' CPU, share of one CPU)</text>')
    svg.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
