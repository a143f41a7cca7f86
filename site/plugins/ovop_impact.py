"""Datasette plugin for the OVOP site: the data behind an impact run's page (`ovop impact --publish`), its
transition matrix as a grid and its movers with links to their published outcomes."""
from __future__ import annotations

import json
from urllib.parse import urlencode

from datasette import hookimpl
from datasette.utils import tilde_encode, urlsafe_components

from engine.decide.words import LINE as OUTCOME_WORDS
from engine.impact import score_text

DB = "ovop"
STATUS = {s: (OUTCOME_WORDS["id"][s], s.replace("_", " ")) for s in ("awarded", "conditional", "ineligible",
                                                                    "not_awarded")}
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
    found = list(await db.execute("select * from impact_runs where run = ?", [run]))
    if not found:
        return {}
    info = dict(found[0])
    states = json.loads(info["states"])
    counts = {(r[0], r[1]): r[2] for r in await db.execute(
        "select base_state, draft_state, assessments from impact_transitions where run = ?", [run])}
    matrix = [{"state": b, "cells": [counts.get((b, a), 0) for a in states],
               "total": sum(counts.get((b, a), 0) for a in states)} for b in states]
    movers = []
    for r in await db.execute("select * from impact_movers where run = ? order by n limit ?", [run, PAGE_MOVERS]):
        m = dict(r)
        m["reason_list"] = json.loads(m["reasons_json"])
        m["reason_list_en"] = json.loads(m.get("reasons_en_json") or m["reasons_json"])
        for side in ("base", "draft"):
            m[side + "_said"] = STATUS.get(m[side + "_status"], (m[side + "_status"],) * 2)
            m[side + "_score_said"] = tuple(score_text(m[side + "_score"], lang, "–") for lang in ("id", "en"))
        m["outcome_url"] = (datasette.urls.row(DB, "outcomes", tilde_encode(m["assessment"]))
                            if m["assessment"] else None)
        movers.append(m)
    query = "?" + urlencode({"run": run})
    assumed = json.loads(info.get("assumed") or "{}")
    return {"states": states, "matrix": matrix, "movers": movers, "shown": len(movers),
            "assumed": [(k.split(".", 1)[1], "true" if v is True else "false" if v is False else v)
                        for k, v in assumed.items()],
            "datasets": json.loads(info["datasets"]),
            "movers_url": datasette.urls.table(DB, "impact_movers") + query,
            "query_url": datasette.urls.database(DB) + "/impact_movers_for" + query,
            "skipped_url": datasette.urls.table(DB, "impact_not_retargeted") + query}
