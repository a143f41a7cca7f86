"""Packed columns: each assessment's canonical input and each outcome's trace stored as one compressed value.

Row per step and JSON text per input made a 1,000,000-assessment database 2.6 GB (trace steps ~0.75 KB and the
input ~0.8 KB per assessment). Both are now raw DEFLATE (zlib, wbits -15) with a preset dictionary written from
the rule set (every edition's field names, codes and rule ids, in the canonical order), stored in the `codecs`
table, so a database carries what it needs to read itself. A packed input is ~0.1 KB, a packed trace ~0.1 KB.

A packed trace is the JSON array of its steps in step order, each `[rule, value, result, points]` (the step
number is the position, from 1). SQL reads both through `ovop_unpack(packed, dictionary)`, which `register`
adds to a connection (the site plugin, verify and `connect` do): the views `trace_steps`, `trace`, `evidence`
and `assessment_inputs` use it, so every step stays queryable in Datasette.
"""
from __future__ import annotations

import json
import sqlite3
import zlib

import orjson
from pathlib import Path
from typing import Any, Iterable

from .rules import dumps

LEVEL = 6
PARTS = ("input", "trace")
METHOD = "deflate (zlib wbits -15, level 6) with the preset dictionary in this row"
_TRACE = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


def pack(text: str | bytes, dictionary: bytes) -> bytes:
    c = zlib.compressobj(LEVEL, zlib.DEFLATED, -15, 9, zlib.Z_DEFAULT_STRATEGY, dictionary)
    return c.compress(text if text.__class__ is bytes else text.encode("utf-8")) + c.flush()


MAX_UNPACKED = 1_000_000  # bytes: an input or a trace is a few KB; a crafted value cannot fill memory


def unpack(packed: bytes, dictionary: bytes) -> str:
    d = zlib.decompressobj(-15, dictionary)
    out = d.decompress(packed, MAX_UNPACKED)
    if d.unconsumed_tail:
        raise ValueError(f"a packed value unpacks to more than {MAX_UNPACKED:,} bytes")
    return (out + d.flush()).decode("utf-8")


def trace_text(rows: Iterable[tuple]) -> str:
    """The JSON of one outcome's trace step rows (outcome, step, rule, value, result, points), steps 1..N."""
    return _TRACE.encode(_steps(rows))


def trace_bytes(rows: Iterable[tuple]) -> bytes:
    """trace_text's very text as UTF-8, by orjson where it writes the same (steps of ints, texts and nulls whose
    texts are valid Unicode: the same compact form, the same escapes); otherwise by the careful encoder."""
    steps = _steps(rows)
    if all(type(s[0]) is int and type(s[1]) in _PLAIN and type(s[2]) in _PLAIN and type(s[3]) in _INTS for s in steps):
        try:
            return orjson.dumps(steps)
        except TypeError:  # a lone surrogate, an integer past 64 bits
            pass
    return _TRACE.encode(steps).encode("utf-8")


_PLAIN = (str, type(None))
_INTS = (int, type(None))


def _steps(rows: Iterable[tuple]) -> list:
    steps = []
    for k, r in enumerate(rows, 1):
        if r[1] != k:
            raise ValueError(f"trace steps are not numbered 1..N: step {r[1]} at position {k}")
        steps.append(r[2:])
    return steps


def trace_rows(outcome: int, text: str) -> list[tuple]:
    """The step rows of a packed trace's JSON, as trace_text was given them."""
    return [(outcome, k, *s) for k, s in enumerate(json.loads(text), 1)]


def _sql_unpack(packed: Any, dictionary: Any) -> str | None:
    if packed is None or dictionary is None:
        return None
    return unpack(bytes(packed), bytes(dictionary))


def _sql_pack(text: Any, dictionary: Any) -> bytes | None:
    if text is None or dictionary is None:
        return None
    return pack(str(text), bytes(dictionary))


