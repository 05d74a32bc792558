#!/usr/bin/env python3
"""Each migration's user's largest gap (max over the users) for back-and-forth runs side by side,
as an SVG written by hand (no matplotlib): x the migration (1 = cold), y ms, one line per run.

    lab/bench/plot-gaps.py OUT.svg "TITLE" LABEL=RUN_DIR [LABEL=RUN_DIR ...]

RUN_DIR is a finished lab/bench/back-and-forth --out directory (its migrations.json); runs whose
labels start alike (before the last space) share a colour, the later ones dashed.
"""
import json
import math
import os
import sys
from xml.sax.saxutils import escape

W, H = 820, 420
LEFT, RIGHT, TOP, BOTTOM = 70, 260, 50, 55
COLOURS = ["#d62728", "#1f77b4", "#2ca02c", "#ff7f0e", "#9467bd"]


def step(top):
    raw = top / 5
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def main():
    out, title, runs = sys.argv[1], sys.argv[2], [a.split("=", 1) for a in sys.argv[3:]]
    series = []
    for label, run in runs:
        with open(os.path.join(run, "migrations.json")) as f:
            series.append((label, [p["largest_gap_ms"] for p in json.load(f)]))
    n = max(len(s) for _, s in series)
    top = max(max(s) for _, s in series) * 1.1
    dy = step(top)
    top = math.ceil(top / dy) * dy
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM

    def x(i):
        return LEFT + (i - 1) * pw / max(1, n - 1)

    def y(v):
        return TOP + ph - v * ph / top

    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="13">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{LEFT}" y="28" font-size="15">{escape(title)}</text>']
    v = 0
    while v <= top:
        svg.append(f'<line x1="{LEFT}" x2="{LEFT + pw}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>')
        svg.append(f'<text x="{LEFT - 8}" y="{y(v) + 4:.1f}" text-anchor="end">{v:g}</text>')
        v += dy
    for i in range(1, n + 1):
        svg.append(f'<text x="{x(i):.1f}" y="{TOP + ph + 18}" text-anchor="middle">{i}{" (cold)" if i == 1 else ""}</text>')
    svg.append(f'<text x="{LEFT + pw / 2}" y="{H - 12}" text-anchor="middle">migration (odd: there, even: back)</text>')
    svg.append(f'<text x="18" y="{TOP + ph / 2}" transform="rotate(-90 18 {TOP + ph / 2})" text-anchor="middle">'
               'user\'s largest gap, ms</text>')
    groups = []
    for k, (label, gaps) in enumerate(series):
        group = label.rsplit(" ", 1)[0]
        if group not in groups:
            groups.append(group)
        colour = COLOURS[groups.index(group) % len(COLOURS)]
        dash = ' stroke-dasharray="6 4"' if [l.rsplit(" ", 1)[0] for l, _ in series[:k]].count(group) else ""
        points = " ".join(f"{x(i + 1):.1f},{y(g):.1f}" for i, g in enumerate(gaps))
        svg.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"{dash}/>')
        svg += [f'<circle cx="{x(i + 1):.1f}" cy="{y(g):.1f}" r="3" fill="{colour}"/>' for i, g in enumerate(gaps)]
        ly = TOP + 10 + k * 22
        svg.append(f'<line x1="{LEFT + pw + 20}" x2="{LEFT + pw + 50}" y1="{ly}" y2="{ly}" stroke="{colour}" '
                   f'stroke-width="2"{dash}/>')
        svg.append(f'<text x="{LEFT + pw + 58}" y="{ly + 4}">{escape(label)}</text>')
    svg.append("</svg>")
    with open(out, "w") as f:
        f.write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
