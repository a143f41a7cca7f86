"""JSON Lines populations: one assessment per line, read and checked fast, problems reported as usual.

The normal path (engine.inputs.assessment.check_one) builds positions and a pydantic model for every record:
about 1 ms each, too slow for a million. Here each line is parsed with the C JSON parser and a
`FastCheck` of the target edition accepts a record only when it is certainly valid: every key, type,
code, range and needed fact is checked against the same definitions (`Spec` of the same gates and
evidence, the same commodity lists and map), more strictly where a cheap test cannot be exact:

  * a decimal is accepted only when written in at most 16 characters without an exponent (so at
    most 15 significant digits and a float that is exactly the decimal's shortest form, compared
    exactly against whole-number bounds); longer ones, exponents, NaN, infinities, integers of
    10^15 or more and fields with fractional bounds go to the normal path;
  * a line with a key twice in one object goes to the normal path.

Anything the fast check does not accept is checked again by the normal path, on that line alone,
which gives the very diagnostics `load_assessments` gives (file:line, id, field, allowed), so the
fast check decides speed, never the verdict.
"""
from __future__ import annotations

import json
from dataclasses import replace
from typing import Any, Iterator

import numpy as np
import orjson

from ..errors import Diagnostic, OvopError
from ..rules import CommodityMap, Edition
from .assessment import Assessment, Catalogue, Check, check_one, item_label
from .read import _read_json
from .column import DIGITS_LIMIT, Column  # noqa: F401 (DIGITS_LIMIT: where it was)
from .values import Spec
from .shared import Shared
from .typed import Types, read_block, read_typed



class _Long(str):
    """A decimal written in more than 16 characters: left to the normal path."""


class _Twice(dict):
    """An object with a key written twice: left to the normal path."""


def _float(text: str):
    """A decimal of at most 16 characters without exponent: its float is exactly the value written
    (at most 15 significant digits, no underflow); any other is left to the normal path."""
    return float(text) if len(text) <= 16 and "e" not in text and "E" not in text else _Long(text)


def _pairs(pairs: list) -> dict:
    out = dict(pairs)
    return out if len(out) == len(pairs) else _Twice(out)


_decode = json.JSONDecoder(parse_float=_float).decode
_decode_pairs = json.JSONDecoder(parse_float=_float, object_pairs_hook=_pairs).decode


def parse(text: str) -> Any:
    """One line as data (raises ValueError on a syntax error: the normal path words it).

    A key written twice is seen without a hook per object when the line has no more colons than
    the record has keys (every key is followed by one); otherwise the line is parsed again, object
    by object, and a repeated key marks its object."""
    raw = _decode(text)
    if type(raw) is dict and text.count(":") == _keys(raw):
        return raw
    return _decode_pairs(text)


# A number the C parser could read differently from `parse` (17 or more characters, or an exponent) is found
# on the line mapped to 0 (digits, ".", "-"), e (e, E) and blanks: a run of 17 zeros or a zero before an e.
# Text can hold such a run too: that line is only read the slower way.
_SHAPES = bytes(ord("0") if chr(c) in "0123456789.-" else ord("e") if chr(c) in "eE" else ord(" ") for c in range(256))
_RUN = b"0" * 17
_BOM = b"\xef\xbb\xbf"
_OPEN, _CLOSE, _NEWLINE = ord("{"), ord("}"), ord("\n")
_PAIR = np.frombuffer(b"0e", dtype=np.uint16)[0]  # the two bytes as one number (either byte order)


