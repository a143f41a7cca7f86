"""`ovop serve`: the site served in this process (uvicorn), so SIGTERM and Ctrl-C stop the whole server.

The rules are read before the port opens: a published edition whose content is not what rules/editions.lock
froze (or that the lock lacks) refuses the whole site, named with both hashes. No child process is started:
the Datasette app of `site.datasette_app` runs under uvicorn here, and uvicorn shuts down on SIGINT and
SIGTERM; nothing is left holding the port.
"""
from __future__ import annotations

import asyncio
from pathlib import Path

from .site import datasette_app
from .state import state


def serve(db: str | Path, host: str = "127.0.0.1", port: int = 8001, site: str | Path | None = None) -> None:
    """Serve the database (any file name) read-only with the site's metadata, templates, plugins and settings."""
    import uvicorn
    state()  # the rules, read before the port opens: a published edition not as frozen refuses the site
    ds = datasette_app(db, site)
    asyncio.run(ds.invoke_startup())
    uvicorn.run(ds.app(), host=host, port=port, log_level="info", lifespan="on", workers=1)
