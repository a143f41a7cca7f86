"""Repeat a synthetic population file N times with ids and firm names renumbered.

    .venv/bin/python bench/repeat_population.py /tmp/w14pop100k.jsonl /tmp/pop1m.jsonl --times 10

Copy k (0-based) keeps copy 0 as it is and writes `2024-SYN-000001` as `2024-SYN{k}-000001` and the
firm name's `SYN22-0762` as `SYN{k}22-0762`: every record has its own id, ikm and rows, while the
values repeat (SQLite and zlib see the distributions of the source file).
"""
from __future__ import annotations

import argparse

import orjson


def renumbered(line: bytes, k: int) -> bytes:
    if k == 0:
        return line
    rec = orjson.loads(line)
    rec["id"] = rec["id"].replace("-SYN-", f"-SYN{k}-", 1)
    ikm = rec.get("ikm") or {}
    if isinstance(ikm.get("name"), str):
        ikm["name"] = ikm["name"].replace(" SYN", f" SYN{k}", 1)
    return orjson.dumps(rec) + b"\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("source")
    ap.add_argument("out")
    ap.add_argument("--times", type=int, default=10)
    args = ap.parse_args()
    with open(args.source, "rb") as f:
        lines = [ln for ln in f if ln.strip()]
    with open(args.out, "wb") as out:
        for k in range(args.times):
            out.writelines(renumbered(ln, k) for ln in lines)


if __name__ == "__main__":
    main()
