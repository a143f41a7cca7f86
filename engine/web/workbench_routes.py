"""The workbench's routes under /-/ovop/ (registered by site/plugins/ovop_workbench.py): read requests,
call engine.web.workbench, render the ovop_wb_*.html templates. Anyone may read; every write needs a
signed-in editor (permission "ovop-edit") and Datasette's CSRF token (asgi-csrf checks the form's
`csrftoken` against its cookie before a POST reaches these handlers)."""
from __future__ import annotations

import asyncio
import difflib
import os
from pathlib import Path
from urllib.parse import parse_qsl, quote, urlencode

from datasette.utils.asgi import Response
from markupsafe import Markup

from ..errors import OvopError
from . import accounts, form, history, impactrun, workbench
from .state import rules_dir
from .workbench import Conflict, Workbench

COOKIE = "ovop_session"
NAMESPACE = "ovop-session"
STATIC = Path(__file__).resolve().parents[2] / "site" / "static"
DB = "ovop"


def paths(datasette) -> tuple[Path, Path, Path | None]:
    """(rules folder, workspace database, published database) of this server."""
    db = datasette.databases.get(DB)
    published = Path(db.path) if db is not None and db.path else None
    rules = rules_dir().resolve()
    ws = os.environ.get("OVOP_WORKSPACE")
    workspace = Path(ws) if ws else (accounts.workspace_for(published) if published else Path("build/workspace.db"))
    return rules, workspace, published


def bench(datasette) -> Workbench:
    rules, ws, _ = paths(datasette)
    return Workbench(rules, ws)


def actor_for(datasette, request):
    cookie = request.cookies.get(COOKIE)
    if not cookie:
        return None
    try:
        token = datasette.unsign(cookie, NAMESPACE)["t"]
    except Exception:
        return None
    user = accounts.session_user(paths(datasette)[1], token)
    return {"id": user["name"], "role": user["role"], "via": "ovop"} if user else None


async def can_edit(datasette, request) -> bool:
    return bool(request.actor) and await datasette.permission_allowed(request.actor, "ovop-edit", default=False)


async def page(datasette, request, template: str, status: int = 200, **context) -> Response:
    _, ws, _ = paths(datasette)
    context.update(user=request.actor, editor=await can_edit(datasette, request),
                   no_accounts=not accounts.has_users(ws), ws=str(ws), prefix="/-/ovop")
    html = await datasette.render_template(template, context, request=request)
    return Response.html(html, status=status)


async def refused(datasette, request, why_id: str, why_en: str, status: int = 403) -> Response:
    return await page(datasette, request, "ovop_wb_message.html", status=status, title_id="Ditolak", title_en="Refused",
                      text_id=why_id, text_en=why_en)


async def bad(datasette, request, exc: OvopError, status: int = 400) -> Response:
    return await page(datasette, request, "ovop_wb_message.html", status=status, title_id="Tidak dapat dilakukan",
                      title_en="Cannot be done", text_id="Periksa masalah berikut.", text_en="See the problem below.",
                      detail=exc.render().replace(str(paths(datasette)[0]) + "/", "rules/"))


async def form_pairs(request) -> list[tuple[str, str]]:
    body = await request.post_body()
    return parse_qsl(body.decode("utf-8"), keep_blank_values=True)


def writer(handler):
    """A write route: POST only, signed-in editor only (CSRF is checked before by asgi-csrf)."""
    async def route(datasette, request):
        if request.method != "POST":
            return Response.text("POST only / hanya POST", status=405)
        if not await can_edit(datasette, request):
            return await refused(datasette, request, "Hanya editor kebijakan yang masuk yang boleh mengubah.",
                                 "Only a signed-in policy editor may make changes.")
        try:
            return await handler(datasette, request)
        except OvopError as exc:
            return await bad(datasette, request, exc)
    return route


# ---- pages --------------------------------------------------------------------------------------

async def index(datasette, request):
    return Response.redirect("/-/ovop/editions")


