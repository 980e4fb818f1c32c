"""Which database errors pass: a cut connection, a server restarting or failing over, a time-out.

Such an error says nothing about the work itself, so the work is tried again (an outbox row stays
under its claim's lease); any other error is a bug or a row that can never be handled.
"""

from __future__ import annotations

import asyncpg
from sqlalchemy import exc

#: The driver's errors for a connection that went away or could not be made, and time-outs.
_ASYNCPG = (
    asyncpg.exceptions.PostgresConnectionError,  # connection does not exist, failure, rejected
    asyncpg.exceptions.OperatorInterventionError,  # pg_terminate_backend, admin or crash shutdown
    asyncpg.exceptions.InterfaceError,  # "connection is closed"
    asyncpg.exceptions.TooManyConnectionsError,
    TimeoutError,
    ConnectionError,
)


def is_transient(error: BaseException) -> bool:
    """A cut connection or a time-out (as SQLAlchemy or the driver raise it), not a bug."""
    seen: set[int] = set()
    current: BaseException | None = error
    while current is not None and id(current) not in seen:  # the driver's error is the cause
        seen.add(id(current))
        if isinstance(current, exc.DBAPIError) and current.connection_invalidated:
            return True
        if isinstance(current, exc.OperationalError | exc.InterfaceError | exc.DisconnectionError):
            return True
        if isinstance(current, _ASYNCPG):
            return True
        current = getattr(current, "orig", None) or current.__cause__
    return False
