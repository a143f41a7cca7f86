"""A chunk of parsed records as the fast check reads them (`Shared`): which are well formed (keys, id, edition,
ikm, previous result: a column at a time when all are, `_formed_columns`, else record by record, `_row`),
and their gate and evidence values as columns, per layout of the section's keys (`_layouts`)."""
from __future__ import annotations

import re
from itertools import repeat
from operator import is_not, itemgetter
from typing import TYPE_CHECKING, Any

import numpy as np

from .assessment import ID_PATTERN

if TYPE_CHECKING:
    from .column import Column

TOP_KEYS = frozenset(("id", "edition", "ikm", "gates", "evidence", "previous"))
NEEDED_KEYS = frozenset(("id", "edition", "ikm", "gates", "evidence"))
IKM_KEYS = frozenset(("name", "province", "regency", "commodity", "product"))
PREVIOUS_KEYS = frozenset(("edition", "stars"))
_id = re.compile(ID_PATTERN)
_ids = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(?:\0[A-Za-z0-9][A-Za-z0-9._-]*)*")  # ids joined by NUL, each matching ID_PATTERN


class Shared:
    """What the fast check of a chunk does not owe to its target: which records are well formed
    (keys, id, edition, ikm, previous), their gate and evidence values as columns (records grouped
    by the keys of the section, in order), and the verdict on each column for each kind of field.

    When every record is well formed (`all_formed`: told a column at a time, `_formed_columns`; else each
    record checked by `_row`, to tell which are) the chunk's columns are kept too: ids, declared editions, commodities, previous results, the keys counted, and per
    record what its shape depends on (`shape_keys`)."""

    def __init__(self, raws: list, lists: dict[str, frozenset], editions: dict):
        cols = _formed_columns(raws, lists, editions)
        if cols is None:  # some record not well formed: which ones, record by record
            rows = [_row(raw, lists, editions) for raw in raws]
            self.formed = list(map(is_not, rows, repeat(None)))
        else:
            self.formed = [True] * len(raws)
        self.raws, self.all_formed = raws, cols is not None
        self.ids, self.declared, self.commodity, self.previous, self.keys = \
            (cols[0], cols[1], cols[2], cols[5], cols[6]) if cols else (None,) * 5
        self.tables: dict[str, list[tuple]] = {}
        self.layout_of: dict[str, list[int]] = {}  # per record, the index of its layout in tables (-1: not formed)
        for k, section in enumerate(("gates", "evidence")):
            dicts = cols[3 + k] if cols else [r[3 + k] if r else None for r in rows]
            self.tables[section], self.layout_of[section] = _layouts(dicts)
        self.shape_keys = list(zip(self.declared, self.commodity, self.layout_of["gates"],
                                   self.layout_of["evidence"])) if cols else None
        self._verdicts: dict[tuple, set] = {}
        self.shapes: dict[int, dict] = {}  # per FastCheck (by id), its verdicts on this chunk's layouts
        self.numbers: dict[int, np.ndarray] = {}  # id of a table's values -> them as float64 (the checks read them)

    def shape_of(self, i: int) -> tuple:
        """What record i's shape depends on: its declared edition, commodity, gate facts and evidence names."""
        raw = self.raws[i]
        return raw["edition"], raw["ikm"]["commodity"], raw["gates"].keys(), raw["evidence"].keys()

    def previous_columns(self) -> dict | None:
        """The previous results as `columns_of_tables` reads them (None: read from the records)."""
        return None

    def column_memo(self) -> dict:
        """What `columns_of_tables` may take from the reader rather than work out again (its `memo`): the numbers
        the fast checks have read (after `FastCheck.accept`), the previous results."""
        memo: dict = {(k, "number"): arr for k, arr in self.numbers.items()}
        previous = self.previous_columns()
        if previous is not None:
            memo[("previous",)] = previous
        return memo

    def refused(self, where: tuple, column: "Column | None", rows: list[int], values) -> set:
        """The rows whose value is not certainly valid for `column` (None: a name the target lacks,
        which `FastCheck._shape` has refused already)."""
        if column is None:
            return set()
        key = where + (column.key,)
        if key not in self._verdicts:
            ok = self._all_valid(where, column, values)
            self._verdicts[key] = set() if ok else {i for i, v in zip(rows, values) if not column.valid(v)}
        return self._verdicts[key]

    def _all_valid(self, where: tuple, column: "Column", values) -> bool:
        return column.all_valid(values, self.numbers)


def _layouts(dicts: list) -> tuple[list[tuple], list[int]]:
    """A section's (names, rows, values per name) per layout of its keys (in order of first record), and each
    record's layout (-1: None, a record not formed)."""
    keys = list(map(tuple, dicts)) if None not in dicts else [None if d is None else tuple(d) for d in dicts]
    if keys and keys[0] is not None and keys.count(keys[0]) == len(keys):  # one layout: no grouping
        layouts, where = {keys[0]: list(range(len(keys)))}, [0] * len(keys)
    else:
        order = {key: k for k, key in enumerate(key for key in dict.fromkeys(keys) if key is not None)}
        where = list(map(order.get, keys, repeat(-1)))
        codes = np.asarray(where, dtype=np.int64)
        layouts = {key: np.flatnonzero(codes == k).tolist() for key, k in order.items()}
    tables = [(names, rows, list(zip(*map(tuple, map(dict.values, map(dicts.__getitem__, rows))))))
              for names, rows in layouts.items()]
    return tables, where


