"""Web: what the Datasette site serves beyond the database (the plugins in site/ stay thin hooks).

site: the site folder and the command that serves it.
"""
from .site import DB_NAME, SITE_DIR, serve_command, site_dir

__all__ = ["DB_NAME", "SITE_DIR", "serve_command", "site_dir"]
