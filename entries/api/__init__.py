"""The HTTP API: the same core the page and the CLI call, over HTTP (FastAPI + uvicorn).

``create_app(assistant)`` builds the application (``app.py``); ``python -m entries.api`` (or
``./run.sh api``) serves it (``server.py``). Routes live in ``routes/``, one module per resource;
``schemas.py`` holds the request and response models, ``auth.py`` the API keys, ``limits.py`` the
body limits, ``errors.py`` the one JSON error shape.
"""

from entries.api.app import create_app

__all__ = ["create_app"]
