#!/usr/bin/python3
"""The benchmark's pandas baseline: the aggregation of pipelines/sales-by-product.yaml done the way
people do it today - chunked read_csv, category dtypes, groupby - dropping the rows the job's schema
gate rejects. Prints one JSON line with the counts and totals, so the benchmark can check that both
sides computed the same thing.

usage: pandas_sales.py GLOB [--by=product,region | --by=order_id] [--chunksize=1000000]
"""
import csv
import glob
import json
import re
import sys

import numpy as np
import pandas as pd

COLUMNS = ["order_id", "ts", "product", "category", "store", "region", "quantity", "unit_price", "discount"]
CATEGORIES = ["books", "electronics", "garden", "toys", "grocery"]
REGIONS = ["EU", "NA", "APAC", "LATAM"]


def valid_rows(chunk):
    """The rows the job's schema gate accepts (types, required fields, patterns, categories, ranges)."""
    order_id = pd.to_numeric(chunk["order_id"], errors="coerce")
    ts = pd.to_datetime(chunk["ts"], format="%Y-%m-%dT%H:%M:%SZ", errors="coerce")
    quantity = pd.to_numeric(chunk["quantity"], errors="coerce")
    price = pd.to_numeric(chunk["unit_price"], errors="coerce")
    discount = pd.to_numeric(chunk["discount"], errors="coerce")
    # Patterns are checked once per distinct value: that is what the category dtype buys.
    product_ok = chunk["product"].isin([c for c in chunk["product"].cat.categories if re.fullmatch(r"P-[0-9]{4}", c)])
    store_ok = chunk["store"].isin([c for c in chunk["store"].cat.categories if re.fullmatch(r"S[0-9]{3}", c)])
    cents = price * 100
    mills = discount * 1000
    ok = (
        order_id.notna() & (order_id.abs() < 2**63) & (order_id == np.floor(order_id))
        & ts.notna() & product_ok & store_ok
        & chunk["category"].notna() & chunk["region"].notna()
        & quantity.notna() & (quantity == np.floor(quantity)) & (quantity >= 1) & (quantity <= 1000)
        & price.notna() & (price >= 0) & (price < 1e8) & np.isclose(cents, np.round(cents), rtol=0, atol=1e-6)
        & (chunk["discount"].isna() | (discount.notna() & (discount >= 0) & (discount <= 0.5)
                                       & np.isclose(mills, np.round(mills), rtol=0, atol=1e-6)))
    )
    out = pd.DataFrame({
        "order_id": order_id[ok].astype("int64"),
        "ts": ts[ok],
        "product": chunk["product"][ok],
        "region": chunk["region"][ok],
        "quantity": quantity[ok].astype("int64"),
        "unit_price": price[ok],
        "discount": discount[ok].fillna(0.0),
    })
    return out


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    flags = dict(a[2:].split("=", 1) for a in sys.argv[1:] if a.startswith("--"))
    by = flags.get("by", "product,region").split(",")
    chunksize = int(flags.get("chunksize", "1000000"))
    files = sorted(glob.glob(args[0]))
    dtypes = {
        "order_id": str, "ts": str, "product": "category", "store": "category",
        "category": pd.CategoricalDtype(CATEGORIES), "region": pd.CategoricalDtype(REGIONS),
        "quantity": str, "unit_price": str, "discount": str,
    }
    partials, pairs = [], []
    read = valid = 0
    for f in files:
        # QUOTE_NONE: the data has no quoted fields, and a stray quote must not swallow the lines after it.
        # Lines with too many fields are skipped; too few leave NaN, which the gate rejects.
        for chunk in pd.read_csv(f, names=COLUMNS, header=0, dtype=dtypes, chunksize=chunksize,
                                 quoting=csv.QUOTE_NONE, on_bad_lines="skip", skip_blank_lines=False,
                                 encoding_errors="replace", keep_default_na=False, na_values=[""]):
            read += len(chunk)
            rows = valid_rows(chunk)
            valid += len(rows)
            rows = rows[rows["ts"].dt.year >= 2024]
            rows = rows.assign(revenue=(rows["quantity"] * rows["unit_price"] * (1 - rows["discount"])).round(2))
            g = rows.groupby(by, observed=True)
            partials.append(g.agg(revenue=("revenue", "sum"), units=("quantity", "sum"),
                                  price_sum=("unit_price", "sum"), lines=("unit_price", "size")))
            if by != ["order_id"]:
                pairs.append(rows[by + ["order_id"]].drop_duplicates())
    total = pd.concat(partials).groupby(level=list(range(len(by))), observed=True).sum()
    result = {"read": read, "valid": valid, "groups": len(total),
              "revenue": round(float(total["revenue"].sum()), 2), "units": int(total["units"].sum())}
    if pairs:
        orders = pd.concat(pairs).drop_duplicates().groupby(by, observed=True).size()
        result["orders"] = int(orders.sum())
    print(json.dumps(result))


if __name__ == "__main__":
    main()
