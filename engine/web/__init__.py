"""Web: what the Datasette site serves beyond the database (the plugins in site/ stay thin hooks).

site: the site folder and the Datasette app; serve: `ovop serve`, in this process; queries: canned queries
listed only when their tables are there; cells: stars against their scale, badges, outcome links; home and
charts: the home page, its charts as Vega-Lite rendered to SVG.
"""
from .cells import badge_html, cell, stars_html
from .home import context as home_context
from .queries import available as conditional_queries
from .serve import serve
from .site import DB_NAME, SITE_DIR, datasette_app, serve_command, site_dir

__all__ = ["badge_html", "cell", "stars_html", "home_context", "DB_NAME", "SITE_DIR", "conditional_queries", "datasette_app", "serve", "serve_command", "site_dir"]
