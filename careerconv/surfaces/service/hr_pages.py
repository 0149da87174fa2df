"""The HR page's charts on the records service: each page rendered once per state of the data, in the background.

Rendering the HR notebook (charts and readings, :class:`careerconv.surfaces.report.hr_page.WarmHrPages`) takes
some seconds. :class:`RenderedPages` keeps the pages rendered last, keyed by everything that
changes one (the request's period, departments, report date and minimum group size, and the state of the data it
was computed from: see :meth:`careerconv.surfaces.service.server.RecordsService.data_state`), and renders a page
that is asked for again while it renders only once: the second request waits for the first one's page.

:func:`with_header` puts the service's own lines (who is signed in, the minimum group size in force, each table
as CSV) at the top of the rendered page, per request, so one cached page serves every HR user.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import secrets
import time
from typing import Awaitable, Callable, Hashable

# The service's log (tornado's application log: the module is loaded without the optional web server).
app_log = logging.getLogger("tornado.application")


__all__ = ["RenderedPages", "ChartsFailed", "with_header", "charts_failed", "failure_reference"]

MAX_PAGES = 8  # pages kept; the demo's is 1.2 MB, mostly its charts as embedded PNG images
# Seconds a render that failed is not tried again for the same page: a kernel that hangs at start holds a render
# for papermill's minute, and every HR request would wait that long again for the tables page.
RETRY_AFTER = 120.0


class ChartsFailed(Exception):
    """The HR notebook could not make the page. ``kind`` is the error's kind (its class name) and ``reference`` what
    the records service's log names its details by, both for the page HR reads, which never shows the error's
    message (it may name a file of the server, the notebook's temp folder); ``hr`` holds the protected tables, which
    were computed, so the figures can still be shown as tables."""

    def __init__(self, kind: str, reference: str, hr: dict):
        super().__init__(f"{kind} (details in the log under {reference})")
        self.kind, self.reference, self.hr = kind, reference, hr


class RenderedPages:
    """The last :data:`MAX_PAGES` pages, by key; a page being rendered is shared by everyone who asks for it.

    Use it from the event loop only (it holds no lock: the loop runs one coroutine at a time). A render that fails
    is not kept: everyone waiting for it gets its error, and so does every request for that page in the next
    ``retry_after`` seconds, without a render; the first request after that tries again.

    Parameters
    ----------
    max_pages
        How many rendered pages are kept; the one used longest ago goes first.
    retry_after
        Seconds a failed render is answered with its error before it is tried again.
    clock
        Seconds, for ``retry_after`` (default :func:`time.monotonic`).
    """

    def __init__(self, max_pages: int = MAX_PAGES, retry_after: float = RETRY_AFTER,
                 clock: Callable[[], float] = time.monotonic):
        self.max_pages = max_pages
        self.retry_after, self.clock = retry_after, clock
        self._pages: collections.OrderedDict[Hashable, str] = collections.OrderedDict()
        self._rendering: dict[Hashable, asyncio.Future] = {}
        self._failed: dict[Hashable, tuple[float, BaseException]] = {}

    def __len__(self) -> int:
        return len(self._pages)

    async def page(self, key: Hashable, render: Callable[[], Awaitable[str]]) -> str:
        """The page for ``key``: kept, being rendered (waited for), or rendered now by awaiting ``render()``.

        Raises
        ------
        Exception
            Whatever ``render()`` raised, to every request that waited for that render.
        """
        if key in self._pages:
            self._pages.move_to_end(key)
            return self._pages[key]
        if key in self._rendering:
            # shield: a waiter whose client went away must not cancel the render the others wait for
            return await asyncio.shield(self._rendering[key])
        failed = self._failed.get(key)
        if failed is not None and self.clock() - failed[0] < self.retry_after:
            raise failed[1]
        self._failed.pop(key, None)
        future: asyncio.Future = asyncio.get_running_loop().create_future()
        self._rendering[key] = future
        try:
            html = await render()
        except BaseException as exc:
            if isinstance(exc, Exception):  # not a cancellation: the same page fails alike for a while
                self._failed[key] = (self.clock(), exc)
                while len(self._failed) > self.max_pages:
                    del self._failed[next(iter(self._failed))]
            future.set_exception(exc)
            future.exception()  # retrieved: with no one else waiting, asyncio does not warn of it
            raise
        finally:
            del self._rendering[key]
        future.set_result(html)
        self._pages[key] = html
        while len(self._pages) > self.max_pages:
            self._pages.popitem(last=False)
        return html


def with_header(page: str, header: str) -> str:
    """``page`` (an exported notebook) with ``header`` (HTML) first in its ``<main>``, else first in its body.

    Raises
    ------
    ValueError
        If the page has neither a ``<main>`` nor a ``<body …>`` tag.
    """
    at = page.find("<main>")
    if at >= 0:
        at += len("<main>")
    else:
        body = page.find("<body")
        at = page.find(">", body) + 1 if body >= 0 else -1
    if at <= 0:
        raise ValueError("the rendered HR page has no <main> or <body> to put the header in")
    return page[:at] + header + page[at:]


def failure_reference() -> str:
    """A new name to log a failed render's details under, and to tell HR (``hr-page-failure-`` and 8 hex digits)."""
    return f"hr-page-failure-{secrets.token_hex(4)}"


def charts_failed(exc: BaseException, hr: dict) -> ChartsFailed:
    """``exc``, the render's error, logged on the server with its details (message and traceback) under a new
    :func:`failure_reference`, as the :class:`ChartsFailed` the page says it with. Call it where ``exc`` is
    handled (the log takes the traceback of the exception being handled)."""
    reference = failure_reference()
    app_log.exception("%s: the HR page's charts could not be made", reference)
    return ChartsFailed(type(exc).__name__, reference, hr)
