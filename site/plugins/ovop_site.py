"""Datasette plugin for the OVOP site (SQLite limits: ovop_limits.py): stars and provenance badges in
HTML cells (JSON and CSV keep the numbers and codes), and the data behind the outcome and edition pages."""
from __future__ import annotations

import sqlite3

from datasette import hookimpl
from datasette.utils import tilde_encode, urlsafe_components
from markupsafe import Markup, escape

STAR_COLUMNS = {"stars", "band_stars", "previous_stars", "stars_2022", "stars_2024", "threshold_stars", "max_stars",
                "base_stars", "draft_stars"}
STATUS_COLUMNS = {"provenance_status", "legal_basis_status", "scale_status", "score_status"}
BADGES = {"sourced": ("bersumber / sourced", "stated by a public source (see the link)"),
          "assumed": ("asumsi / assumed", "a documented stand-in, not an official figure")}
DB = "ovop"


def stars_html(value) -> Markup:
    if value is None:
        return Markup("")
    n = int(value)
    shown = "★" * n if n else "☆"
    return Markup(f'<span class="ovop-stars" data-stars="{n}" title="{n} bintang / {n} stars">{shown}</span>')


def badge_html(status, url=None) -> Markup:
    if status not in BADGES:
        return Markup(escape(status or ""))
    text, title = BADGES[status]
    span = Markup('<span class="ovop-badge ovop-{}" title="{}">{}</span>').format(status, title, text)
    if status == "sourced" and url:
        return Markup('<a href="{}" rel="nofollow">{}</a>').format(url, span)
    return span


def _get(row, name):
    try:
        return row[name]
    except (IndexError, KeyError, TypeError):
        return None


@hookimpl
def render_cell(row, value, column, table, database):
    if database != DB:
        return None
    if column in STAR_COLUMNS and isinstance(value, int) and not isinstance(value, bool):
        return stars_html(value)
    if column in STATUS_COLUMNS and value in BADGES:
        url_column = "legal_basis_url" if column == "legal_basis_status" else "source_url"
        return badge_html(value, _get(row, url_column))
    return None


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


_engine: dict = {}
EXPLAIN_SQL = """select a.input_json, o.edition, e.hash from outcomes o join assessments a on a.key = o.assessment
join editions e on e.id = o.edition where o.key = ?"""


async def _explanation(db, key: str) -> dict:
    """The explanation, rendered on demand: the stored input evaluated again under its edition (durable_rules)."""
    rows = list(await db.execute(EXPLAIN_SQL, [key]))
    if not rows:
        return {}
    input_json, edition, stored_hash = rows[0]
    return explain_outcome(key, input_json, edition, stored_hash)


def explain_outcome(key: str, input_json: str, edition: str, stored_hash: str) -> dict:
    out = {"hash": stored_hash, "warning": None, "id": None, "en": None}
    try:
        state = _state()
        evaluator = state["evaluator"]
        if edition not in state["ruleset"].editions:
            out["warning"] = f"edition {edition} is not in the current rules: no explanation"
            return out
        current = state["ruleset"].editions[edition].hash
        if current != stored_hash:
            out["warning"] = (f"the rules of edition {edition} changed since publishing (published {stored_hash}, "
                              f"now {current}): this explanation follows the current rules and may differ from the "
                              f"published outcome")
        from engine.decide import explain
        from engine.publish import assessment_from_json
        outcome = evaluator.evaluate(assessment_from_json(input_json, key, state["catalogue"]))
        model = evaluator.compiled(edition).edition
        out["id"], out["en"] = explain(outcome, model, "id"), explain(outcome, model, "en")
    except Exception as exc:  # the page still shows the stored outcome and trace
        out["warning"] = f"no explanation: {getattr(exc, 'render', lambda: str(exc))()}"
    return out


def _state() -> dict:
    """The current rules and one durable_rules evaluator, built once per process."""
    if not _engine:
        import os
        from pathlib import Path
        from engine.inputs import Catalogue
        from engine.decide import Evaluator
        from engine.web import SITE_DIR
        from engine.rules import load_rules
        ruleset = load_rules(Path(os.environ.get("OVOP_RULES") or SITE_DIR.parent / "rules"))
        _engine.update(ruleset=ruleset, catalogue=Catalogue.of(ruleset), evaluator=Evaluator(ruleset))
    return _engine


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
    return {"criteria": criteria,
            "groups": await rows("select * from groups where edition = ? order by id"),
            "gates": await rows("select * from gates where edition = ? order by key"),
            "bands": await rows("select * from bands where edition = ? order by stars desc"),
            "caps": await rows("select * from caps where edition = ? order by key"),
            "commodities": await rows("select * from commodities where edition = ? order by code"),
            "consequences": await rows("select * from consequences where edition = ? order by key")}
