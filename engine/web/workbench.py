"""The criteria workbench: what its pages show and do, as plain functions over a rules folder and the
workspace database (the routes in engine.web.workbench_routes only read requests and render templates).

Every save: the version the form was made from must still be the file's (else a Conflict, with both
versions); the form becomes an effective edition, written back into the YAML (engine.web.yamledit,
untouched sections byte-identical) atomically; the change is recorded in the history; then the same
checks as `ovop rules check` run and each diagnostic is mapped to its field. Problems never stop a save
(a draft is work in progress); they stop a freeze.
"""
from __future__ import annotations

import copy
import difflib
import gc
import html
import re
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import LABELS, Diagnostic, OvopError, say
from ..inputs import sync_schema
from ..rules import (
    Checker,
    Edition,
    diff_editions,
    diff_text,
    enforce_frozen,
    freeze_edition,
    new_edition,
    read_lock,
    yamlsrc,
)
from . import form, history, yamledit

EDITION_FILE = "edition.yaml"
_LOCK = threading.Lock()
_RESOLVED: dict[str, tuple[dict, list]] = {}  # rule file -> (its resolved dump, the files and stats it read)
_CHECKERS: dict[str, Checker] = {}  # rules folder -> its checks, unchanged editions kept between saves


def _stat(path: Path) -> tuple | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


@dataclass
class Draft:
    edition: str
    path: Path
    text: str
    data: dict
    parent: dict | None
    effective: dict
    origins: dict
    frozen: str | None

    @property
    def version(self) -> str:
        return yamledit.sha256(self.text)

    @property
    def is_draft(self) -> bool:
        return self.data.get("status") == "draft" and not self.frozen

    @property
    def sources(self) -> list[str]:
        return sorted((self.effective.get("sources") or {}).keys())


@dataclass
class Checked:
    problems: list[dict] = field(default_factory=list)   # every diagnostic, rendered
    by_field: dict[str, list[str]] = field(default_factory=dict)
    ruleset: Any = None


@dataclass
class InPlace:
    """What a save changes in the form the browser already shows (the page's script applies it): the messages
    of each field, row or table (anchor key, messages; in the form's order), the fields whose saved value is
    written differently from what was posted (name, value), or the whole form when its rows are not the
    posted ones (a row left empty and dropped, a conflict: the form shows the saved file)."""
    errors: list[tuple[str, list[str]]]
    values: list[tuple[str, str]]
    form: str | None


@dataclass
class Conflict:
    edition: str
    theirs: str
    mine: str
    version: str