async def editions(datasette, request):
    wb = bench(datasette)
    items = await asyncio.to_thread(wb.editions)
    return await page(datasette, request, "ovop_wb_editions.html", editions=items)


async def editor(datasette, request):
    wb, edition = bench(datasette), request.url_vars["edition"]
    try:
        d = await asyncio.to_thread(wb.draft, edition)
    except OvopError as exc:
        return await bad(datasette, request, exc, 404)
    return await show(datasette, request, wb, d, assumed={k: request.args.get(k) for k in request.args.keys()})


async def show(datasette, request, wb: Workbench, d, assumed: dict | None = None, saved: bool = False,
               conflict: Conflict | None = None, status: int = 200, posted: dict | None = None):
    checked, context = await panels(datasette, request, wb, d, assumed)
    html, loose = form.Renderer(d.sources, readonly=not context["editable"]).form(posted or d.effective, checked.by_field)
    return await page(datasette, request, "ovop_wb_edit.html", status=status, form_html=html, loose=loose, saved=saved,
                      conflict=conflict, differs=differs(conflict), freeze_hash=None, **context)


def differs(conflict: Conflict | None) -> str:
    """The lines a conflict's two versions differ in (shown above them both)."""
    if conflict is None:
        return ""
    return "".join(difflib.unified_diff(conflict.theirs.splitlines(keepends=True), conflict.mine.splitlines(keepends=True),
                                        "tersimpan / saved", "Anda / yours", n=1))


async def panels(datasette, request, wb: Workbench, d, assumed: dict | None) -> tuple:
    """(the checks, what the editor's page shows beside its form): the problems, the diff against the parent,
    the impact (or where the page's script fetches it), the assumed values of new evidence."""
    checked = await asyncio.to_thread(wb.check, d)
    editable = d.is_draft and await can_edit(datasette, request)
    diff = wb.diff(d, checked.ruleset)
    size = impactrun.size(paths(datasette)[2]) if paths(datasette)[2] else 0
    if checked.problems:
        impact = {"blocked": True}
    elif size > impactrun.INLINE_MAX:  # the page first, the impact a moment later (GET …/impact)
        query = urlencode([(k, v) for k, v in (assumed or {}).items() if k.startswith("a.")])
        impact = {"deferred": f"/-/ovop/editions/{quote(d.edition)}/impact" + (f"?{query}" if query else ""),
                  "size": f"{size:,}"}
    else:
        impact = await asyncio.to_thread(impact_of, datasette, checked.ruleset, d, assumed or {})
    return checked, dict(d=d, problems=checked.problems, diff=diff, impact=impact, editable=editable,
                         assumed=assumed_values(checked.ruleset, d, impact, assumed))


async def saved_part(datasette, request, wb: Workbench, d, pairs, assumed: dict, conflict: Conflict | None = None):
    """The save's answer to the editor's script (POST …/save?part=1): the panels that change (status, checks,
    assumed values, diff, impact) as HTML, the messages beside each field, the version token; the form
    itself only when its rows differ from the posted ones (or on a conflict: the saved file's form)."""
    checked, context = await panels(datasette, request, wb, d, assumed)
    change = await asyncio.to_thread(workbench.in_place, d, checked, None if conflict else pairs)
    context.update(saved=conflict is None, conflict=conflict, differs=differs(conflict), user=request.actor,
                   prefix="/-/ovop")
    html = await datasette.render_template("ovop_wb_saved_part.html", context, request=request)
    return Response.json({"version": d.version, "html": html, "errors": change.errors, "values": change.values,
                          "form": change.form, "sources": d.sources, "conflict": conflict is not None},
                         status=409 if conflict else 200)


def assumed_values(ruleset, d, impact, given: dict | None) -> dict:
    """The values assumed for the evidence and gate facts the draft adds (shown in the form)."""
    if impact and impact.get("r"):
        return impact["r"].assumed
    parent = d.data.get("extends")
    if ruleset is None or not parent or d.edition not in ruleset.editions or parent not in ruleset.editions:
        return {}
    wanted = {k[2:]: _value(v) for k, v in (given or {}).items() if k.startswith("a.")}
    return {k: wanted.get(k, v) for k, v in impactrun.new_names(ruleset, parent, d.edition).items()}


