"""`ovop serve`: the site served in this process (uvicorn), so SIGTERM and Ctrl-C stop the whole server.

No child process is started: the Datasette app of `site.datasette_app` runs under uvicorn here, and uvicorn
shuts down on SIGINT and SIGTERM; nothing is left holding the port.
"""
from __future__ import annotations

import asyncio
from pathlib import Path

from .site import datasette_app


def serve(db: str | Path, host: str = "127.0.0.1", port: int = 8001, site: str | Path | None = None) -> None:
    """Serve the database (any file name) read-only with the site's metadata, templates, plugins and settings."""
    import uvicorn
    ds = datasette_app(db, site)
    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="info", lifespan="on", workers=1)
