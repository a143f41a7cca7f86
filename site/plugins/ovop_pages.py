"""Datasette plugin: the site's own CSS and script on every page, and the curated home page
(site/templates/index.html) from engine/web/home.py."""
from __future__ import annotations

from datasette import hookimpl

from engine.web import badge_html, home_context

DB = "ovop"


@hookimpl
def extra_css_urls():
    return ["/ovop-static/ovop.css"]


@hookimpl
def extra_js_urls():
    return ["/ovop-static/ovop.js"]


@hookimpl
def extra_template_vars(view_name, datasette):
    if view_name != "index" or DB not in datasette.databases:
        return {}

    async def inner():
        return {"ovop_home": await home_context(datasette.get_database(DB), datasette), "ovop_badge": badge_html}
    return inner