def _formed_columns(raws: list, lists: dict[str, frozenset], editions: dict) -> tuple | None:
    """`_row`'s columns of a chunk whose records are all well formed (the keys counted, summed), each test made
    a column at a time; None when some record is not, or there are none (`_row` then finds which).

    The keys are told by counting: every needed key is there (no KeyError) and the keys of all records add up to
    the needed ones and the previous results given, so no record has another key; the same for ikm and
    previous. The ids are matched at once, joined by a character no id can hold."""
    try:
        if not raws or set(map(type, raws)) != {dict}:
            return None
        ids, declared, ikms, gates, evidence = (list(map(itemgetter(k), raws)) for k in
                                                ("id", "edition", "ikm", "gates", "evidence"))
        previous = list(map(dict.get, raws, repeat("previous")))
        if set(map(type, ids)) != {str} or not _ids.fullmatch("\0".join(ids)) or set(map(type, declared)) != {str} \
                or not lists.keys() >= set(declared) or set(map(type, ikms)) != {dict} \
                or set(map(type, gates)) != {dict} or set(map(type, evidence)) != {dict} \
                or sum(map(len, raws)) != len(NEEDED_KEYS) * len(raws) + sum(map(dict.__contains__, raws,
                                                                                 repeat("previous"))) \
                or sum(map(len, ikms)) != len(IKM_KEYS) * len(ikms):
            return None
        ikm = {k: list(map(itemgetter(k), ikms)) for k in IKM_KEYS}
    except KeyError:  # a needed key missing
        return None
    if any(set(map(type, column)) != {str} for column in ikm.values()) or \
            not all(all(ikm[k]) for k in ("name", "province", "regency", "product")):
        return None
    given = [(p, d) for p, d in zip(previous, declared) if p is not None]
    if given and not _previous_all_ok(given, editions):
        return None
    keys = sum(map(len, raws)) + len(IKM_KEYS) * len(raws) + sum(map(len, gates)) + sum(map(len, evidence)) \
        + len(PREVIOUS_KEYS) * len(given)
    return ids, declared, ikm["commodity"], gates, evidence, previous, keys


def _previous_all_ok(given: list[tuple], editions: dict) -> bool:
    """Every (previous result, declared edition) as `_previous_ok` wants it, each kind told once."""
    if set(type(p) for p, _ in given) != {dict}:
        return False
    try:
        if sum(len(p) for p, _ in given) != len(PREVIOUS_KEYS) * len(given):
            return False
        kinds = {(type(p["edition"]), p["edition"], type(p["stars"]), p["stars"], d) for p, d in given}
    except (KeyError, TypeError):  # a key missing; a list or an object where a value is: not well formed
        return False
    return all(_previous_ok({"edition": e, "stars": s}, d, editions) for _, e, _, s, d in kinds)


def _formed(raw: Any, lists: dict[str, frozenset], editions: dict) -> bool:
    return _row(raw, lists, editions) is not None


def _row(raw: Any, lists: dict[str, frozenset], editions: dict) -> tuple | None:
    """(id, declared edition, commodity, gates, evidence, previous, keys counted) of a well-formed record (its
    keys, id, edition, ikm and previous); None for any other."""
    if type(raw) is not dict or not raw.keys() <= TOP_KEYS or not NEEDED_KEYS <= raw.keys():
        return None
    ident, declared, ikm = raw["id"], raw["edition"], raw["ikm"]
    if type(ident) is not str or not _id.match(ident) or type(declared) is not str or declared not in lists:
        return None
    if type(ikm) is not dict or ikm.keys() != IKM_KEYS or set(map(type, ikm.values())) != {str}:
        return None
    if not (ikm["name"] and ikm["province"] and ikm["regency"] and ikm["product"]):
        return None
    gates, evidence = raw["gates"], raw["evidence"]
    if type(gates) is not dict or type(evidence) is not dict:
        return None
    prev = raw.get("previous")
    if prev is not None and not _previous_ok(prev, declared, editions):
        return None
    keys = len(raw) + len(IKM_KEYS) + len(gates) + len(evidence) + (0 if prev is None else len(PREVIOUS_KEYS))
    return ident, declared, ikm["commodity"], gates, evidence, prev, keys


def _previous_ok(prev: Any, declared: str, editions: dict) -> bool:
    if type(prev) is not dict or prev.keys() != PREVIOUS_KEYS:
        return False
    edition, stars = prev["edition"], prev["stars"]
    if type(edition) is not str or edition not in editions or edition >= declared or type(stars) is not int:
        return False
    scale = editions[edition].star_scale
    return stars == 0 or scale.min <= stars <= scale.max
