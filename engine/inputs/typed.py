"""A chunk's lines decoded straight into typed records (msgspec Structs), then held as `Shared` holds them.

The types are those of every edition at once (`Types`): a record has the keys id, edition, ikm, gates and
evidence (previous may be left out, or null); ikm has exactly its five texts, all but the commodity not empty;
each gate fact and evidence name of some edition is optional, of the kinds the editions give it (a boolean, a
whole number, a number, or one of the codes of every edition that defines it); no other key anywhere. msgspec
checks all that in C while it reads (about 1 µs a record against orjson's 2 and `Shared`'s 1.6 more), and
refuses any line that is not such a record: the caller then reads the part as it always did (orjson,
`Shared`, line by line). What it accepts it reads as `parse_line` does (the same values of the same types: a
whole number of a number field stays an int); the chunk's long numbers and exponents are told beforehand from
the bytes (`population.plain_numbers`), a key written twice after, from the keys counted (`TypedShared.keys`).

`TypedShared` gives what `Shared` gives of a chunk whose records are all well formed: ids, declared editions,
commodities, previous results, keys counted, and the gate and evidence values as columns per layout of the
section's keys (the names given: the fields not left unset). Its `raws` read a record from its line only when
asked (`parse_line`): the fast path asks for none.
"""
from __future__ import annotations

from itertools import repeat
from operator import attrgetter, is_, itemgetter
from typing import Annotated, Any, Callable, Literal, Union

import msgspec
import numpy as np
from msgspec.structs import astuple

from .shared import IKM_KEYS, NEEDED_KEYS, PREVIOUS_KEYS, Shared, _ids, _previous_ok
from .values import Spec

UNSET = msgspec.UNSET
_TYPES: dict[tuple, tuple] = {}  # the editions' (name, id(model)) -> (their models, Types): the models kept, so
# that the ids stay theirs (`Catalogue.editions` makes a new dict each time it is asked for: one Types for all)
_OPTS = dict(forbid_unknown_fields=True, gc=False)
_TEXT = Annotated[str, msgspec.Meta(min_length=1)]


def _kind(specs: list[Spec]) -> Any:
    """The type of a field that these definitions give (one per edition defining it)."""
    kinds = {s.kind for s in specs}
    if kinds == {"boolean"}:
        return bool
    if kinds == {"integer"}:
        return int
    if kinds <= {"integer", "number"}:
        return Union[int, float]
    if kinds == {"enum"}:
        return Literal[tuple(sorted({c for s in specs for c in s.codes}))]
    return Any


class Types:
    """The record types of a rule set's editions, and a decoder of one line into a record."""

    def __init__(self, editions: dict):
        specs: dict[str, dict[str, list[Spec]]] = {"gates": {}, "evidence": {}}
        for model in editions.values():
            for g in model.gates:
                specs["gates"].setdefault(g.fact, []).append(Spec.of(g))
            for c in model.criteria:
                specs["evidence"].setdefault(c.evidence.name, []).append(Spec.of(c.evidence))
        self.names = {s: tuple(sorted(d)) for s, d in specs.items()}
        self.kinds = {s: {n: _kind(v) for n, v in d.items()} for s, d in specs.items()}
        sections = {s: msgspec.defstruct(s.title(), [(n, Union[self.kinds[s][n], msgspec.UnsetType], UNSET)
                                                      for n in self.names[s]], **_OPTS) for s in specs}
        ikm = msgspec.defstruct("Ikm", [(k, str if k == "commodity" else _TEXT) for k in sorted(IKM_KEYS)], **_OPTS)
        previous = msgspec.defstruct("Previous", [("edition", str), ("stars", int)], **_OPTS)
        self.record = msgspec.defstruct("Record", [("id", str), ("edition", str), ("ikm", ikm),
                                                   ("gates", sections["gates"]), ("evidence", sections["evidence"]),
                                                   ("previous", Union[previous, None, msgspec.UnsetType], UNSET)],
                                        **_OPTS)
        decoder = msgspec.json.Decoder(self.record)
        self.decode, self.decode_lines = decoder.decode, decoder.decode_lines

    @classmethod
    def of(cls, editions: dict) -> "Types":
        key = tuple((name, id(model)) for name, model in editions.items())
        kept = _TYPES.get(key)
        if kept is None:
            if len(_TYPES) >= 16:
                _TYPES.clear()
            kept = _TYPES[key] = (tuple(editions.values()), cls(editions))
        return kept[1]


class Lines:
    """A chunk's records read from their lines when asked (by `read`: `parse_line`, as the careful path reads them);
    the lines given, or cut from their `block` of bytes (each line's newline included, the last's maybe not) when
    first asked for."""

    def __init__(self, lines: list[bytes] | None, read: Callable[[bytes], Any], block: memoryview | None = None,
                 count: int = 0):
        self._lines, self.read, self.block, self.count = lines, read, block, len(lines) if lines is not None else count

    @property
    def lines(self) -> list[bytes]:
        if self._lines is None:
            self._lines = bytes(self.block).split(b"\n")[:self.count]
        return self._lines

    def __len__(self) -> int:
        return self.count

    def __getitem__(self, i: int) -> dict:
        return self.read(self.lines[i])

    def __iter__(self):
        return map(self.__getitem__, range(self.count))


def read_typed(lines: list[bytes], lists: dict[str, frozenset], editions: dict,
               read: Callable[[bytes], Any]) -> "TypedShared | None":
    """The lines decoded as typed records, when every one is a well-formed record (None otherwise); `read` reads
    one line as the careful path does, for the records asked for (`TypedShared.raws`)."""
    types = Types.of(editions)
    try:
        records = list(map(types.decode, lines))
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    return TypedShared.of(records, Lines(lines, read), lists, editions, types)