async def impact_page(datasette, request):
    """The impact of a draft on the published assessments on its own (the editor's page fetches it when the
    population is large); `part=1`: the section's content only."""
    wb, edition = bench(datasette), request.url_vars["edition"]
    try:
        d = await asyncio.to_thread(wb.draft, edition)
    except OvopError as exc:
        return await bad(datasette, request, exc, 404)
    checked = await asyncio.to_thread(wb.check, d)
    assumed = {k: request.args.get(k) for k in request.args.keys() if k.startswith("a.")}
    impact = {"blocked": True} if checked.problems else \
        await asyncio.to_thread(impact_of, datasette, checked.ruleset, d, assumed)
    if request.args.get("part"):
        html = await datasette.render_template("ovop_wb_impact.html", {"impact": impact}, request=request)
        return Response.html(html)
    return await page(datasette, request, "ovop_wb_impact_page.html", d=d, impact=impact)


def impact_of(datasette, ruleset, d, assumed: dict) -> dict | None:
    _, _, published = paths(datasette)
    parent = d.data.get("extends")
    if ruleset is None or not parent or published is None or d.edition not in ruleset.editions:
        return None
    try:
        raws = impactrun.population(published)
        wanted = {k[2:]: _value(v) for k, v in assumed.items() if k.startswith("a.")}
        r = impactrun.run(ruleset, parent, d.edition, raws, wanted)
    except Exception as exc:  # the draft may not compile yet: say so beside the form
        return {"error": getattr(exc, "render", lambda: str(exc))()}
    return {"r": r, "moves": r.moves[:100], "max_slow": impactrun.MAX_SLOW,
            "rows": [(s, [r.matrix[s][c] for c in r.states]) for s in r.states]}


def _value(text: str):
    t = text.strip()
    if t in ("true", "false"):
        return t == "true"
    try:
        return int(t) if t.lstrip("-").isdigit() else float(t)
    except ValueError:
        return t


async def history_page(datasette, request):
    _, ws, _ = paths(datasette)
    edition = request.url_vars["edition"]
    return await page(datasette, request, "ovop_wb_history.html", edition=edition,
                      entries=await asyncio.to_thread(history.entries, ws, edition))


async def freeze_page(datasette, request):
    wb, edition = bench(datasette), request.url_vars["edition"]
    try:
        d = await asyncio.to_thread(wb.draft, edition)
    except OvopError as exc:
        return await bad(datasette, request, exc, 404)
    digest = await asyncio.to_thread(wb.freeze_hash, edition)
    return await page(datasette, request, "ovop_wb_freeze.html", d=d, digest=digest)


# ---- writes ---------------------------------------------------------------------------------------

@writer
async def new_draft(datasette, request):
    data = dict(await form_pairs(request))
    edition, parent = data.get("edition", "").strip(), data.get("parent", "").strip()
    await asyncio.to_thread(bench(datasette).new_draft, edition, parent, request.actor["id"])
    return Response.redirect(f"/-/ovop/editions/{quote(edition)}")


@writer
async def save(datasette, request):
    wb, edition = bench(datasette), request.url_vars["edition"]
    pairs = await form_pairs(request)
    fields = dict(pairs)
    result = await asyncio.to_thread(wb.save, edition, pairs, fields.get("version", ""), request.actor["id"])
    assumed = {k: v for k, v in pairs if k.startswith("a.")}
    part = bool(request.args.get("part"))  # the editor's script: only what changes (the plain form POST: the page)
    if isinstance(result, Conflict):
        d = await asyncio.to_thread(wb.draft, edition)
        if part:
            return await saved_part(datasette, request, wb, d, pairs, assumed, conflict=result)
        return await show(datasette, request, wb, d, assumed, conflict=result, status=409)
    if part:
        return await saved_part(datasette, request, wb, result, pairs, assumed)
    return await show(datasette, request, wb, result, assumed, saved=True)


