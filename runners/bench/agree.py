#!/usr/bin/python3
"""Whether two result summaries (one JSON line each, DuckDbPeer's shape) agree: the same groups and
counts, sums exactly, means within half a unit of the last decimal place of the job's (the first
file's) value. Prints "yes" or the first difference; exit 0 either way.

usage: agree.py JOB.json OTHER.json
"""
import json
import sys
from decimal import Decimal


def main():
    job, other = (json.load(open(p)) for p in sys.argv[1:3])
    if sorted(job) != sorted(other):
        print(f"groups differ: {sorted(job)} against {sorted(other)}")
        return
    for g in sorted(job):
        for k in sorted(job[g]):
            a, b = Decimal(job[g][k]), Decimal(other[g].get(k, "NaN"))
            if k.startswith("avg"):
                half = Decimal(1).scaleb(job[g][k].partition(".")[2].__len__() * -1) / 2
                if abs(a - b) > half:
                    print(f"{g} {k}: {a} against {b} (more than {half} apart)")
                    return
            elif a != b:
                print(f"{g} {k}: {a} against {b}")
                return
    print("yes")


if __name__ == "__main__":
    main()
