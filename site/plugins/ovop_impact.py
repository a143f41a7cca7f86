"""Datasette plugin for the OVOP site: the data behind an impact run's page (`ovop impact --publish`), its
transition matrix as a grid and its movers with links to their published outcomes."""
from __future__ import annotations

import json
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import tilde_encode, urlsafe_components

DB = "ovop"
PAGE_MOVERS = 500  # movers on the page; the table and the canned query list every one


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    if view_name != "row" or database != DB or table != "impact_runs" or request is None:
        return {}

    async def inner():
        run = urlsafe_components(request.url_vars["pks"])[0]
        return {"ovop_impact": await impact_page(datasette.get_database(DB), datasette, run)}
    return inner


async def impact_page(db, datasette, run: str) -> dict:
    """The matrix (rows: base states, columns: draft states, zeros filled in) and the first movers."""
    found = list(await db.execute("select states from impact_runs where run = ?", [run]))
    if not found:
        return {}
    states = json.loads(found[0][0])
    counts = {(r[0], r[1]): r[2] for r in await db.execute(
        "select base_state, draft_state, assessments from impact_transitions where run = ?", [run])}
    matrix = [{"state": b, "cells": [counts.get((b, a), 0) for a in states],
               "total": sum(counts.get((b, a), 0) for a in states)} for b in states]
    movers = []
    for r in await db.execute("select * from impact_movers where run = ? order by n limit ?", [run, PAGE_MOVERS]):
        m = dict(r)
        m["reason_list"] = json.loads(m["reasons_json"])
        m["outcome_url"] = (datasette.urls.row(DB, "outcomes", tilde_encode(m["assessment"]))
                            if m["assessment"] else None)
        movers.append(m)
    query = "?" + urlencode({"run": run})
    return {"states": states, "matrix": matrix, "movers": movers, "shown": len(movers),
            "movers_url": datasette.urls.table(DB, "impact_movers") + query,
            "query_url": datasette.urls.database(DB) + "/impact_movers_for" + query,
            "skipped_url": datasette.urls.table(DB, "impact_not_retargeted") + query}
