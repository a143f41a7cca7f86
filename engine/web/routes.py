"""The desk's routes (Datasette register_routes): the evaluate API, the assessor desk and its helpers.

The evaluate API, download and upload write nothing: they are exempt from CSRF (site/plugins/ovop_desk.py,
skip_csrf). The one write, /-/ovop/assess/save, needs a signed-in assessor (permission "ovop-assess") and
Datasette's CSRF token (header x-csrftoken); /-/ovop/assess/saved lists the saved versions to signed-in users.
"""
from __future__ import annotations

import json

from datasette.utils.asgi import Response

from . import accounts, desk, evaluate_api, saved
from .workbench_routes import paths

EVALUATE = "/-/ovop/evaluate"
ASSESS = "/-/ovop/assess"
NO_CSRF = {EVALUATE, ASSESS + "/download", ASSESS + "/upload"}


def _json(data, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status,
                    content_type="application/json; charset=utf-8")


async def read_body(request, limit: int) -> bytes | None:
    """The request body, or None when it is over `limit` bytes (read no further)."""
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        return None
    body, more = b"", True
    while more:
        message = await request.receive()
        body += message.get("body", b"")
        more = message.get("more_body", False)
        if len(body) > limit:
            return None
    return body


def _lang(request) -> str:
    return evaluate_api.language(request.args.get("lang"))


def _method_not_allowed(request=None) -> Response:
    message = evaluate_api.input_words.plain("method not allowed", "metode tidak diizinkan")
    lang = _lang(request) if request is not None else "id"
    r = _json({"errors": [evaluate_api.error(message, evaluate_api.HOW, lang)]}, 405)
    r.headers["Allow"] = "POST"
    return r


def _text(body: bytes) -> str | None:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return None


async def evaluate_view(request, datasette):
    if request.method != "POST":
        return _method_not_allowed(request)
    lang = _lang(request)
    body = await read_body(request, evaluate_api.LIMIT)
    if body is None:
        return _json(evaluate_api.too_large(int(request.headers.get("content-length") or evaluate_api.LIMIT + 1),
                                            lang), 413)
    text = _text(body)
    if text is None:
        plain = evaluate_api.input_words.plain
        return _json({"errors": [evaluate_api.error(plain("the body is not UTF-8 text", "badan permintaan bukan teks UTF-8"),
                                                    plain("JSON in UTF-8", "JSON dalam UTF-8"), lang)]}, 400)
    edition = request.args.get("edition") or None
    status, data = evaluate_api.evaluate_json(text, edition, lang)
    return Response(data, status=status, content_type="application/json; charset=utf-8")


async def _who(datasette, request) -> dict:
    ws = paths(datasette)[1]
    may_save = bool(request.actor) and await datasette.permission_allowed(request.actor, "ovop-assess", default=False)
    return {"user": request.actor, "accounts": accounts.has_users(ws), "may_save": may_save, "ws": ws}


async def desk_view(request, datasette):
    context = desk.page_context(request.args.get("edition"), request.args.get("commodity"))
    context.update(await _who(datasette, request), here=request.full_path)
    html = await datasette.render_template("ovop_desk.html", context, request=request)
    return Response.html(html)


def _refused(id_text: str, en_text: str, status: int = 403) -> Response:
    return _json({"errors": [{"id": None, "field": None, "message": f"{id_text} / {en_text}", "allowed": None}]}, status)


async def save_view(request, datasette):
    """A signed-in assessor keeps a checked assessment in the workspace; anything else is refused, nothing kept."""
    if request.method != "POST":
        return _method_not_allowed()
    who = await _who(datasette, request)
    if not who["accounts"]:
        return _refused("belum ada akun; penyimpanan memerlukan akun penilai (ovop users add NAMA --role assessor)",
                        "no accounts yet; saving needs an assessor account (ovop users add NAME --role assessor)")
    if not who["may_save"]:
        return _refused("hanya penilai yang masuk yang boleh menyimpan penilaian",
                        "only a signed-in assessor may save an assessment")
    body = await read_body(request, evaluate_api.LIMIT)
    if body is None:
        return _json(evaluate_api.too_large(evaluate_api.LIMIT + 1), 413)
    status, data = desk.save(_text(body) or "", who["ws"], request.actor["id"])
    return _json(data, status)


async def saved_view(request, datasette):
    who = await _who(datasette, request)
    if not request.actor:
        return Response.html(await datasette.render_template("ovop_desk_saved.html", {**who, "refused": True},
                                                             request=request), status=403)
    items = saved.entries(who["ws"])
    return Response.html(await datasette.render_template("ovop_desk_saved.html", {**who, "items": items},
                                                         request=request))


async def desk_script(request, datasette):
    return Response(desk.script(), content_type="text/javascript; charset=utf-8")


async def download_view(request, datasette):
    if request.method != "POST":
        return _method_not_allowed()
    body = await read_body(request, evaluate_api.LIMIT)
    if body is None:
        return _json(evaluate_api.too_large(evaluate_api.LIMIT + 1), 413)
    fmt = request.args.get("format", "yaml")
    status, content, ctype, name = desk.download(_text(body) or "", fmt)
    if status != 200:
        return _json(content, status)
    r = Response(content, content_type=ctype)
    r.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return r


async def upload_view(request, datasette):
    if request.method != "POST":
        return _method_not_allowed()
    body = await read_body(request, evaluate_api.LIMIT)
    if body is None:
        return _json(evaluate_api.too_large(evaluate_api.LIMIT + 1, _lang(request)), 413)
    status, data = desk.upload(body, request.args.get("name") or "upload.yaml", request.args.get("edition") or None,
                               _lang(request))
    return _json(data, status)


LANG_JS = """(function () {
  var page = document.querySelector(".ovop-page");
  if (!page) { return; }
  function set(l) {
    page.setAttribute("data-lang", l);
    document.documentElement.setAttribute("lang", l);
    Array.prototype.forEach.call(document.querySelectorAll("[data-set-lang]"), function (b) {
      b.setAttribute("aria-pressed", b.getAttribute("data-set-lang") === l ? "true" : "false");
    });
    try { localStorage.setItem("ovop-lang", l); } catch (e) { /* private mode */ }
  }
  Array.prototype.forEach.call(document.querySelectorAll("[data-set-lang]"), function (b) {
    b.addEventListener("click", function () { set(b.getAttribute("data-set-lang")); });
  });
  var saved = null;
  try { saved = localStorage.getItem("ovop-lang"); } catch (e) { /* private mode */ }
  set(saved === "en" ? "en" : "id");
})();
"""


async def lang_script(request, datasette):
    return Response(LANG_JS, content_type="text/javascript; charset=utf-8")


ROUTES = [
    (r"^/-/ovop/lang\.js$", lang_script),
    (r"^/-/ovop/evaluate$", evaluate_view),
    (r"^/-/ovop/assess$", desk_view),
    (r"^/-/ovop/assess/desk\.js$", desk_script),
    (r"^/-/ovop/assess/download$", download_view),
    (r"^/-/ovop/assess/upload$", upload_view),
    (r"^/-/ovop/assess/save$", save_view),
    (r"^/-/ovop/assess/saved$", saved_view),
]
