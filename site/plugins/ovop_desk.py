"""Datasette plugin: the evaluate API (POST /-/ovop/evaluate) and the assessor desk (/-/ovop/assess).

Thin hooks over engine/web/routes.py. The evaluate API, download and upload write nothing, so they skip
CSRF (an API for other systems); saving an assessment (/-/ovop/assess/save) needs a signed-in assessor
and the CSRF token.
"""
from __future__ import annotations

from datasette import hookimpl


@hookimpl
def register_routes():
    from engine.web.routes import ROUTES
    return ROUTES


@hookimpl
def skip_csrf(scope):
    from engine.web.routes import NO_CSRF
    return scope.get("path") in NO_CSRF
