#!/usr/bin/python3
"""Draws order-lines.csv (runners/bench/order-lines.sh) as one SVG of grouped bars: wall time of each
engine for each workload, format and size (the last run of each cell). Plain SVG, no plotting library.

usage: order_lines_chart.py order-lines.csv chart.svg
"""
import csv
import sys

COLOURS = {"job": "#1f77b4", "duckdb": "#2ca02c", "pandas": "#d62728"}
BAR, GAP, LEFT, TOP, H = 22, 26, 60, 40, 300


def main():
    last = {}
    for r in csv.DictReader(open(sys.argv[1])):
        if r["exit"] == "0":
            last[(int(r["rows"]), r["workload"], r["format"], r["engine"])] = float(r["wall_s"])
    groups = sorted({k[:3] for k in last}, key=lambda g: (g[1], -g[0], g[2]))
    engines = [e for e in COLOURS if any(k[3] == e for k in last)]
    top = max(last.values()) * 1.1
    width = LEFT + len(groups) * (len(engines) * BAR + GAP) + 20
    y = lambda v: TOP + H * (1 - v / top)
    out = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{TOP + H + 70}" font-family="sans-serif">',
           f'<text x="{width / 2}" y="20" text-anchor="middle" font-weight="bold">Wall time, s (lower is better)</text>']
    for i in range(5):
        v = top * i / 4
        out.append(f'<line x1="{LEFT}" y1="{y(v)}" x2="{width - 10}" y2="{y(v)}" stroke="#ddd"/>')
        out.append(f'<text x="{LEFT - 6}" y="{y(v) + 4}" text-anchor="end" font-size="11">{v:.0f}</text>')
    x = LEFT + GAP / 2
    for rows, workload, fmt in groups:
        for j, e in enumerate(engines):
            v = last.get((rows, workload, fmt, e))
            if v is not None:
                bx = x + j * BAR
                out.append(f'<rect x="{bx}" y="{y(v)}" width="{BAR - 2}" height="{TOP + H - y(v)}" fill="{COLOURS[e]}">'
                           f'<title>{e} {v} s</title></rect>')
                out.append(f'<text x="{bx + BAR / 2 - 1}" y="{y(v) - 3}" text-anchor="middle" font-size="9">{v:.1f}</text>')
        mid = x + len(engines) * BAR / 2
        out.append(f'<text x="{mid}" y="{TOP + H + 16}" text-anchor="middle" font-size="11">{workload}</text>')
        out.append(f'<text x="{mid}" y="{TOP + H + 30}" text-anchor="middle" font-size="11">{fmt}, {rows / 1e6:g}M</text>')
        x += len(engines) * BAR + GAP
    for j, e in enumerate(engines):
        out.append(f'<rect x="{LEFT + j * 90}" y="{TOP + H + 45}" width="12" height="12" fill="{COLOURS[e]}"/>')
        out.append(f'<text x="{LEFT + j * 90 + 16}" y="{TOP + H + 56}" font-size="12">{e}</text>')
    out.append("</svg>")
    open(sys.argv[2], "w").write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