class Workbench:
    def __init__(self, rules_dir: str | Path, workspace: str | Path):
        self.rules, self.ws = Path(rules_dir), Path(workspace)

    # ---- reading ----------------------------------------------------------------------------

    def file(self, edition: str) -> Path:
        if not _valid(edition):
            raise OvopError(Diagnostic(str(self.rules), message=f'"{edition}" is not an edition id',
                                       allowed='four digits and optional lower-case letters ("2026")'))
        return self.rules / edition / EDITION_FILE

    def raw(self, edition: str) -> dict:
        path = self.file(edition)
        if not path.is_file():
            raise OvopError(Diagnostic(str(path), message=f'no edition "{edition}"',
                                       allowed=", ".join(e["id"] for e in self.editions())))
        return _data(path.read_text(encoding="utf-8"), path)

    def resolved_dump(self, edition: str, chain: tuple = ()) -> dict:
        """The effective edition of a file and its parents, as the models write it (defaults filled in)."""
        return copy.deepcopy(self._resolved(edition, chain)[0])

    def _resolved(self, edition: str, chain: tuple) -> tuple[dict, list]:
        """(dump, [(file, stat) it was made from]): kept while none of those files changes (the parents of
        a draft are published editions: a save re-reads only the draft)."""
        path = self.file(edition)
        key = str(path.resolve()) if path.exists() else str(path)
        hit = _RESOLVED.get(key)
        if hit is not None and all(_stat(f) == st for f, st in hit[1]):
            return hit[0], hit[1]
        deps = [(path, _stat(path))]
        data = self.raw(edition)
        parent = data.get("extends")
        base = None
        if parent and parent not in chain:
            base, more = self._resolved(parent, chain + (edition,))
            deps += more
        eff, _ = yamledit.effective(data, base)
        try:
            dumped = Edition.model_validate({"extends": None, **eff}).model_dump(mode="json", by_alias=True, exclude_none=True)
        except Exception:
            dumped = copy.deepcopy(eff)
        if len(_RESOLVED) > 64:
            _RESOLVED.clear()
        _RESOLVED[key] = (dumped, deps)
        return dumped, deps

    def draft(self, edition: str) -> Draft:
        path = self.file(edition)
        if not path.is_file():
            self.raw(edition)
        text = path.read_text(encoding="utf-8")
        data = _data(text, path)
        parent = self.resolved_dump(data["extends"]) if data.get("extends") else None
        eff, origins = yamledit.effective(data, parent)
        return Draft(edition, path, text, data, parent, eff, origins, self.lock().get(edition))

    def lock(self) -> dict:
        try:
            return read_lock(self.rules)[0]
        except OvopError:
            return {}

    def editions(self) -> list[dict]:
        lock, hashes = self.lock(), {}
        try:
            rules, _, loaded = self.checked()
            hashes = {e: r.hash for e, r in rules.editions.items()} if loaded else {}
        except OvopError:
            pass
        out = []
        for path in sorted(self.rules.glob(f"*/{EDITION_FILE}")):
            try:
                data = _data(path.read_text(encoding="utf-8"), path)
            except OvopError:
                data = {}
            e = path.parent.name
            title = data.get("title") if isinstance(data.get("title"), dict) else {}
            out.append({"id": e, "status": data.get("status", "?"), "extends": data.get("extends"),
                        "title_id": title.get("id", ""), "title_en": title.get("en", ""),
                        "frozen": lock.get(e), "hash": hashes.get(e)})
        return out

    # ---- checks, diff ------------------------------------------------------------------------

    def checked(self):
        """(rule set, the problems of `ovop rules check`, whether it loads): the editions whose files did not
        change since the last check are not read, resolved or checked again (engine.rules.Checker)."""
        key = str(self.rules.resolve())
        if key in _CHECKERS:
            return _CHECKERS[key].check()
        _CHECKERS[key] = Checker(self.rules)
        found = _CHECKERS[key].check()
        settle()
        return found

    def check(self, d: Draft) -> Checked:
        out = Checked()
        try:
            rules, found, loaded = self.checked()
        except OvopError as exc:
            rules, found, loaded = None, exc.diagnostics, False
        if not found:
            out.ruleset = rules
            sync_schema(rules)  # the assessment schema follows the saved rules, as `ovop rules check` does
            return out
        mine = str(d.path)
        for diag in found:
            where = None
            if Path(diag.file).resolve() == d.path.resolve() and diag.path:
                where = yamledit.to_effective_path(d.origins, _parse_path(diag.path))
            text = _message(diag)
            out.problems.append({"where": diag.where().replace(str(self.rules) + "/", "rules/"), "path": diag.path,
                                 "text": text, "field": ".".join(map(str, where)) if where else None,
                                 "mine": Path(diag.file).resolve() == Path(mine).resolve()})
            if where:
                out.by_field.setdefault(".".join(map(str, where)), []).append(text)
        out.ruleset = None
        if loaded:  # what load_rules would answer: the rule set, unless a frozen edition changed
            try:
                enforce_frozen(rules)
                out.ruleset = rules
            except OvopError:
                pass
        return out

    def diff(self, d: Draft, ruleset) -> dict[str, str] | None:
        parent = d.data.get("extends")
        if ruleset is None or not parent or d.edition not in ruleset.editions:
            return None
        changes = diff_editions(ruleset.get(parent).model, ruleset.get(d.edition).model)
        return {lang: diff_text(changes, parent, d.edition, lang) for lang in ("id", "en")}

    # ---- writing -----------------------------------------------------------------------------

    def new_draft(self, edition: str, parent: str, user: str) -> Path:
        with _LOCK:
            path = new_edition(self.rules, edition, parent)
        text = path.read_text(encoding="utf-8")
        history.record(self.ws, user, edition, f"new draft from {parent}", None, yamledit.sha256(text),
                       f"draf {edition} memperluas {parent} / draft {edition} extends {parent}", _unified("", text, path))
        return path

    def save(self, edition: str, pairs: list[tuple[str, str]], version: str, user: str) -> Draft | Conflict:
        with _LOCK:
            d = self.draft(edition)
            if not d.is_draft:
                raise OvopError(Diagnostic(str(d.path), message=f"edition {edition} is published (frozen): read-only",
                                           allowed="start a new draft from it"))
            head = {k: d.data[k] for k in ("edition", "extends", "status") if k in d.data}
            new = form.read(pairs, head)
            text = yamledit.rewrite(d.text, new, d.parent, str(d.path))
            if version != d.version:
                return Conflict(edition, d.text, text, d.version)
            if text != d.text:
                yamledit.write_atomic(d.path, text)
        after = self.draft(edition)
        if text != d.text:
            history.record(self.ws, user, edition, "save", d.version, yamledit.sha256(text),
                           self._changes(d, after), _unified(d.text, text, d.path))
        return after

    def _changes(self, before: Draft, after: Draft) -> str:
        try:
            a, b = Edition.model_validate(before.effective), Edition.model_validate(after.effective)
            changes = diff_editions(a, b)
            return diff_text(changes, "sebelum", "sesudah", "id") + "\n\n" + diff_text(changes, "before", "after", "en")
        except Exception:
            return "(draf belum lengkap: lihat diff berkas / draft incomplete: see the file diff)"

    def freeze(self, edition: str, version: str, user: str) -> str:
        """Set status: published and record the hash in the lock; refused (file unchanged) on any problem."""
        with _LOCK:
            d = self.draft(edition)
            if not d.is_draft:
                raise OvopError(Diagnostic(str(d.path), message=f"edition {edition} is frozen already"))
            if version != d.version:
                raise OvopError(Diagnostic(str(d.path), message="the draft changed since you opened it",
                                           allowed="reload the page, check the hash again, then freeze"))
            text = yamledit.rewrite(d.text, dict(d.effective, status="published"), d.parent, str(d.path))
            yamledit.write_atomic(d.path, text)
            try:
                digest, _ = freeze_edition(self.rules, edition)
            except BaseException:
                yamledit.write_atomic(d.path, d.text)
                raise
        history.record(self.ws, user, edition, "freeze", d.version, yamledit.sha256(text), f"frozen: {digest}",
                       _unified(d.text, text, d.path))
        return digest

    def freeze_hash(self, edition: str) -> str | None:
        """The hash the draft will be frozen with (status is not part of it), when it checks clean."""
        try:
            rules, found, _ = self.checked()
            return None if found else rules.get(edition).hash
        except OvopError:
            return None