def _exponent(shapes: bytes) -> bool:
    """Whether b"0e" is in `shapes`: its pairs of bytes compared as numbers, from each of the two first bytes
    (a bytes search steps through a chunk byte by byte: 18 times slower)."""
    n = len(shapes)
    return n > 1 and bool((np.frombuffer(shapes, dtype=np.uint16, count=n // 2) == _PAIR).any() or
                (np.frombuffer(shapes, dtype=np.uint16, count=(n - 1) // 2, offset=1) == _PAIR).any())


def _colons(data: bytes) -> int:
    return int(np.count_nonzero(np.frombuffer(data, dtype=np.uint8) == 58))


def parse_line(blob: bytes) -> Any:
    """One line (bytes) as `parse` reads it, faster: orjson when the line holds no number it could read
    differently (see _SHAPES) and no key twice (the colon count); otherwise `parse` itself.

    Raises UnicodeDecodeError (not UTF-8) or ValueError (a syntax error: the normal path words it)."""
    if blob.startswith(_BOM):  # a BOM, accepted as the normal path accepts it
        blob = blob[3:]
    shapes = blob.translate(_SHAPES)
    if _RUN not in shapes and b"0e" not in shapes:
        try:
            raw = orjson.loads(blob)
        except orjson.JSONDecodeError:
            raw = None
        if type(raw) is dict and blob.count(b":") == _keys(raw):
            return raw
    return parse(blob.decode("utf-8"))


def parse_lines(blobs: list[bytes]) -> list | None:
    """A chunk of lines as `parse_line` reads each, in one go: the shapes and the colons counted over the chunk
    at once (a line's colons are at least its keys, so equal sums mean equal on every line). None: some line
    needs `parse_line` itself (a BOM, a blank line, a long number or exponent, a key twice, a syntax error,
    a record that is not an object of objects); the caller then reads line by line."""
    joined = b"\n".join(blobs)
    shapes = joined.translate(_SHAPES)
    if _RUN in shapes or b"0e" in shapes or _BOM in joined or any(map(bytes.isspace, blobs)):
        return None
    try:
        raws = list(map(orjson.loads, blobs))
        keys = sum(len(r) + sum(len(v) for v in r.values() if type(v) is dict) for r in raws)
    except (orjson.JSONDecodeError, AttributeError, TypeError):
        return None
    return raws if keys == joined.count(b":") and all(type(r) is dict for r in raws) else None


def read_chunks(data: bytes, lists: dict[str, frozenset], editions: dict, sub: int) -> Iterator["Shared | None"]:
    """A chunk's bytes (its lines as read, newlines included) as `parse_lines` reads them and `Shared` holds
    them, `sub` lines at a time, each part given as it is read (the caller works on it while what it takes is
    close at hand). A None ends the parts when they cannot all be read so (some line needs `parse_line` itself,
    a record the careful path, or, told after the last part, a key is written twice: the keys counted from the
    well-formed sections against the colons of the bytes); the caller then reads line by line."""
    if not plain_numbers(data):
        yield None
        return
    keys = 0
    for shared in _parts(data, lists, editions, sub):
        if shared is None:
            yield None
            return
        keys += shared.keys
        yield shared
    if keys != _colons(data):
        yield None


def _parts(data: bytes, lists: dict[str, frozenset], editions: dict, sub: int) -> Iterator["Shared | None"]:
    """The chunk's records `sub` lines at a time (`read_records`; None: a part that is not all well formed). Where
    every line is one object (`_ends`), each part's lines are decoded at once (`typed.read_block`: no line cut
    out), and split only where that part is not all typed records (then read as `read_records` reads what
    the typed reader refuses)."""
    ends = _ends(data)
    if ends is None:
        lines = _lines(data)
        if not lines:
            yield None
        for at in range(0, len(lines), sub):
            yield read_records(lines[at:at + sub], lists, editions)
        return
    view = memoryview(data)
    for at in range(0, len(ends), sub):
        count = min(sub, len(ends) - at)
        block = view[int(ends[at - 1]) if at else 0:int(ends[at + count - 1])]
        yield read_block(block, count, lists, editions, parse_line) or \
            _untyped(_lines(bytes(block)), lists, editions)


def _ends(data: bytes) -> np.ndarray | None:
    """Where each line of a chunk ends (past its newline), when each starts with { and ends with } (None otherwise).
    A JSON text holds no newline between a } and a { but between two values, so such a line is one object or more
    written one after the other, and the records decoded from a part, as many as its lines, are one a line."""
    a = np.frombuffer(data, dtype=np.uint8)
    if not a.size or a[0] != _OPEN or (a[-1] != _NEWLINE and a[-1] != _CLOSE):
        return None
    newlines = np.flatnonzero(a == _NEWLINE)
    if not ((a[newlines - 1] == _CLOSE).all() and (a[newlines[newlines < a.size - 1] + 1] == _OPEN).all()):
        return None
    ends = newlines + 1
    return ends if a[-1] == _NEWLINE else np.append(ends, a.size)


def plain_numbers(data: bytes) -> bool:
    """Whether, as far as the bytes tell, orjson and msgspec read every number of these lines as `parse_line`
    would (no long number or exponent)."""
    shapes = data.translate(_SHAPES)
    return not (_RUN in shapes or _exponent(shapes))


def _lines(data: bytes) -> list[bytes]:
    lines = data.split(b"\n")
    if not lines[-1]:
        lines.pop()
    return lines


def read_records(lines: list[bytes], lists: dict[str, frozenset], editions: dict) -> "Shared | None":
    """A chunk's lines (its numbers `plain_numbers`) when every record is well formed (None otherwise): decoded
    as typed records (`typed.read_typed`), else read by orjson and checked by `Shared` (`_untyped`)."""
    return read_typed(lines, lists, editions, parse_line) or _untyped(lines, lists, editions)


def _untyped(lines: list[bytes], lists: dict[str, frozenset], editions: dict) -> "Shared | None":
    try:
        raws = list(map(orjson.loads, lines))
    except orjson.JSONDecodeError:
        return None
    shared = Shared(raws, lists, editions)
    return shared if shared.all_formed else None


def _keys(raw: dict) -> int:
    """Keys of the record and of its sections (a key of a deeper object adds a colon the count lacks)."""
    n = len(raw)
    for key in ("ikm", "gates", "evidence", "previous"):
        value = raw.get(key)
        if type(value) is dict:
            n += len(value)
    return n


class FastCheck:
    """Accept records as assessments re-targeted at one edition, or say "ask the normal path"."""

    def __init__(self, catalogue: Catalogue, target: Edition, cmap: CommodityMap):
        self.catalogue, self.target, self.cmap = catalogue, target, cmap
        self.editions = catalogue.editions
        self.lists = {e: frozenset(c.code for c in m.commodities) for e, m in self.editions.items()}
        Types.of(self.editions)  # built once, before any fork of workers
        self.gates = self._columns("gates", catalogue.gates)
        self.evidence = self._columns("evidence", catalogue.evidence)
        self.need_evidence = frozenset(target.evidence_names())
        self._mapped: dict[tuple[str, str], str | None] = {}
        self._need_gates: dict[str, frozenset] = {}

    def _columns(self, section: str, known: dict[str, Spec]) -> dict[str, Column]:
        specs = dict(known)  # a name the target does not define: its definition in the catalogue
        items = self.target.gates if section == "gates" else [c.evidence for c in self.target.criteria]
        specs.update({getattr(i, "fact", None) or i.name: Spec.of(i) for i in items})
        return {name: Column(spec) for name, spec in specs.items()}

    def chunk(self, raws: list, shared: "Shared | None" = None) -> list[dict | None]:
        """Each record re-targeted (a new dict), or None: not certainly valid (ask the normal path).

        `shared` holds what does not depend on the target, worked out once for several targets."""
        shared = shared or Shared(raws, self.lists, self.editions)
        target = self.target.edition
        return [dict(raw, edition=target, ikm=dict(raw["ikm"], commodity=m)) if m is not None else None
                for raw, m in zip(raws, self.accept(raws, shared))]

    def accept(self, raws: list, shared: "Shared") -> list[str | None]:
        """Per record, its commodity under the target when the record is certainly valid re-targeted (None: ask
        the normal path). What `chunk` decides, without making the re-targeted dicts."""
        layouts, memo = shared.layout_of, shared.shapes.setdefault(id(self), {})
        if shared.shape_keys is not None:  # every record formed: each kind of shape worked out once
            for key, i in dict(zip(shared.shape_keys, range(len(raws)))).items():
                if key not in memo:
                    memo[key] = self._shape_of(*shared.shape_of(i))
            mapped = list(map(memo.__getitem__, shared.shape_keys))
        else:
            mapped = [self._shape(raw, memo, g, e) if ok else None
                      for raw, ok, g, e in zip(raws, shared.formed, layouts["gates"], layouts["evidence"])]
        for section, columns in (("gates", self.gates), ("evidence", self.evidence)):
            for k, (names, rows, table) in enumerate(shared.tables[section]):
                for name, values in zip(names, table):
                    for i in shared.refused((section, k, name), columns.get(name), rows, values):
                        mapped[i] = None
        return mapped

    def __call__(self, raw: Any) -> dict | None:
        return self.chunk([raw])[0]

    def _shape(self, raw: dict, memo: dict, gates_layout: int, evidence_layout: int) -> str | None:
        """The target's part of the shape: the commodity in its list, needed and known names (or None).

        It depends only on the declared edition, the commodity and the keys of both sections: worked out
        once per such combination in a chunk (`memo`, the chunk's; layouts index `Shared.tables`)."""
        key = (raw["edition"], raw["ikm"]["commodity"], gates_layout, evidence_layout)
        if key not in memo:
            memo[key] = self._shape_of(raw["edition"], raw["ikm"]["commodity"], raw["gates"].keys(),
                                       raw["evidence"].keys())
        return memo[key]

    def _shape_of(self, declared: str, code: str, gates, evidence) -> str | None:
        """The commodity under the target of a record of `declared` edition with commodity `code` and these gate
        facts and evidence names (sets), when that shape is certainly valid (None: ask the normal path)."""
        commodity = self._map(declared, code)
        if commodity is None:
            return None
        if not (self._needs(commodity) <= gates and self.need_evidence <= evidence):
            return None
        return commodity if gates <= self.gates.keys() and evidence <= self.evidence.keys() else None

    def _map(self, declared: str, code: str) -> str | None:
        key = (declared, code)
        if key not in self._mapped:
            mapped, why = self.cmap.target(code, self.target) if code in self.lists[declared] else (None, "")
            self._mapped[key] = None if why else mapped
        return self._mapped[key]

    def _needs(self, commodity: str) -> frozenset:
        if commodity not in self._need_gates:
            self._need_gates[commodity] = frozenset(g.fact for g in self.target.gates_for(commodity))
        return self._need_gates[commodity]

def slow(text: str, file: str, line: int, item: int, catalogue: Catalogue, target: Edition | None,
         cmap: CommodityMap | None) -> tuple[Assessment | None, list[Diagnostic]]:
    """One line through the normal path: the assessment, or its diagnostics at file:line."""
    try:
        source = _read_json(text, file)
    except OvopError as exc:
        return None, [replace(d, line=line, context=text.rstrip()) for d in exc.diagnostics]
    raw = source.located.data
    check = Check(source, (), item_label(raw, f"item {item}"), [])
    assessment = check_one(check, raw, catalogue, target, cmap, [])
    errors = sorted(check.errors, key=lambda d: d.col or 0)
    return assessment, [replace(d, line=line, context=text.rstrip()) for d in errors]
