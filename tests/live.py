"""What the browser tests share: Debian's Chromium with the flags this closed network needs, and the
app served over an index on a free loopback port in a daemon thread."""
from __future__ import annotations

import contextlib
import threading
from dataclasses import dataclass
from pathlib import Path

from werkzeug.serving import make_server

from search.engine import SearchEngine

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@dataclass
class LiveServer:
    url: str
    index_dir: Path
    engine: SearchEngine


@contextlib.contextmanager
def serve(index_dir: Path):
    """Build the app over ``index_dir`` and serve it on a free loopback port in a daemon thread."""
    from webui import create_app

    app = create_app({"INDEX_DIR": str(index_dir)})
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="browser-test-server", daemon=True)
    thread.start()
    engine = SearchEngine(index_dir)
    try:
        yield LiveServer(f"http://127.0.0.1:{server.server_port}", index_dir, engine)
    finally:
        engine.close()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)
