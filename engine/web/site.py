"""The Datasette site of a published database: its folder (metadata, templates, plugins, settings) and the
command that serves it read-only."""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..errors import Diagnostic, OvopError

SITE_DIR = Path(__file__).resolve().parents[2] / "site"
DB_NAME = "ovop"
DOWNLOAD_LIMIT = 200 * 1024 * 1024  # bytes: a database up to this size can be downloaded whole (/ovop.db)


def site_dir(path: str | Path | None = None) -> Path:
    site = Path(path) if path else SITE_DIR
    missing = [p for p in ("metadata.yaml", "templates", "plugins", "settings.json") if not (site / p).exists()]
    if missing:
        raise OvopError(Diagnostic(str(site), message=f"not a site folder: no {', '.join(missing)}",
                                   allowed="a folder with metadata.yaml, templates/, plugins/ and settings.json"))
    return site


def settings(site: Path) -> dict:
    return json.loads((site / "settings.json").read_text(encoding="utf-8"))


def check_db(db: str | Path, any_name: bool = False) -> Path:
    path = Path(db)
    if not path.is_file():
        raise OvopError(Diagnostic(str(path), message="no such database file", allowed="run ovop publish first"))
    if not any_name and path.stem != DB_NAME:  # `datasette serve` names the database by its file
        raise OvopError(Diagnostic(str(path), message=f'the site is for a database named "{DB_NAME}"',
                                   allowed=f"a file named {DB_NAME}.db (e.g. build/{DB_NAME}.db)"))
    return path


def serve_command(db: str | Path, host: str = "127.0.0.1", port: int = 8001, site: str | Path | None = None) -> list[str]:
    """`datasette serve` of one database, immutable, with the site's metadata, templates, plugins, settings."""
    path, folder = check_db(db), site_dir(site)
    cmd = [sys.executable, "-m", "datasette", "serve", "--immutable", str(path),
           "--metadata", str(folder / "metadata.yaml"), "--template-dir", str(folder / "templates"),
           "--plugins-dir", str(folder / "plugins"), "--host", host, "--port", str(port)]
    for name, value in settings(folder).items():
        cmd += ["--setting", name, json.dumps(value) if isinstance(value, bool) else str(value)]
    return cmd


def datasette_app(db: str | Path, site: str | Path | None = None):
    """The site as a Datasette object (`ovop serve`, tests, benchmarks): the database file, whatever its name,
    served read-only (immutable) as /ovop, the name the site's metadata and templates are written for."""
    import yaml
    from datasette.app import Datasette
    from datasette.database import Database
    path, folder = check_db(db, any_name=True), site_dir(site)
    metadata = yaml.safe_load((folder / "metadata.yaml").read_text(encoding="utf-8"))
    ds = Datasette(files=[], metadata=metadata, template_dir=str(folder / "templates"),
                   plugins_dir=str(folder / "plugins"), static_mounts=_static(folder),
                   settings={**settings(folder), "allow_download": downloadable(path)})
    ds.add_database(_counted(Database)(ds, str(path), is_mutable=False), name=DB_NAME)
    ds.remove_database("_memory")  # Datasette adds it when started without files: nothing else is queryable
    return ds


def _counted(database: type) -> type:
    """The published file as Datasette's Database, but for how it counts its tables' rows (for its pages): as
    Datasette counts them (each count stopped after `limit` ms: None) and once (the file is immutable), without
    logging an error where SQLite cannot count (the contentless full-text index, engine/publish/fts.py, cannot be
    scanned: no count, as Datasette gives it)."""
    import sqlite3

    from datasette.database import QueryInterrupted

    class Counted(database):
        _counts: dict | None = None

        async def table_counts(self, limit: int = 10) -> dict:
            if self._counts is None:
                counts = {}
                for table in await self.table_names():
                    try:
                        counts[table] = (await self.execute(f"select count(*) from [{table}]", custom_time_limit=limit,
                                                            log_sql_errors=False)).rows[0][0]
                    except (QueryInterrupted, sqlite3.OperationalError, sqlite3.DatabaseError):
                        counts[table] = None
                self._counts = counts
            return self._counts
    return Counted


def downloadable(path: Path, limit: int = DOWNLOAD_LIMIT) -> bool:
    """Whether the whole database may be downloaded: only under the size limit (a bigger one is queried instead)."""
    return path.stat().st_size <= limit


def _static(folder: Path) -> list[tuple[str, str]]:
    """/ovop-static/: the site's own scripts and styles (no CDN: the site works offline)."""
    return [("ovop-static", str(folder / "static"))] if (folder / "static").is_dir() else []
