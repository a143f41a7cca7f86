"""Facet counts of the unfiltered outcomes table from `outcome_facets`, counted once at publish.

Datasette counts a facet with `select col as value, count(*) as count from (select ... from outcomes)
where col is not null group by col order by count desc, value limit N`; unfiltered, at 1,000,000 outcomes
each such query walks a million index entries (~50-100 ms, five facets ~0.4 s). The site plugin wraps the
column facet so that, for the outcomes table with no filter, no search and no parameter, a facet query on
a column of engine.publish.FACET_COLUMNS reads the same rows (same order, same limit) from
`outcome_facets`; the per-edition stars facet (facets.py) of the unfiltered table reads its rows from
`outcome_edition_facets` (`per_edition`); every other facet query runs as Datasette writes it. `ovop verify`
checks the stored counts against the outcomes (engine.publish.audit).
"""
from __future__ import annotations

import re
from typing import Any

from ..publish import FACET_COLUMNS, PER_EDITION_COLUMNS

TABLE = "outcomes"
DATABASES: set[str] = set()  # the databases whose outcomes table has stored counts (install)
_FACET_SQL = re.compile(r"^\s*select (\S+) as value, count\(\*\) as count from \(\s*select .+? from \[?outcomes\]?\s*\)"
                        r"\s*where \1 is not null\s*group by \1 order by count desc, value limit (\d+)\s*$", re.S)
COUNTED = ("select value, [count] as count from outcome_facets where [column] = :column "
           "order by count desc, value limit :limit")


def unfiltered(sql: str, params: Any) -> bool:
    """The facet's base SQL is the whole outcomes table: no where clause, no parameter."""
    return not params and re.search(r"\bwhere\b", sql, re.I) is None


def counted(sql: str) -> tuple[str, dict] | None:
    """The outcome_facets query answering a facet query on the whole outcomes table, or None."""
    m = _FACET_SQL.match(sql)
    if m is None or not unfiltered(sql[sql.index("(") + 1:sql.rindex(")")], None):
        return None
    column = m.group(1).strip("[]`\"")
    if column not in FACET_COLUMNS:
        return None
    return COUNTED, {"column": column, "limit": int(m.group(2))}


PER_EDITION = ("select f.edition, f.value, f.count, e.scale_max as scale from outcome_edition_facets f "
               "left join editions e on e.id = f.edition where f.[column] = :column "
               "order by f.edition desc, f.value is null, f.value desc limit :limit")


def per_edition(database: str, table: str, sql: str, params: Any, column: str, edition: str, summed: bool,
                limit: int) -> tuple[str, dict] | None:
    """The outcome_edition_facets query answering the per-edition facet of the whole outcomes table, or None
    (another table or database, a filter, a search, a summed count or a column not counted there)."""
    if (database not in DATABASES or table != TABLE or summed or edition != "edition"
            or column not in PER_EDITION_COLUMNS or not unfiltered(sql, params)):
        return None
    return PER_EDITION, {"column": column, "limit": limit}


class Counted:
    """A Datasette seen by one facet: its execute answers unfiltered outcomes facet queries from outcome_facets."""

    def __init__(self, ds):
        self._ds = ds

    def __getattr__(self, name):
        return getattr(self._ds, name)

    async def execute(self, db_name, sql, params=None, **kw):
        found = counted(sql)
        if found is not None:
            sql, params = found
        return await self._ds.execute(db_name, sql, params, **kw)


def install(database: str) -> None:
    """Wrap Datasette's column facet (once) so the unfiltered outcomes table reads stored counts."""
    from datasette.facets import ColumnFacet
    DATABASES.add(database)
    if getattr(ColumnFacet.facet_results, "_ovop", False):
        return
    original = ColumnFacet.facet_results

    async def facet_results(self):
        if self.database in DATABASES and self.table == TABLE and unfiltered(self.sql, self.params):
            self.ds = Counted(self.ds)
        return await original(self)
    facet_results._ovop = True
    ColumnFacet.facet_results = facet_results
