#!/usr/bin/env python3
"""The figure of lab/bench/freeze-vs-size: its results.json as an SVG, written by hand (no
matplotlib). x: the counter's resident memory (MiB, log scale), y: ms; one line each for the
warm-median freeze (S704 start -> S710 end: S704 stops the workload), the cold freeze and the warm-median largest gap of the users.
With a second results file (e.g. the --post-copy run), its lines are drawn dashed beside the first's.

    lab/bench/plot-freeze-vs-size.py RESULTS.json OUT.svg [SECOND-RESULTS.json]
"""
import json
import math
import sys
from xml.sax.saxutils import escape

W, H = 880, 460
LEFT, RIGHT, TOP, BOTTOM = 80, 330, 50, 60          # margins around the plot area
# (key in a size's results, which figure, label, colour)
LINES = [("frozen_ms", "warm_median", "freeze S704 → S710, warm median", "#1f77b4"),
         ("frozen_ms", "cold", "freeze S704 → S710, cold (1st)", "#ff7f0e"),
         ("largest_gap_ms", "warm_median", "user's largest gap, warm median", "#2ca02c")]


def nice_step(span):
    """A tick step of 1, 2 or 5 times a power of ten giving about five ticks over span."""
    raw = span / 5 or 1
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def variant(results):
    return "post-copy" if results.get("post_copy") else "full copy"


def plot(results, second=None):
    runs = [r for r in (results, second) if r]
    every = [s for r in runs for s in r["sizes"]]
    xs = [s["resident_mib"] or s["ballast_mib"] for s in every]
    ys = [s[key][which] for s in every for key, which, _, _ in LINES if s[key][which] is not None]
    lo = math.floor(math.log10(min(xs)))             # from a power of ten to just past the largest
    hi = max(math.log10(max(xs)) + 0.1, lo + 1)
    step = nice_step(max(ys, default=1))
    top = step * (math.floor(max(ys, default=1) / step) + 1)   # room above the highest point
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    title = f"Freeze window vs resident memory: counterd rewriting {results['rate_kbps']} KiB/s, {results['date']}"

    def px(x):
        return LEFT + (math.log10(x) - lo) / (hi - lo) * pw

    def py(y):
        return TOP + ph - y / top * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="24" text-anchor="middle" font-size="15">{escape(title)}</text>']
    for tick in (m * 10 ** k for k in range(lo, math.ceil(hi)) for m in (1, 2, 5)):   # x: 1, 2, 5, 10, ...
        if math.log10(tick) <= hi:
            x = px(tick)
            out.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{TOP + ph}" stroke="#ddd"/>')
            out.append(f'<text x="{x:.1f}" y="{TOP + ph + 18}" text-anchor="middle">{tick:g}</text>')
    y = 0.0
    while y <= top + step / 2:                      # y: nice steps, grid and labels
        out.append(f'<line x1="{LEFT}" y1="{py(y):.1f}" x2="{LEFT + pw}" y2="{py(y):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 8}" y="{py(y) + 4:.1f}" text-anchor="end">{y:g}</text>')
        y += step
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="black"/>')
    out.append(f'<text x="{LEFT + pw / 2}" y="{H - 18}" text-anchor="middle">'
               'counterd resident memory (VmRSS at the start), MiB, log scale</text>')
    out.append(f'<text transform="translate(22 {TOP + ph / 2}) rotate(-90)" text-anchor="middle">ms</text>')
    legend = 0
    for n, run in enumerate(runs):
        dash = ' stroke-dasharray="6 4"' if n else ""
        sizes = run["sizes"]
        for key, which, label, colour in LINES:
            points = [(px(s["resident_mib"] or s["ballast_mib"]), py(s[key][which])) for s in sizes
                      if s[key][which] is not None]
            if points:
                out.append(f'<polyline fill="none" stroke="{colour}" stroke-width="2"{dash} points="'
                           + " ".join(f"{a:.1f},{b:.1f}" for a, b in points) + '"/>')
                out += [f'<circle cx="{a:.1f}" cy="{b:.1f}" r="3.5" fill="{colour}"/>' for a, b in points]
            ly = TOP + 10 + 22 * legend             # legend, right of the plot
            legend += 1
            out.append(f'<line x1="{LEFT + pw + 12}" y1="{ly}" x2="{LEFT + pw + 36}" y2="{ly}" stroke="{colour}" '
                       f'stroke-width="2"{dash}/>')
            text = f"{variant(run)}: {label}" if second else label
            out.append(f'<text x="{LEFT + pw + 42}" y="{ly + 4}" font-size="10">{escape(text)}</text>')
    out.append(f'<text x="{LEFT + pw + 12}" y="{TOP + 10 + 22 * legend}" font-size="11" fill="#555">'
               f'{results["migrations_per_size"]} migrations per size</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    if len(sys.argv) not in (3, 4):
        sys.exit("usage: lab/bench/plot-freeze-vs-size.py RESULTS.json OUT.svg [SECOND-RESULTS.json]")
    with open(sys.argv[1]) as f:
        first = json.load(f)
    second = None
    if len(sys.argv) == 4:
        with open(sys.argv[3]) as f:
            second = json.load(f)
    svg = plot(first, second)
    with open(sys.argv[2], "w") as f:
        f.write(svg)
