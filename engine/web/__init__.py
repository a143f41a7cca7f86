"""Web: what the Datasette site serves beyond the database (the plugins in site/ stay thin hooks).

site: the site folder and the Datasette app; serve: `ovop serve`, in this process; queries: canned queries
listed only when their tables are there.
"""
from .queries import available as conditional_queries
from .serve import serve
from .site import DB_NAME, SITE_DIR, datasette_app, serve_command, site_dir

__all__ = ["DB_NAME", "SITE_DIR", "conditional_queries", "datasette_app", "serve", "serve_command", "site_dir"]
