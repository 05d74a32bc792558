#!/usr/bin/env python3
"""The figure of a coordinator failover in the middle of a migration: lab/tests/cluster-test's output
(its PASS lines; best `--every`, both ways at every step) as an SVG written by hand (no matplotlib).
x: the step after whose journal record the leader was lost; per step two bars, the users' largest gap
with the leader killed (SIGKILL) and with its site cut off the network; on each bar a tick at the time
from the loss to the migration's end. A dashed line marks the session timeout.

    lab/tests/cluster-test --every > run/bench/cluster-every.txt
    lab/bench/plot-failover.py run/bench/cluster-every.txt OUT.svg [SESSION_TIMEOUT_S]
"""
import re
import sys
from xml.sax.saxutils import escape

W, H = 1020, 430
LEFT, RIGHT, TOP, BOTTOM = 70, 200, 50, 70
COLOURS = {"killed": "#1f77b4", "cut off": "#ff7f0e"}
LINE = re.compile(r"PASS (failover|isolated)-(S7\d\d)(-replicate)? .*?after S7\d\d; \S+ led ([\d.]+) s later "
                  r".*?ended it (\w+) ([\d.]+) s after; .*?users' largest gap (\d+) ms")


def results(path):
    """{(step label, way): (loss -> end s, users' largest gap s, end state)} from cluster-test's output."""
    out = {}
    with open(path) as f:
        for line in f:
            m = LINE.search(line)
            if m:
                kind, step, rep, _lead, state, end, gap = m.groups()
                label = step + (" R" if rep else "")
                out[(label, "killed" if kind == "failover" else "cut off")] = (float(end), int(gap) / 1000, state)
    return out


def plot(data, timeout_s):
    steps = sorted({s for s, _ in data}, key=lambda s: (s.endswith("R"), s))
    top = max(8.0, max(g for _, g, _ in data.values()) + 1)
    pw, ph = W - LEFT - RIGHT, H - TOP - BOTTOM
    slot = pw / len(steps)
    bar = slot * 0.36

    def py(y):
        return TOP + ph - y / top * ph

    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" font-family="sans-serif" font-size="12">',
           f'<rect width="{W}" height="{H}" fill="white"/>',
           f'<text x="{W / 2}" y="24" text-anchor="middle" font-size="15">'
           f'{escape("The leader lost in the middle of a migration: what the users wait (two Karafs, ZooKeeper)")}</text>']
    for y in range(0, int(top) + 1):
        out.append(f'<line x1="{LEFT}" y1="{py(y):.1f}" x2="{LEFT + pw}" y2="{py(y):.1f}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 8}" y="{py(y) + 4:.1f}" text-anchor="end">{y}</text>')
    for i, step in enumerate(steps):
        x0 = LEFT + i * slot + slot * 0.14
        for j, way in enumerate(("killed", "cut off")):
            if (step, way) not in data:
                continue
            end, gap, _ = data[(step, way)]
            x = x0 + j * bar
            out.append(f'<rect x="{x:.1f}" y="{py(gap):.1f}" width="{bar - 2:.1f}" height="{py(0) - py(gap):.1f}" '
                       f'fill="{COLOURS[way]}"/>')
            out.append(f'<line x1="{x:.1f}" y1="{py(end):.1f}" x2="{x + bar - 2:.1f}" y2="{py(end):.1f}" '
                       f'stroke="black" stroke-width="2"/>')
        state = next(s for (st, _), (_, _, s) in data.items() if st == step)
        out.append(f'<text x="{LEFT + (i + 0.5) * slot:.1f}" y="{TOP + ph + 18}" text-anchor="middle">{step}</text>')
        out.append(f'<text x="{LEFT + (i + 0.5) * slot:.1f}" y="{TOP + ph + 32}" text-anchor="middle" '
                   f'font-size="9">{"rolled back" if state == "ROLLED_BACK" else "succeeded"}</text>')
    out.append(f'<line x1="{LEFT}" y1="{py(timeout_s):.1f}" x2="{LEFT + pw}" y2="{py(timeout_s):.1f}" '
               'stroke="#c00" stroke-dasharray="6 4"/>')
    out.append(f'<rect x="{LEFT}" y="{TOP}" width="{pw}" height="{ph}" fill="none" stroke="black"/>')
    out.append(f'<text x="{LEFT + pw / 2}" y="{H - 14}" text-anchor="middle">the leader lost right after the '
               'journal record of (R: REPLICATE)</text>')
    out.append(f'<text transform="translate(22 {TOP + ph / 2}) rotate(-90)" text-anchor="middle">seconds</text>')
    legend = [("killed: users' largest gap", COLOURS["killed"], "rect"),
              ("cut off: users' largest gap", COLOURS["cut off"], "rect"),
              ("loss → the migration's end", "black", "line"),
              (f"session timeout ({timeout_s:g} s)", "#c00", "dash")]
    for n, (label, colour, kind) in enumerate(legend):
        lx, ly = LEFT + pw + 14, TOP + 12 + 24 * n
        if kind == "rect":
            out.append(f'<rect x="{lx}" y="{ly - 9}" width="18" height="12" fill="{colour}"/>')
        else:
            dash = ' stroke-dasharray="6 4"' if kind == "dash" else ""
            out.append(f'<line x1="{lx}" y1="{ly - 3}" x2="{lx + 18}" y2="{ly - 3}" stroke="{colour}" '
                       f'stroke-width="2"{dash}/>')
        out.append(f'<text x="{lx + 24}" y="{ly + 1}">{escape(label)}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__.strip())
        sys.exit(2)
    data = results(sys.argv[1])
    if not data:
        print(f"plot-failover: no failover or isolated PASS line in {sys.argv[1]}")
        sys.exit(1)
    with open(sys.argv[2], "w") as f:
        f.write(plot(data, float(sys.argv[3]) if len(sys.argv) == 4 else 4.0))


if __name__ == "__main__":
    main()
