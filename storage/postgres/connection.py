"""Pooled PostgreSQL connections (psycopg 3 + psycopg_pool), one pool per database URL, and the
messages for a database that cannot be reached."""

from __future__ import annotations

import atexit
import threading

import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg_pool import ConnectionPool

from storage.base import StorageError

CONNECT_TIMEOUT_S = 5
_pools: dict[str, ConnectionPool] = {}
_lock = threading.Lock()


def where(url: str) -> str:
    """The database a URL names, without its password ("db on user@host:port")."""
    try:
        info = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "the database in DATABASE_URL"
    host = info.get("host") or "localhost"
    return f"database {info.get('dbname', '?')!r} on {info.get('user', '')}@{host}:{info.get('port', 5432)}"


def unreachable(url: str, error: Exception) -> StorageError:
    """A message for a connection that failed: what failed and what to check."""
    reason = str(error).strip().splitlines()[-1] if str(error).strip() else type(error).__name__
    if "password" in reason.lower() or "authentication" in reason.lower():
        hint = "check the user name and password in DATABASE_URL"
    else:
        hint = "check that PostgreSQL is running and DATABASE_URL (host, port, database name)"
    return StorageError(f"Cannot connect to the knowledge base {where(url)}: {reason}. Please {hint}.")


def pool(url: str) -> ConnectionPool:
    """The shared pool for ``url``, opened (and the database tried) on first use."""
    with _lock:
        found = _pools.get(url)
        if found is not None:
            return found
        try:  # one direct attempt first: the pool alone would only say it timed out
            psycopg.connect(url, connect_timeout=CONNECT_TIMEOUT_S).close()
        except psycopg.Error as e:
            raise unreachable(url, e) from None
        opened = ConnectionPool(  # each connection checked as it is taken: after a server restart
            url,  # the pool's old connections are dead, and a new one is made instead
            min_size=1,
            max_size=4,
            kwargs={"connect_timeout": CONNECT_TIMEOUT_S},
            check=ConnectionPool.check_connection,
            timeout=CONNECT_TIMEOUT_S * 2,
            open=False,
        )
        opened.open(wait=True, timeout=CONNECT_TIMEOUT_S * 2)
        _pools[url] = opened
        return opened


def close(url: str) -> None:
    """Close the pool for ``url``, if one is open (a test's own server, before it stops)."""
    with _lock:
        opened = _pools.pop(url, None)
    if opened is not None:
        opened.close()


@atexit.register
def close_all() -> None:
    """Close every pool (at exit, and in tests that stop their server)."""
    with _lock:
        for opened in _pools.values():
            opened.close()
        _pools.clear()
