#!/usr/bin/python3
"""The benchmark's pandas baseline for the order-lines workloads (runners/bench/order-lines-*.yaml):
chunked read_csv with explicit dtypes, the job's schema gate as vectorised masks, the filter, the
derived products and groupby. Decimals are summed exactly as integers (hundredths; the products in
their own units), as the job and DuckDB sum them. Prints one JSON line in DuckDbPeer's shape, so the
benchmark can check that all three computed the same thing.

usage: pandas_order_lines.py GLOB [--workload=pricing|by-order] [--format=pipe|csv] [--chunksize=200000]
"""
import csv
import glob
import json
import sys
from decimal import Decimal, ROUND_HALF_EVEN

import numpy as np
import pandas as pd

COLUMNS = ["l_orderkey", "l_partkey", "l_suppkey", "l_linenumber", "l_quantity", "l_extendedprice", "l_discount",
           "l_tax", "l_returnflag", "l_linestatus", "l_shipdate", "l_commitdate", "l_receiptdate", "l_shipinstruct",
           "l_shipmode", "l_comment"]
DECIMALS = ["l_quantity", "l_extendedprice", "l_discount", "l_tax"]
DATES = ["l_shipdate", "l_commitdate", "l_receiptdate"]
INT32 = 2**31 - 1


def integers(s, low, high):
    v = pd.to_numeric(s, errors="coerce")
    return v, v.notna() & (v == np.floor(v)) & (v >= low) & (v <= high)


def hundredths(s, low, high):
    """The value in hundredths (int64), and where it is a valid decimal(15,2) within [low, high]."""
    v = pd.to_numeric(s, errors="coerce")
    h = np.round(v * 100)
    ok = v.notna() & np.isclose(v * 100, h, rtol=0, atol=1e-6) & (v >= low) & (v <= high)
    return h.where(ok, 0).astype("int64"), ok


def gate(chunk):
    """The rows the job's schema gate accepts, with decimals in hundredths and dates as datetimes."""
    ok = pd.Series(True, index=chunk.index)
    out = {}
    for name, low, high in [("l_orderkey", 1, 2**63 - 1), ("l_partkey", 1, INT32), ("l_suppkey", 1, INT32),
                            ("l_linenumber", 1, 7)]:
        v, good = integers(chunk[name], low, high)
        out[name], ok = v, ok & good
    for name, high in [("l_quantity", 1e13), ("l_extendedprice", 1e13), ("l_discount", 0.10), ("l_tax", 0.08)]:
        v, good = hundredths(chunk[name], 0, high)
        out[name], ok = v, ok & good
    for name in DATES:
        v = pd.to_datetime(chunk[name], format="%Y-%m-%d", errors="coerce")
        out[name], ok = v, ok & v.notna()
    ok &= chunk["l_returnflag"].isin(["A", "N", "R"]) & chunk["l_linestatus"].isin(["F", "O"])
    for name, longest in [("l_shipinstruct", 25), ("l_shipmode", 10), ("l_comment", 44)]:
        ok &= chunk[name].notna() & (chunk[name].str.len() <= longest)
    rows = pd.DataFrame({k: v[ok] for k, v in out.items()})
    rows["l_returnflag"] = chunk["l_returnflag"][ok]
    rows["l_linestatus"] = chunk["l_linestatus"][ok]
    return rows


def plain(units, scale):
    return str(Decimal(int(units)).scaleb(-scale))


def mean(units, scale, count):
    """The job's mean: the exact sum over the count, scale + 6 places, half-even."""
    q = Decimal(int(units)).scaleb(-scale) / Decimal(int(count))
    return str(q.quantize(Decimal(1).scaleb(-(scale + 6)), rounding=ROUND_HALF_EVEN))


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    flags = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--"))
    workload = flags.get("workload", "pricing")
    fmt = flags.get("format", "pipe")
    chunksize = int(flags.get("chunksize", "200000"))  # larger chunks only cost memory
    if fmt == "pipe":
        options = dict(sep="|", header=None, names=COLUMNS, quoting=csv.QUOTE_NONE)
    else:
        options = dict(sep=",", header=0, names=COLUMNS)
    dtypes = {c: str for c in COLUMNS}
    partials = []
    for f in sorted(glob.glob(args[0])):
        for chunk in pd.read_csv(f, dtype=dtypes, chunksize=chunksize, on_bad_lines="skip", keep_default_na=False,
                                 na_values=[""], encoding_errors="replace", **options):
            rows = gate(chunk)
            if workload == "pricing":
                rows = rows[rows["l_shipdate"] <= pd.Timestamp("1998-09-02")]
                # price * (1 - discount) in 10^-4, times (1 + tax) in 10^-6: exact in int64 per row
                disc = rows["l_extendedprice"] * (100 - rows["l_discount"])
                rows = rows.assign(disc_price=disc, charge=disc * (100 + rows["l_tax"]))
                g = rows.groupby(["l_returnflag", "l_linestatus"])
                partials.append(g.agg(sum_qty=("l_quantity", "sum"), sum_base_price=("l_extendedprice", "sum"),
                                      sum_disc=("l_discount", "sum"), sum_disc_price=("disc_price", "sum"),
                                      sum_charge=("charge", "sum"), count_order=("l_quantity", "size")))
            else:
                rows = rows.assign(revenue=rows["l_extendedprice"] * (100 - rows["l_discount"]))
                partials.append(rows.groupby("l_orderkey").agg(revenue=("revenue", "sum"),
                                                               lines=("revenue", "size")))
    if workload == "pricing":
        total = pd.concat(partials).groupby(level=[0, 1]).sum()
        result = {}
        for (flag, status), r in total.iterrows():
            n = r["count_order"]
            result[flag + "|" + status] = {
                "sum_qty": plain(r["sum_qty"], 2), "sum_base_price": plain(r["sum_base_price"], 2),
                "sum_disc_price": plain(r["sum_disc_price"], 4), "sum_charge": plain(r["sum_charge"], 6),
                "avg_qty": mean(r["sum_qty"], 2, n), "avg_price": mean(r["sum_base_price"], 2, n),
                "avg_disc": mean(r["sum_disc"], 2, n), "count_order": str(int(n))}
    else:
        total = pd.concat(partials).groupby(level=0).sum()
        keys = total.index.to_numpy()
        result = {"all": {"groups": str(len(total)), "revenue": plain(total["revenue"].sum(), 4),
                          "lines": str(int(total["lines"].sum())),
                          "key_check": str(int(((keys % 1000003) * total["lines"].to_numpy()).sum()))}}
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
