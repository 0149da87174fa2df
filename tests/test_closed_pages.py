"""A page closed while the app's server writes to it: no traceback in the terminal, every other one kept.

Found running `make run` and closing the app's tab: the coach's terminal showed asyncio's "Task exception was never
retrieved" over a Tornado WebSocketClosedError traceback, though nothing was lost."""

from __future__ import annotations

import asyncio
import gc
import logging
import subprocess
import sys

import pytest
from tornado.iostream import StreamClosedError
from tornado.websocket import WebSocketClosedError

from careerconv.surfaces.commands.closed_pages import ASYNCIO_LOGGER, QuietClosedPageWrites, quiet_closed_page_writes


class _Lines(logging.Handler):
    def __init__(self):
        super().__init__(logging.DEBUG)
        self.records: list[logging.LogRecord] = []

    def emit(self, record):
        self.records.append(record)


def _unretrieved(exc: BaseException) -> list[logging.LogRecord]:
    """What asyncio logs for a task that raised ``exc`` and was let go without anyone asking for its result,
    with the filter of the app's servers in place."""
    logger = logging.getLogger(ASYNCIO_LOGGER)
    lines = _Lines()
    logger.addHandler(lines)
    try:
        quiet_closed_page_writes()
        loop = asyncio.new_event_loop()

        async def send():
            raise exc

        task = loop.create_task(send())
        loop.run_until_complete(asyncio.sleep(0.01))
        assert task.done()
        del task
        gc.collect()  # asyncio logs from the task's finaliser, on its loop
        loop.close()
    finally:
        logger.removeHandler(lines)
    return lines.records


@pytest.mark.parametrize("exc", [WebSocketClosedError(), StreamClosedError()], ids=lambda e: type(e).__name__)
def test_a_write_to_a_closed_page_leaves_no_traceback(exc):
    assert _unretrieved(exc) == []


def test_any_other_exception_a_task_leaves_is_still_logged_with_its_traceback():
    [record] = _unretrieved(ValueError("a real fault"))
    assert record.getMessage().startswith("Task exception was never retrieved")
    assert isinstance(record.exc_info[1], ValueError)


def test_a_closed_page_met_elsewhere_is_still_logged():
    """Only asyncio's "never retrieved" lines are dropped: a handler that logs the same error itself is heard."""
    record = logging.LogRecord(ASYNCIO_LOGGER, logging.ERROR, __file__, 1, "Exception in callback %s", ("cb",),
                               (WebSocketClosedError, WebSocketClosedError(), None))
    assert QuietClosedPageWrites().filter(record)


# Each server's main, its server's own start replaced by a look at the asyncio logger's filters (in a process of
# its own: the mains change the server classes they start).
_LOOK = """
import logging, sys
import jupyterhub.singleuser, jupyterlab.labapp, voila.app
from careerconv.surfaces.commands import lab_server, singleuser_server, voila_server
from careerconv.surfaces.commands.closed_pages import QuietClosedPageWrites

def look(*args, **kwargs):
    print(sum(isinstance(f, QuietClosedPageWrites) for f in logging.getLogger("asyncio").filters))
    return 0

voila.app.main = jupyterhub.singleuser.main = look
jupyterlab.labapp.LabApp.launch_instance = look
for server in (voila_server, lab_server, singleuser_server, voila_server):
    server.main([])
"""


def test_every_server_of_the_app_drops_those_lines_from_its_start_and_only_once():
    done = subprocess.run([sys.executable, "-c", _LOOK], capture_output=True, text=True, timeout=120,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["1", "1", "1", "1"]
