"""Datasette plugin: the criteria workbench under /-/ovop/ (engine.web.workbench_routes), its signed-in actors
(sessions in the workspace database, engine.web.accounts), the "ovop-edit" permission (editors) and
"ovop-assess" (assessors: saving at the desk)."""
from __future__ import annotations

from datasette import hookimpl

from engine.web import workbench_routes as routes


@hookimpl
def register_routes():
    return routes.ROUTES


@hookimpl
def actor_from_request(datasette, request):
    return routes.actor_for(datasette, request)


@hookimpl
def permission_allowed(actor, action):
    if action in ("ovop-edit", "ovop-freeze"):
        return bool(actor) and actor.get("via") == "ovop" and actor.get("role") == "editor"
    if action == "ovop-assess":
        return bool(actor) and actor.get("via") == "ovop" and actor.get("role") == "assessor"
    return None
