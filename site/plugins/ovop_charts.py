"""Datasette plugin: the per-edition stars facet (engine/web/facets.py) and the charts beside the tables
and canned queries they draw (engine/web/table_charts.py; site/templates/table.html and query.html)."""
from __future__ import annotations

from datasette import hookimpl

from engine.web.facets import StarsPerEdition
from engine.web.table_charts import facet_chart, query_charts, table_charts

DB = "ovop"


@hookimpl
def register_facet_classes():
    return [StarsPerEdition]


@hookimpl
def extra_template_vars(view_name, table, database, request, datasette):
    if database != DB or view_name not in ("table", "database", "query") or request is None:
        return {}

    async def inner():
        db = datasette.get_database(DB)
        if table:
            found = await table_charts(db, table)
        else:  # a canned query (Datasette 0.65 serves it from the table route, with no table)
            found = await query_charts(db, request.url_vars.get("table"), request.args.get("edition"))
        return {"ovop_charts": found, "ovop_facet_chart": facet_chart}
    return inner
