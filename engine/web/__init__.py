"""Web: what the Datasette site serves beyond the database (the plugins in site/ stay thin hooks).

site: the site folder and the command that serves it.
accounts (users, roles, sessions in the workspace database), history (append-only changes),
yamledit (round-trip edits of rule files), form (the draft editor's fields), workbench (what the
criteria workbench does), impactrun (a draft's impact on the published assessments), routes (/-/ovop/).
"""
from . import accounts
from .site import DB_NAME, SITE_DIR, serve_command, site_dir

__all__ = ["DB_NAME", "SITE_DIR", "serve_command", "site_dir", "accounts"]
