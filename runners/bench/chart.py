#!/usr/bin/python3
"""Draws the benchmark's results.csv as one SVG: wall time and peak RSS against rows, one line per
variant (median of the runs in each cell). Plain SVG written by hand: no plotting library needed.

usage: chart.py results.csv chart.svg
"""
import csv
import statistics
import sys
from collections import defaultdict

COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#17becf"]
W, H, PAD_L, PAD_R, PAD_T, PAD_B = 460, 320, 64, 16, 36, 48


def panel(x0, title, series, unit):
    xs = sorted({r for s in series.values() for r in s})
    ymax = max(v for s in series.values() for v in s.values()) * 1.1 or 1
    xmax = max(xs)
    px = lambda r: x0 + PAD_L + (W - PAD_L - PAD_R) * r / xmax
    py = lambda v: PAD_T + (H - PAD_T - PAD_B) * (1 - v / ymax)
    out = [f'<text x="{x0 + W / 2}" y="20" text-anchor="middle" font-weight="bold">{title}</text>',
           f'<line x1="{px(0)}" y1="{py(0)}" x2="{px(xmax)}" y2="{py(0)}" stroke="#444"/>',
           f'<line x1="{px(0)}" y1="{py(0)}" x2="{px(0)}" y2="{PAD_T}" stroke="#444"/>']
    for i in range(5):
        v = ymax * i / 4
        out.append(f'<text x="{px(0) - 6}" y="{py(v) + 4}" text-anchor="end" font-size="11">{v:,.0f}</text>')
        out.append(f'<line x1="{px(0)}" y1="{py(v)}" x2="{px(xmax)}" y2="{py(v)}" stroke="#ddd"/>')
    for r in xs:
        if r < xmax / 40 and r != xmax:
            continue  # too close to the axis to label
        out.append(f'<text x="{px(r)}" y="{H - PAD_B + 16}" text-anchor="middle" font-size="11">{r / 1e6:g}M</text>')
    out.append(f'<text x="{x0 + W / 2}" y="{H - 8}" text-anchor="middle" font-size="12">rows</text>')
    out.append(f'<text x="{x0 + 14}" y="{PAD_T - 8}" font-size="12">{unit}</text>')
    for i, (name, points) in enumerate(sorted(series.items())):
        c = COLOURS[i % len(COLOURS)]
        pts = " ".join(f"{px(r):.1f},{py(v):.1f}" for r, v in sorted(points.items()))
        out.append(f'<polyline points="{pts}" fill="none" stroke="{c}" stroke-width="2" data-variant="{name}"/>')
        for r, v in points.items():
            out.append(f'<circle cx="{px(r):.1f}" cy="{py(v):.1f}" r="3" fill="{c}"/>')
    return out


def main():
    rows = list(csv.DictReader(open(sys.argv[1])))
    time, rss = defaultdict(dict), defaultdict(dict)
    cells = defaultdict(list)
    for r in rows:
        if r["exit"] in ("0", "3"):
            cells[(r["variant"], int(r["rows"]))].append(r)
    for (variant, n), runs in cells.items():
        time[variant][n] = statistics.median(float(r["wall_s"]) for r in runs)
        rss[variant][n] = statistics.median(float(r["peak_rss_mb"]) for r in runs)
    svg = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{2 * W}" height="{H + 24 * ((len(time) + 2) // 3) + 8}" '
           'font-family="sans-serif" font-size="12">', '<rect width="100%" height="100%" fill="white"/>']
    svg += panel(0, "wall time (s), JVM/Python start included", time, "s")
    svg += panel(W, "peak RSS (MB)", rss, "MB")
    for i, name in enumerate(sorted(time)):
        x, y = 20 + (i % 3) * 300, H + 16 + 24 * (i // 3)
        c = COLOURS[i % len(COLOURS)]
        svg.append(f'<rect x="{x}" y="{y - 10}" width="14" height="4" fill="{c}"/>'
                   f'<text x="{x + 20}" y="{y - 4}">{name}</text>')
    svg.append("</svg>")
    open(sys.argv[2], "w").write("\n".join(svg) + "\n")


if __name__ == "__main__":
    main()