# the fields of form.Renderer's HTML (it writes each input's name first, its value after; options without values)
FIELD = re.compile(r'<input name="(e\.[^"]*)"[^>]*? value="([^"]*)"|<select name="(e\.[^"]*)"[^>]*>(.*?)</select>', re.S)
OPTION = re.compile(r"<option( selected)?>([^<]*)</option>")


def in_place(d: Draft, checked: Checked, pairs: list[tuple[str, str]] | None) -> InPlace:
    """The form of the saved draft, as an update of the posted one (`pairs`; None: send the whole form)."""
    r = form.Renderer(d.sources)
    page, _ = r.form(d.effective, checked.by_field)
    fields = form_fields(page)
    posted = [(k, v) for k, v in pairs or () if k.startswith("e.")]
    if pairs is None or [k for k, _ in fields] != [k for k, _ in posted]:
        return InPlace([], [], str(page))
    placed: dict[str, list[str]] = {}
    for path, messages in checked.by_field.items():
        anchor = r._anchor(path)  # where form.Renderer put them (None: listed above the form only)
        if anchor is not None:
            placed.setdefault(anchor, []).extend(messages)
    where = {a: page.find(f'<div class="ovop-wb-err" role="alert">{form._e(ms[0])}</div>') for a, ms in placed.items()}
    return InPlace(sorted(placed.items(), key=lambda kv: where[kv[0]]),
                   [(k, v) for (k, v), (_, p) in zip(fields, posted) if v != p], None)


def form_fields(page: str) -> list[tuple[str, str]]:
    """(name, value) of every field of a rendered form, in its order, as a browser would post them (a select
    without a selected option sends its first; the empty rows of the add-row templates are not sent)."""
    out = []
    for m in FIELD.finditer(page):
        name = m.group(1) or m.group(3)
        if "__new__" in name:
            continue
        if m.group(1):
            out.append((name, html.unescape(m.group(2))))
            continue
        options = OPTION.findall(m.group(4))
        chosen = next((t for s, t in options if s), options[0][1] if options else "")
        out.append((name, html.unescape(chosen)))
    return out


def settle() -> None:
    """Long-lived caches were just built (the frozen editions' checks, the published population): move every
    object alive now out of the cyclic collector's reach, so that a later collection during a save scans only
    that save's objects. Measured: full collections over the server's objects took up to 120 ms, the p95 of
    a save (bench/bench_workbench.py)."""
    gc.collect()
    gc.freeze()


def _data(text: str, path: Path) -> dict:
    """A rule file's plain data (the fast safe reader of engine.rules.yamlsrc)."""
    data = yamlsrc.loads(text, str(path)).data
    if not isinstance(data, dict):
        raise OvopError(Diagnostic(str(path), 1, 1, message="a rule file is a mapping (key: value)",
                                   allowed="edition, extends, status, title, ..."))
    return data


def _valid(edition: str) -> bool:
    import re

    from ..rules import EDITION_ID
    return bool(re.match(EDITION_ID, edition or ""))


def _parse_path(dotted: str) -> tuple:
    import re
    out: list = []
    for name, index in re.findall(r"([^.\[\]]+)|\[(\d+)\]", dotted):
        out.append(int(index) if index else name)
    return tuple(out)


def _message(d: Diagnostic) -> str:
    """The problem in Indonesian, then in English on the next line (once when both are the same)."""
    said = [say(d.message, lang) + (f" ({LABELS[lang][0]}: {say(d.allowed, lang)})" if d.allowed else "")
            for lang in ("id", "en")]
    return said[0] if said[0] == said[1] else "\n".join(said)


def _unified(a: str, b: str, path: Path) -> str:
    return "".join(difflib.unified_diff(a.splitlines(keepends=True), b.splitlines(keepends=True),
                                        f"a/{path.parent.name}/{path.name}", f"b/{path.parent.name}/{path.name}"))
