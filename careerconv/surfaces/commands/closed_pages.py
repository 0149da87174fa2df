"""A page closed while its server was writing to it: no traceback in the terminal of ``careerconv app``.

When a coach closes or reloads the app's page (or their browser drops its connection) while the server is sending
it a message, the message has nowhere to go: Tornado raises ``WebSocketClosedError`` in the task that was sending
it, the server's code does not wait for that task, and asyncio logs "Task exception was never retrieved" with the
whole traceback, a screenful that looks like a crash to the person running the app. Nothing is lost: the kernel
keeps the conversation and the page gets everything again when it connects. :class:`QuietClosedPageWrites` drops
those lines, and only those: any other exception a task leaves unretrieved is still logged.
"""

from __future__ import annotations

import logging

ASYNCIO_LOGGER = "asyncio"
_NEVER_RETRIEVED = ("Task exception was never retrieved", "Future exception was never retrieved")
_CLOSED = {("tornado.websocket", "WebSocketClosedError"), ("tornado.iostream", "StreamClosedError")}


class QuietClosedPageWrites(logging.Filter):
    """Drops asyncio's "... exception was never retrieved" for a write to a page that had closed (see the
    module's docstring)."""

    def filter(self, record: logging.LogRecord) -> bool:
        exc = record.exc_info[1] if record.exc_info else None
        closed = exc is not None and (type(exc).__module__, type(exc).__name__) in _CLOSED
        return not (closed and str(record.msg).startswith(_NEVER_RETRIEVED))


def quiet_closed_page_writes() -> None:
    """Keep asyncio's lines about writes to closed pages out of this process's log (:class:`QuietClosedPageWrites`)."""
    logger = logging.getLogger(ASYNCIO_LOGGER)
    if not any(isinstance(f, QuietClosedPageWrites) for f in logger.filters):
        logger.addFilter(QuietClosedPageWrites())
