"""Shared by the generators: write the relations a real implementation reports.

Given a comparison function from the ecosystem's own tool, sorts the input list with it and writes
one line per neighbour pair of the sorted list and of a fixed shuffle: `A < B`, `A = B` or `A > B`.
"""
import functools
import random


def write(path, header, versions, cmp):
    ordered = sorted(versions, key=functools.cmp_to_key(cmp))
    shuffled = list(versions)
    random.Random(7).shuffle(shuffled)
    sign = {-1: "<", 0: "=", 1: ">"}
    with open(path, "w") as out:
        for line in header:
            out.write(f"# {line}\n")
        for seq in (ordered, shuffled):
            for a, b in zip(seq, seq[1:]):
                out.write(f"{a} {sign[cmp(a, b)]} {b}\n")
