"""Packed columns: each assessment's canonical input and each outcome's trace stored as one compressed value.

Row per step and JSON text per input made a 1,000,000-assessment database 2.6 GB (trace steps ~0.75 KB and the
input ~0.8 KB per assessment). Both are now Zstandard frames (level 3; the magic-less frame format, no checksum
and no dictionary id: 8 bytes a value that the table does not need) compressed with a dictionary stored in the
`codecs` table, so a database carries what it needs to read itself. The dictionaries are trained
(`zstandard.train_dictionary`) on a sample of the population being published, `SAMPLE` records evenly spread
over the (edition, id) order (`sample_positions`), their inputs for one and their traces for the other; a
population too small to train on (or one whose sample does not train) gets raw-content dictionaries written
from the rule set (every edition's field names, codes and rule ids in the canonical order). Training is
deterministic: the same sample gives the same dictionary, so `ovop verify` trains again on the stored sample
and compares. Measured on 20,000 assessments (docs/benchmarks.md, "Publishing"): an input ~95 bytes, a trace
~85, ~2.5 µs each to pack (raw DEFLATE with a preset dictionary written from the rule set, before: 179 and 150
bytes, ~25 µs).

A packed trace is the JSON array of its steps in step order, each `[rule, value, result, points]` (the step
number is the position, from 1). SQL reads both through `ovop_unpack(packed, dictionary)`, which `register`
adds to a connection (the site plugin, verify and `connect` do): the views `trace_steps`, `trace`, `evidence`
and `assessment_inputs` use it, so every step stays queryable in Datasette.
"""
from __future__ import annotations

import json
import sqlite3

import zstandard
from pathlib import Path
from typing import Any, Iterable

from .rules import dumps

LEVEL = 3  # level 6: ~13 bytes less a value for ~5.5 µs more each (measured on 20,000)
FORMAT = zstandard.FORMAT_ZSTD1_MAGICLESS
SAMPLE = 2000  # records the dictionaries are trained on (fewer in the population: the rule set's dictionaries)
DICT_SIZE = 32_000
PARTS = ("input", "trace")
TRAINED = f"zstd level {LEVEL}, magic-less frames, dictionary trained on {{n}} sampled values (zstandard.train_dictionary)"
FROM_RULES = f"zstd level {LEVEL}, magic-less frames, raw-content dictionary written from the rule set"
MAX_UNPACKED = 1_000_000  # bytes: an input or a trace is a few KB; a crafted value cannot fill memory
TRACE_JSON = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)  # a trace's text (and each step's)


class Codec:
    """A compressor and a decompressor over one dictionary (trained, or raw content: told by its first bytes)."""

    def __init__(self, dictionary: bytes):
        d = zstandard.ZstdCompressionDict(dictionary) if dictionary else None
        params = zstandard.ZstdCompressionParameters.from_level(LEVEL, format=FORMAT, write_checksum=0,
                                                                 write_dict_id=0, write_content_size=1)
        self.dictionary = dictionary
        self._pack = zstandard.ZstdCompressor(dict_data=d, compression_params=params).compress
        self._unpack = zstandard.ZstdDecompressor(dict_data=d, format=FORMAT).decompress

    def pack(self, data: str | bytes) -> bytes:
        return self._pack(data if data.__class__ is bytes else data.encode("utf-8"))

    def unpack(self, packed: bytes) -> str:
        """The text of a packed value; ValueError if it is not one of this dictionary's or would exceed
        MAX_UNPACKED bytes."""
        try:
            size = zstandard.get_frame_parameters(packed, format=FORMAT).content_size
            if size > MAX_UNPACKED:
                raise ValueError(f"a packed value unpacks to more than {MAX_UNPACKED:,} bytes")
            return self._unpack(packed, max_output_size=MAX_UNPACKED).decode("utf-8")
        except zstandard.ZstdError as exc:
            raise ValueError(f"not a packed value of this dictionary ({exc})") from None


_CODECS: list[Codec] = []  # the last few, found by comparing bytes (a 32 KB dictionary is not hashed per call)


def codec(dictionary: bytes) -> Codec:
    for c in _CODECS:
        if c.dictionary == dictionary:
            return c
    c = Codec(dictionary)
    _CODECS[:] = [c] + _CODECS[:3]
    return c


def pack(text: str | bytes, dictionary: bytes) -> bytes:
    return codec(dictionary).pack(text)


def unpack(packed: bytes, dictionary: bytes) -> str:
    return codec(dictionary).unpack(packed)


def train(samples: list[bytes]) -> bytes:
    """A dictionary trained on `samples`, deterministically (the same samples give the same bytes);
    ValueError when they do not train."""
    try:
        return zstandard.train_dictionary(DICT_SIZE, samples).as_bytes()
    except zstandard.ZstdError as exc:
        raise ValueError(f"the sample does not train a dictionary ({exc})") from None


def sample_positions(n: int) -> list[int]:
    """The positions (in the order written, from 0) of the records the dictionaries are trained on: SAMPLE of
    them evenly spread, or none when the population has fewer."""
    return [i * n // SAMPLE for i in range(SAMPLE)] if n >= SAMPLE else []


def trace_text(rows: Iterable[tuple]) -> str:
    """The JSON of one outcome's trace step rows (outcome, step, rule, value, result, points), steps 1..N."""
    return TRACE_JSON.encode(_steps(rows))


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
    """The two dictionaries a database's packed values use, one for inputs and one for traces, with the method
    that made them (the `codecs` table's rows)."""

    def __init__(self, input: bytes, trace: bytes, method: str):
        self.input, self.trace, self.method = input, trace, method
        self.inputs, self.traces = Codec(input), Codec(trace)

    @classmethod
    def of_rules(cls, ruleset, ids) -> "Codecs":
        """Raw-content dictionaries from the rule set: every edition's template, in id order."""
        editions = [ruleset.editions[e].model for e in sorted(ruleset.editions)]
        levels = level_facts(ruleset)
        return cls(_limit("".join(_input_template(ed) for ed in editions)),
                   _limit("".join(_trace_template(ids, ed.edition, levels) for ed in editions)), FROM_RULES)

    @classmethod
    def of_sample(cls, inputs: list[bytes], traces: list[bytes], ruleset, ids) -> "Codecs":
        """Dictionaries trained on the sampled records' canonical inputs and traces (as packed: `sample_positions`);
        the rule set's when there are fewer than SAMPLE or they do not train."""
        if len(inputs) >= SAMPLE:
            try:
                return cls(train(inputs), train(traces), TRAINED.format(n=len(inputs)))
            except ValueError:
                pass
        return cls.of_rules(ruleset, ids)

    def rows(self) -> list[dict[str, Any]]:
        return [{"part": "input", "method": self.method, "dictionary": self.input},
                {"part": "trace", "method": self.method, "dictionary": self.trace}]


def _limit(text: str) -> bytes:
    """The last 32,000 bytes (the later editions, most published): the dictionary is stored in every database."""
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
