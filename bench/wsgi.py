"""WSGI entry point for benchmarking under gunicorn: the production app on the index named by the
environment (``create_app()`` reads no environment itself).

    PPRNET_INDEX_DIR=/tmp/some-index gunicorn -w 2 -b 127.0.0.1:8123 'bench.wsgi:app'
"""
from __future__ import annotations

import os

from webui import create_app

app = create_app({"INDEX_DIR": os.environ["PPRNET_INDEX_DIR"]})