def read_block(block: memoryview, count: int, lists: dict[str, frozenset], editions: dict,
               read: Callable[[bytes], Any]) -> "TypedShared | None":
    """`count` lines of one object each (`population._ends`), decoded at once, as `read_typed` decodes them one
    by one (None: some line is not a well-formed record, or is two objects)."""
    types = Types.of(editions)
    try:
        records = types.decode_lines(block)
    except (msgspec.DecodeError, msgspec.ValidationError):
        return None
    if len(records) != count:
        return None
    return TypedShared.of(records, Lines(None, read, block, count), lists, editions, types)


class TypedShared(Shared):
    """`Shared` of typed records (all well formed, or none made: `of` gives None)."""

    @classmethod
    def of(cls, records: list, lines: Lines, lists: dict, editions: dict, types: Types) -> "TypedShared | None":
        n = len(records)
        ids, declared = list(map(attrgetter("id"), records)), list(map(attrgetter("edition"), records))
        if not n or not _ids.fullmatch("\0".join(ids)) or not lists.keys() >= set(declared):
            return None
        previous = list(map(attrgetter("previous"), records))
        prev_keys = n - previous.count(UNSET)  # null counts as a key written
        given = [(k, p) for k, p in enumerate(previous) if p is not None and p is not UNSET]
        if any(not _previous_ok({"edition": e, "stars": s}, d, editions)
               for e, s, d in {(p.edition, p.stars, declared[k]) for k, p in given}):
            return None
        self = cls.__new__(cls)
        self.records = records  # the Structs (publish reads its rows from them: engine.publish.parallel)
        self.raws, self.all_formed, self.formed = lines, True, [True] * n
        self.ids, self.declared = ids, declared
        self.commodity = list(map(attrgetter("commodity"), map(attrgetter("ikm"), records)))
        self.previous, self._given = previous, given
        keys = n * len(NEEDED_KEYS) + prev_keys + n * len(IKM_KEYS) + len(PREVIOUS_KEYS) * len(given)
        self.tables, self.layout_of = {}, {}
        for section in ("gates", "evidence"):
            table, where, written = _layouts(types.names[section], list(map(attrgetter(section), records)))
            self.tables[section], self.layout_of[section] = table, where
            keys += written
        self.keys = keys
        self.shape_keys = list(zip(declared, self.commodity, self.layout_of["gates"], self.layout_of["evidence"]))
        self._verdicts, self.shapes, self.numbers, self._kinds = {}, {}, {}, types.kinds
        return self

    def _all_valid(self, where: tuple, column, values) -> bool:
        """As `Shared`'s, told by the field's type where it can be: a type that admits only values the column takes
        (booleans for a boolean column, codes of the column's for an enum) has been checked by msgspec already;
        a number's type admits no boolean."""
        kind = self._kinds[where[0]][where[2]]
        if _within(kind, column):
            return True
        return column.all_valid(values, self.numbers, booleans=kind not in _NUMBERS)

    def shape_of(self, i: int) -> tuple:
        return (self.declared[i], self.commodity[i], self._names("gates", i), self._names("evidence", i))

    def _names(self, section: str, i: int) -> frozenset:
        return frozenset(self.tables[section][self.layout_of[section][i]][0])

    def column_memo(self) -> dict:
        """As `Shared`'s, with the states of the gate facts of a type that admits only booleans (read as such by
        msgspec): each value's truth, as `engine.batch.columns` codes a boolean (1 true, 0 false)."""
        memo = super().column_memo()
        kinds = self._kinds["gates"]
        for names, _, table in self.tables["gates"]:
            for name, values in zip(names, table):
                if kinds[name] is bool:
                    memo[(id(values), "state")] = np.fromiter(values, dtype=bool, count=len(values)).view(np.int8)
        return memo

    def previous_columns(self) -> dict:
        at = np.asarray([k for k, _ in self._given], dtype=np.int64)
        return {"at": at, "editions": [p.edition for _, p in self._given], "stars": [p.stars for _, p in self._given]}


_NUMBERS = (int, Union[int, float])


def _within(kind: Any, column) -> bool:
    """Every value of type `kind` is one `column` takes."""
    if column.kind == "boolean":
        return kind is bool
    return column.kind == "enum" and getattr(kind, "__origin__", None) is Literal and \
        set(kind.__args__) <= column.codes


def _layouts(names: tuple, sections: list) -> tuple[list[tuple], list[int], int]:
    """A section's (names, rows, values per name) per layout (the names given, in order of first record), each
    record's layout, and the values given in all."""
    n = len(sections)
    columns = list(zip(*map(astuple, sections))) if names else []
    unset = [(k, np.fromiter(map(is_, column, repeat(UNSET)), dtype=bool, count=n))
             for k, column in enumerate(columns) if UNSET in column]
    written = n * len(columns) - sum(int(mask.sum()) for _, mask in unset)
    if not unset:
        return [(names, list(range(n)), columns)], [0] * n, written
    code = np.zeros(n, dtype=np.int64)
    for bit, (_, mask) in enumerate(unset):
        code |= mask.astype(np.int64) << bit
    kinds, first, where = np.unique(code, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    where = rank[where.reshape(-1)]
    tables = []
    for k in range(len(kinds)):
        rows = np.flatnonzero(where == k).tolist()
        absent = {c for c, mask in unset if mask[rows[0]]}
        kept = [c for c in range(len(columns)) if c not in absent]
        if len(kinds) == 1:
            values = [columns[c] for c in kept]
        else:
            take = itemgetter(*rows) if len(rows) > 1 else (lambda column, i=rows[0]: (column[i],))
            values = [take(columns[c]) for c in kept]
        tables.append((tuple(names[c] for c in kept), rows, values))
    return tables, where.tolist(), written