@writer
async def freeze(datasette, request):
    wb, edition = bench(datasette), request.url_vars["edition"]
    fields = dict(await form_pairs(request))
    if fields.get("confirm") != edition:
        return await refused(datasette, request, f'Ketik "{edition}" untuk mengonfirmasi pembekuan.',
                             f'Type "{edition}" to confirm the freeze.', 400)
    digest = await asyncio.to_thread(wb.freeze, edition, fields.get("version", ""), request.actor["id"])
    return await page(datasette, request, "ovop_wb_message.html", title_id="Dibekukan", title_en="Frozen",
                      text_id=f"Edisi {edition} diterbitkan dengan hash {digest}.",
                      text_en=f"Edition {edition} is published with hash {digest}.",
                      link=f"/-/ovop/editions/{edition}")


# ---- sign in ---------------------------------------------------------------------------------------

async def login(datasette, request):
    _, ws, _ = paths(datasette)
    if request.method != "POST":
        return await page(datasette, request, "ovop_wb_login.html")
    fields = dict(await form_pairs(request))
    user = await asyncio.to_thread(accounts.check_password, ws, fields.get("name", "").strip(),
                                   fields.get("password", ""))
    if not user:
        return await page(datasette, request, "ovop_wb_login.html", status=403,
                          error=Markup("Nama atau kata sandi salah. <span lang=en>Wrong name or password.</span>"))
    token = await asyncio.to_thread(accounts.start_session, ws, user["name"])
    response = Response.redirect(local(fields.get("next")) or "/-/ovop/editions")
    response.set_cookie(COOKIE, datasette.sign({"t": token}, NAMESPACE), max_age=accounts.SESSION_SECONDS,
                        httponly=True, samesite="lax")
    return response


def local(url: str | None) -> str | None:
    """A path on this site to go back to after signing in (never another site's address)."""
    return url if url and url.startswith("/") and not url.startswith("//") and "\\" not in url else None


async def logout(datasette, request):
    if request.method != "POST":
        return Response.text("POST only / hanya POST", status=405)
    cookie = request.cookies.get(COOKIE)
    if cookie:
        try:
            accounts.end_session(paths(datasette)[1], datasette.unsign(cookie, NAMESPACE)["t"])
        except Exception:
            pass
    response = Response.redirect("/-/ovop/editions")
    response.set_cookie(COOKIE, "", expires=0)
    return response


async def static(datasette, request):
    name = request.url_vars["file"]
    path = STATIC / name
    if not path.is_file():
        return Response.text("not found", status=404)
    kind = "text/css" if name.endswith(".css") else "application/javascript"
    return Response(path.read_text(encoding="utf-8"), content_type=kind + "; charset=utf-8",
                    headers={"cache-control": "max-age=300"})


ED = r"(?P<edition>[0-9]{4}[a-z0-9_-]*)"
ROUTES = [
    (r"^/-/ovop/?$", index),
    (r"^/-/ovop/editions$", editions),
    (r"^/-/ovop/editions/new$", new_draft),
    (rf"^/-/ovop/editions/{ED}$", editor),
    (rf"^/-/ovop/editions/{ED}/save$", save),
    (rf"^/-/ovop/editions/{ED}/freeze$", freeze_page),
    (rf"^/-/ovop/editions/{ED}/freeze/confirm$", freeze),
    (rf"^/-/ovop/editions/{ED}/history$", history_page),
    (rf"^/-/ovop/editions/{ED}/impact$", impact_page),
    (r"^/-/ovop/login$", login),
    (r"^/-/ovop/logout$", logout),
    (r"^/-/ovop/static/(?P<file>[a-z_]+\.(js|css))$", static),
]
WRITE_ROUTES = ["/-/ovop/editions/new", "/-/ovop/editions/{e}/save", "/-/ovop/editions/{e}/freeze/confirm"]