def register(conn: sqlite3.Connection, pack_too: bool = False) -> None:
    """Add ovop_unpack(packed, dictionary) to a connection, and ovop_pack(text, dictionary) with `pack_too`."""
    conn.create_function("ovop_unpack", 2, _sql_unpack, deterministic=True)
    if pack_too:
        conn.create_function("ovop_pack", 2, _sql_pack, deterministic=True)


def connect(path: str | Path, readonly: bool = False) -> sqlite3.Connection:
    """A connection to a published database that can read its packed columns and views (and write them)."""
    conn = (sqlite3.connect(f"file:{Path(path).resolve()}?mode=ro", uri=True) if readonly
            else sqlite3.connect(str(path)))
    register(conn, pack_too=not readonly)
    return conn


class Codecs:
    """The dictionaries of one rule set: one for inputs, one for traces (every edition's template in id order)."""

    def __init__(self, ruleset, ids):
        editions = [ruleset.editions[e].model for e in sorted(ruleset.editions)]
        self.input = _limit("".join(_input_template(ed) for ed in editions))
        levels = level_facts(ruleset)
        self.trace = _limit("".join(_trace_template(ids, ed.edition, levels) for ed in editions))

    def rows(self) -> list[dict[str, Any]]:
        return [{"part": "input", "method": METHOD, "dictionary": self.input},
                {"part": "trace", "method": METHOD, "dictionary": self.trace}]

    def pack_input(self, text: str) -> bytes:
        return pack(text, self.input)

    def pack_trace(self, rows: Iterable[tuple]) -> bytes:
        return pack(trace_bytes(rows), self.trace)


def _limit(text: str) -> bytes:
    """DEFLATE looks back 32 KB: the last 32,000 bytes (the later editions, most published) are kept."""
    return text.encode("utf-8")[-32000:]


def _input_template(ed) -> str:
    """A canonical input of the edition with every gate fact and evidence name, then its codes."""
    evidence = {}
    for c in ed.criteria:
        ev = c.evidence
        evidence[ev.name] = ev.codes[0].code if ev.codes else 1
    gates = {g.fact: True if g.type == "boolean" else 10 for g in ed.gates}
    codes = [cd.code for c in ed.criteria for cd in (c.evidence.codes or [])] + [c.code for c in ed.commodities]
    template = {"edition": ed.edition, "evidence": evidence, "gates": gates, "id": f"{ed.edition}-",
                "ikm": {"commodity": ed.commodities[0].code if ed.commodities else "", "name": "", "product": "",
                        "province": "", "regency": ""}, "previous": {"edition": "", "stars": 0}}
    return "".join(f'"{c}"' for c in dict.fromkeys(codes)) + dumps(template)


_SUFFIX = {"gate": ',"true","pass",null]', "criterion": ',"1",null,1]', "subtotal": ",null,null,1]",
           "score": ',"1/2","1.5",null]', "band": ",null,null,null]", "cap": ',null,"band_within_cap",null]',
           "consequence": ',"tetap",null,null]'}


def _trace_template(ids, edition: str, levels: dict[str, tuple[int, list[str]]]) -> str:
    """Every rule of the edition as a trace step would name it, in the trace's order (a level with its points
    and its first code)."""
    steps = []
    for r in ids.rows:
        if r["edition"] != edition:
            continue
        suffix = _SUFFIX[r["kind"]]
        if r["kind"] == "criterion" and r["key"] in levels:
            points, codes = levels[r["key"]]
            suffix = f',{dumps(codes[0]) if codes else chr(34) + "1" + chr(34)},null,{points}]'
        steps.append(f"[{r['id']}{suffix}")
    return "[" + ",".join(steps) + "]"


def level_facts(ruleset) -> dict[str, tuple[int, list[str]]]:
    """Each level's key -> (its points, its codes), from the levels rows publish writes."""
    import json as _json
    from .rules import rule_rows
    return {row["key"]: (row["points"], _json.loads(row["codes"]) if row["codes"] else [])
            for table, row in rule_rows(ruleset) if table == "levels"}
