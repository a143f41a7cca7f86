"""Datasette plugin for the OVOP site (SQLite limits: ovop_limits.py): stars and provenance badges in
HTML cells (JSON and CSV keep the numbers and codes), and the data behind the outcome and edition pages."""
from __future__ import annotations


from datasette import hookimpl
from datasette.utils import tilde_encode, urlsafe_components

from engine.publish import register
from engine.web import badge_html, cell, counted_facets, stars_html

DB = "ovop"
counted_facets.install(DB)  # the unfiltered outcomes table's facet counts from outcome_facets


@hookimpl
def prepare_connection(conn):
    register(conn)  # ovop_unpack: the packed inputs and traces (views trace_steps, trace, evidence, assessment_inputs)


@hookimpl
def render_cell(row, value, column, table, database, datasette):
    if database != DB:
        return None
    db = datasette.databases.get(DB)
    return cell(row, value, column, db.path if db else None, lambda key: row_url(datasette, "outcomes", key), table)


def row_url(datasette, table: str, key: str) -> str:
    return datasette.urls.row(DB, table, tilde_encode(key))


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    if view_name != "row" or database != DB or table not in ("outcomes", "editions") or request is None:
        return {}

    async def inner():
        pk = urlsafe_components(request.url_vars["pks"])[0]
        db = datasette.get_database(DB)
        if table == "outcomes":
            return {"ovop_trace": await _trace(db, datasette, pk), "ovop_explanation": await _explanation(db, pk),
                    **_helpers(datasette)}
        return {"ovop_edition": await _edition(db, datasette, pk), **_helpers(datasette)}
    return inner


def _helpers(datasette) -> dict:
    return {"ovop_stars": stars_html, "ovop_badge": badge_html,
            "ovop_row_url": lambda table, key: row_url(datasette, table, key)}


TRACE_SQL = """select t.step, r.kind, r.rule, r.subject, t.value, t.result, t.points, r.max_points,
  r.provenance_status, r.source_url, r.rule_key
from trace_steps t join rules r on r.id = t.rule
where t.outcome = (select n from outcomes where key = ?) order by t.step"""
RULE_TABLES = {"gate": "gates", "criterion": "levels", "band": "bands", "cap": "caps", "subtotal": "groups",
               "consequence": "consequences"}


async def _trace(db, datasette, key: str) -> list[dict]:
    out = []
    for r in await db.execute(TRACE_SQL, [key]):
        d = dict(r)
        table = RULE_TABLES.get(d["kind"])
        d["rule_url"] = row_url(datasette, table, d["rule_key"]) if d["rule_key"] and table else None
        out.append(d)
    return out


EXPLAIN_SQL = """select i.input_json, o.edition, e.hash from outcomes o join assessment_inputs i on i.assessment = o.assessment
join editions e on e.id = o.edition where o.key = ?"""


async def _explanation(db, key: str) -> dict:
    """The outcome page's blocks, rendered on demand: the stored input evaluated again under its edition
    (durable_rules), in Indonesian and English (engine/web/outcome_page.py)."""
    rows = list(await db.execute(EXPLAIN_SQL, [key]))
    if not rows:
        return {}
    input_json, edition, stored_hash = rows[0]
    from engine.web.outcome_page import page_data
    return page_data(input_json, edition, stored_hash, key)


async def _edition(db, datasette, edition: str) -> dict:
    async def rows(sql: str) -> list[dict]:
        return [dict(r) for r in await db.execute(sql, [edition])]
    criteria = await rows("select * from criteria where edition = ? order by [group], cast(substr(id, 2) as integer)")
    levels = await rows("select * from levels where edition = ? order by criterion_key, level")
    by_criterion: dict[str, list[dict]] = {}
    for lv in levels:
        lv["url"] = row_url(datasette, "levels", lv["key"])
        by_criterion.setdefault(lv["criterion_key"], []).append(lv)
    for c in criteria:
        c["levels"], c["url"] = by_criterion.get(c["key"], []), row_url(datasette, "criteria", c["key"])
    from engine.web.edition_page import page
    return page({"criteria": criteria,
            "groups": await rows("select * from groups where edition = ? order by id"),
            "gates": await rows("select * from gates where edition = ? order by key"),
            "bands": await rows("select * from bands where edition = ? order by stars desc"),
            "caps": await rows("select * from caps where edition = ? order by key"),
            "commodities": await rows("select * from commodities where edition = ? order by code"),
            "consequences": await rows("select * from consequences where edition = ? order by key")})
