"""Web: what the Datasette site serves beyond the database (the plugins in site/ stay thin hooks).

site: the site folder and the Datasette app; serve: `ovop serve`, in this process; queries: canned queries
listed only when their tables are there; cells: stars against their scale, badges, outcome links; home and
charts: the home page, its charts as Vega-Lite rendered to SVG; table_charts: charts above the tables they
draw; facets: stars faceted per edition. routes: the evaluate API and the assessor
desk (desk, evaluate_api, outcome_page, edition_page (an edition's page in a reader's words), state; saved: assessments an
assessor saves). accounts (users, roles, sessions in the workspace
database), history (append-only changes), yamledit (round-trip edits of rule files), form (the draft
editor's fields), workbench (what the criteria workbench does), impactrun (a draft's impact on the
published assessments; workbench_valid: which kept records an edit's definitions refuse, on columns),
workbench_routes (the workbench under /-/ovop/). counted_facets: the unfiltered outcomes
table's facet counts read from outcome_facets.
"""
from . import accounts, counted_facets
from .cells import badge_html, cell, stars_html
from .home import context as home_context
from .queries import available as conditional_queries
from .serve import serve
from .site import DB_NAME, SITE_DIR, datasette_app, serve_command, site_dir

__all__ = ["accounts", "counted_facets", "badge_html", "cell", "stars_html", "home_context", "DB_NAME", "SITE_DIR",
           "conditional_queries", "datasette_app", "serve", "serve_command", "site_dir"]
