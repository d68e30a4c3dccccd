#!/usr/bin/env python3
"""Writes data-samples/sales/*.csv: a few thousand sales rows with about a dozen kinds of deliberately
bad rows, deterministically (fixed seed), so the sample and its expected counts never drift; and
data-samples/products.csv, the reference table the enriched sample looks products up in (P-1040 is
missing from it on purpose, and one of its rows is bad)."""
import random
from datetime import datetime, timedelta, timezone
from pathlib import Path

CATEGORIES = ["books", "electronics", "garden", "toys", "grocery"]
REGIONS = ["EU", "NA", "APAC", "LATAM"]
HEADER = "order_id,ts,product,category,store,region,quantity,unit_price,discount"

# (kind, line) - each a distinct reason the schema gate must catch
def bad_rows(rng):
    ok = lambda **kw: good(rng, **kw)
    return [
        ("type:quantity", ok(quantity="12x")),
        ("not_allowed:region", ok(region="Mars")),
        ("column_count (few)", "1000001,2024-01-05T10:00:00Z,P-1001,books,S001,EU,3"),
        ("column_count (many)", ok() + ",extra"),
        ("out_of_range:unit_price scale", ok(unit_price="19.999")),
        ("malformed quote", '1000002,2024-01-05T10:00:00Z,"P-1001,books,S001,EU,3,9.99,'),
        ("type:ts impossible date", ok(ts="2024-02-30T10:00:00Z")),
        ("out_of_range:quantity min", ok(quantity="0")),
        ("missing_value:product", ok(product="")),
        ("pattern:product", ok(product="X-12")),
        ("out_of_range:discount max", ok(discount="0.900")),
        ("blank line", ""),
        ("out_of_range:order_id overflow", ok(order_id="99999999999999999999")),
        ("not_allowed:category", ok(category="weapons")),
    ]

def good(rng, **over):
    ts = datetime(2023, 12, 1, tzinfo=timezone.utc) + timedelta(minutes=rng.randrange(0, 60 * 24 * 90))
    row = {
        "order_id": str(rng.randrange(1, 400000)),
        "ts": ts.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "product": "P-%04d" % rng.randrange(1001, 1041),
        "category": rng.choice(CATEGORIES),
        "store": "S%03d" % rng.randrange(1, 25),
        "region": rng.choice(REGIONS),
        "quantity": str(rng.randrange(1, 20)),
        "unit_price": "%d.%02d" % (rng.randrange(1, 300), rng.randrange(0, 100)),
        "discount": rng.choice(["", "0.050", "0.100", "0.250"]),
    }
    row.update(over)
    return ",".join(row[k] for k in HEADER.split(","))

def main():
    rng = random.Random(20241126)
    out = Path(__file__).parent / "sales"
    out.mkdir(exist_ok=True)
    for month, n in (("2024-01", 2200), ("2024-02", 2300)):
        lines = [good(rng) for _ in range(n)]
        for kind, line in bad_rows(rng):
            lines.insert(rng.randrange(1, len(lines)), line)
        data = (HEADER + "\n" + "\n".join(lines) + "\n").encode()
        # one line with bytes that are not UTF-8
        bad_utf8 = good(rng, store="S0\xff1").encode("latin-1")
        data += bad_utf8 + b"\n"
        (out / f"sales-{month}.csv").write_bytes(data)

BRANDS = ["Acme", "Globex", "Initech", "Umbrella", "Hooli"]

def products():
    rng = random.Random(20261201)
    lines = ["product_id,brand,margin"]
    for i in range(1001, 1040):  # P-1040 has no row: its sales become lookup_miss dead letters
        lines.append("P-%04d,%s,0.%02d" % (i, rng.choice(BRANDS), rng.randrange(5, 60)))
    lines.insert(7, "P-9999,Acme,lots")  # a bad reference row: margin is not a decimal
    (Path(__file__).parent / "products.csv").write_text("\n".join(lines) + "\n")

if __name__ == "__main__":
    main()
    products()
