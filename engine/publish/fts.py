"""Full-text search of the published outcomes: firm name, product, regency and province.

`outcomes_fts` (SQLite FTS5, diacritics folded) holds one row per outcome, its rowid the outcome's rowid, read
from `outcomes` and its assessment's product (sqlite-utils' enable_fts indexes one table's own columns only, so
the index is filled with one INSERT ... SELECT); the site's outcomes table searches it (`?_search=`, metadata
`fts_table`: `rowid in (select rowid from outcomes_fts where outcomes_fts match ...)`). It is contentless
(`content=''`): the texts are the outcomes' own, not copied a second time (82 bytes per outcome). Built once
the outcomes are written.
"""
from __future__ import annotations

import sqlite3

FTS_TABLE = "outcomes_fts"
COLUMNS = ("ikm_name", "product", "regency", "province")


def build(conn: sqlite3.Connection) -> None:
    """Create and fill the search index (inside the caller's transaction)."""
    columns = ", ".join(f"[{c}]" for c in COLUMNS)
    conn.execute(f"CREATE VIRTUAL TABLE [{FTS_TABLE}] USING FTS5 "
                 f"({columns}, content='', columnsize=0, tokenize='unicode61 remove_diacritics 2')")
    conn.execute(f"INSERT INTO [{FTS_TABLE}] (rowid, {columns}) SELECT o.rowid, o.ikm_name, a.product, o.regency, "
                 f"o.province FROM outcomes o JOIN assessments a ON a.key = o.assessment")
    conn.execute(f"INSERT INTO [{FTS_TABLE}] ([{FTS_TABLE}]) VALUES ('optimize')")
