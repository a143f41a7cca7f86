"""Datasette plugin: canned queries listed only when the tables they need are there (engine/web/queries.py)."""
from __future__ import annotations

from datasette import hookimpl

from engine.web import conditional_queries

DB = "ovop"


@hookimpl
def canned_queries(datasette, database):
    if database != DB:
        return None

    async def inner():
        return await conditional_queries(datasette.get_database(DB))
    return inner
