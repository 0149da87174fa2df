"""How ``careerconv app`` gets the coach a usable page fast: the notebook's light import, the app built into
its frame just after the cell under Voila, and the pool heating the next kernel only after the first page."""

from __future__ import annotations

import asyncio
import subprocess
import sys
from pathlib import Path

import pytest

from careerconv.records import config
from careerconv.surfaces.app import launch
from careerconv.surfaces.commands import voila_server

PROJECT = Path(__file__).resolve().parents[1]


def test_the_notebooks_import_brings_neither_pandas_nor_the_app():
    code = ("import sys; from careerconv.surfaces.app import open_app; "
            "heavy = [m for m in ('pandas', 'numpy', 'pyarrow', 'matplotlib', 'careerconv.records.store', "
            "'careerconv.surfaces.app.facilitation') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], cwd=PROJECT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", out.stdout + out.stderr
    from careerconv.surfaces.app import ConversationApp, resolve_data_dir  # still there, imported when asked
    assert ConversationApp.__name__ == "ConversationApp" and callable(resolve_data_dir)
    with pytest.raises(AttributeError, match="no attribute 'nothing'"):
        import careerconv.surfaces.app as package
        package.nothing


def _run_cell(make, wait: float = 30.0):
    """Run ``make()`` as a kernel cell would (on a running loop), then let the loop run until the frame is
    filled; returns (what the cell returned, what its frame showed when the cell ended)."""
    async def cell():
        opened = make()
        shown_at_once = tuple(opened.widget.children)
        deadline = asyncio.get_running_loop().time() + wait
        while opened.app is None and not opened.problem and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)
        while opened.app is not None and not opened.app.skill_names and asyncio.get_running_loop().time() < deadline:
            await asyncio.sleep(0.02)  # read on a thread, delivered through this loop
        return opened, shown_at_once
    return asyncio.run(cell())


def test_under_voila_the_cell_returns_a_frame_and_the_app_is_built_into_it_right_after(small_org, monkeypatch):
    monkeypatch.setenv(launch.VOILA_ENV, "True")
    opened, at_once = _run_cell(lambda: launch.open_app(data_dir=str(small_org)))
    assert isinstance(opened, launch.OpenedApp)
    assert len(at_once) == 1 and "Opening the app" in at_once[0].value  # the cell did not wait for the build
    assert opened.problem == "" and opened.app is not None
    assert opened.widget.children == (opened.app.widget,)
    assert opened.app.people.search("")[:1].size == 1  # the roster is read: the search answers
    assert opened.app.skill_names  # read on a thread and handed back through the kernel's loop
    bundle = opened._repr_mimebundle_()
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == opened.widget.model_id


def test_an_app_that_cannot_open_says_why_in_its_frame(small_org, monkeypatch):
    monkeypatch.setenv(launch.VOILA_ENV, "False")  # a kernel Voila started for a page without the pool
    opened, _ = _run_cell(lambda: launch.open_app(data_dir=str(small_org), coach_id="../etc"))
    assert opened.app is None and opened.problem
    text = opened.widget.children[0].value
    assert "The app could not open" in text and "coach id" in text and "<script" not in text


def test_outside_voila_the_cell_shows_the_built_app_itself(small_org, monkeypatch):
    monkeypatch.delenv(launch.VOILA_ENV, raising=False)
    app = launch.open_app(data_dir=str(small_org))
    assert type(app).__name__ == "ConversationApp" and app.people.search("")[:1].size == 1


class _FakeVoilaPool:
    """What paced_pool relies on in Voila's preheating manager: on a page, take a kernel, refill the pool."""

    def __init__(self, **kwargs):
        self.notebook_path = "conversation.ipynb"
        self.notebook_data: dict = {}
        self.started: list[str] = []
        self.cells = 1

    async def get_rendered_notebook(self, notebook_name, **kwargs):
        asyncio.ensure_future(self._initialize(notebook_name))  # Voila: fill_if_needed after the take

        async def rendering():
            for i in range(self.cells):
                await asyncio.sleep(0.05)
                yield f"<cell {i}>", None

        async def render():
            return ["<head>"], rendering()
        return asyncio.ensure_future(render()), ["<head>"], "kernel-1"

    async def _initialize(self, notebook_path, kernel_id=None, **kwargs):
        self.envs = [*getattr(self, "envs", []), kwargs.get("env", {})]
        self.started.append(kernel_id or "new")
        return {"kernel_id": kernel_id or "new"}

    async def shutdown_all(self):
        self.stopped = True


def test_the_pool_heats_the_next_kernel_only_after_the_page_or_when_another_page_asks():
    pool_class = voila_server.paced_pool(_FakeVoilaPool, settle=0.3, latest=5.0)

    async def scenario():
        pool = pool_class()
        # the page handler takes a pool kernel only once the notebook is registered: from the start
        assert pool.notebook_data.get("conversation.ipynb") is not None
        task, cache, kernel = await pool.get_rendered_notebook("conversation.ipynb")
        await asyncio.sleep(0.1)
        assert pool.started == []  # not heated while the page is built
        rendered, rest = await task
        assert rendered == ["<head>"] and [html async for html, _ in rest] == ["<cell 0>"]
        await asyncio.sleep(0.1)
        assert pool.started == []  # the page's notebook has run; the browser is building the page
        await asyncio.sleep(0.4)
        assert pool.started == ["new"]  # settled: the next kernel is heated
        assert pool.envs[-1] == {config.BUILD_FOR_PAGE_ENV: "1"}  # ... to build the app when a page takes it
        assert voila_server.BUILD_FOR_PAGE_ENV == config.BUILD_FOR_PAGE_ENV
        # a second page while a refill is held back: it starts at once
        await pool.get_rendered_notebook("conversation.ipynb")
        await asyncio.sleep(0.05)
        assert pool.started == ["new"]
        await pool.get_rendered_notebook("conversation.ipynb")
        await asyncio.sleep(0.05)
        assert pool.started == ["new", "new"]
        # a restart (its kernel's id) never waits
        await pool._initialize("conversation.ipynb", "kernel-9")
        assert pool.started[-1] == "kernel-9"

    asyncio.run(scenario())


def test_the_held_back_kernel_starts_at_the_latest_after_the_limit():
    pool_class = voila_server.paced_pool(_FakeVoilaPool, settle=10.0, latest=0.3)

    async def scenario():
        pool = pool_class()
        await pool.get_rendered_notebook("conversation.ipynb")  # the page never finishes
        await asyncio.sleep(0.1)
        assert pool.started == []
        await asyncio.sleep(0.4)
        assert pool.started == ["new"]

    asyncio.run(scenario())


def test_a_server_stopping_does_not_wait_for_the_held_back_kernel_nor_start_it():
    pool_class = voila_server.paced_pool(_FakeVoilaPool, settle=10.0, latest=10.0)

    async def scenario():
        pool = pool_class()
        await pool._initialize("conversation.ipynb")  # the kernel heated at the start
        await pool.get_rendered_notebook("conversation.ipynb")  # a page takes it; the refill is held back
        await asyncio.sleep(0.05)
        assert pool.started == ["new"]
        await asyncio.wait_for(pool.shutdown_all(), 1.0)
        assert pool.stopped
        await asyncio.sleep(0.05)
        assert pool.started == ["new"]  # the held-back refill gave up instead of starting a kernel

    asyncio.run(scenario())


def test_a_kernel_heated_ahead_builds_the_app_only_once_voila_gives_it_to_a_page(small_org, monkeypatch):
    """The pool's kernel runs the notebook at once but waits for Voila's word (over /voila/query/<id>,
    as Voila sends a page's request to it) before the app's imports and construction."""
    from tornado.web import Application
    from tornado.websocket import WebSocketHandler

    asked: list[str] = []

    class Query(WebSocketHandler):  # Voila's RequestInfoSocketHandler, the page arriving 0.5 s later
        def open(self, kernel_id):
            asked.append(kernel_id)
            asyncio.get_running_loop().call_later(0.5, self.write_message, '{"QUERY_STRING": ""}')

    async def scenario():
        server = Application([(r"/voila/query/(.*)", Query)]).listen(0, "127.0.0.1")
        port = next(iter(server._sockets.values())).getsockname()[1]
        monkeypatch.setenv(launch.VOILA_ENV, "True")
        monkeypatch.setenv(config.BUILD_FOR_PAGE_ENV, "1")
        monkeypatch.setenv("VOILA_KERNEL_ID", "abc-1")
        monkeypatch.setenv("VOILA_APP_PORT", str(port))
        monkeypatch.setenv("VOILA_SERVER_URL", "/")
        opened = launch.open_app(data_dir=str(small_org))
        await asyncio.sleep(0.3)
        assert asked == ["abc-1"] and opened.app is None  # waiting for a page
        await asyncio.wait_for(opened.building, 30)
        assert opened.app is not None and opened.widget.children == (opened.app.widget,)
        server.stop()

    asyncio.run(scenario())


def test_a_kernel_heated_ahead_builds_anyway_when_voila_cannot_be_asked(small_org, monkeypatch):
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]  # nothing listens there
    monkeypatch.setenv(launch.VOILA_ENV, "True")
    monkeypatch.setenv(config.BUILD_FOR_PAGE_ENV, "1")
    monkeypatch.setenv("VOILA_KERNEL_ID", "abc-1")
    monkeypatch.setenv("VOILA_APP_PORT", str(port))
    opened, _ = _run_cell(lambda: launch.open_app(data_dir=str(small_org)))
    assert opened.app is not None


def test_the_first_kernel_builds_at_once_without_asking_voila(small_org, monkeypatch):
    monkeypatch.setenv(launch.VOILA_ENV, "True")  # the kernel heated at the start: the coach's page is coming
    monkeypatch.delenv(config.BUILD_FOR_PAGE_ENV, raising=False)
    monkeypatch.setenv("VOILA_KERNEL_ID", "abc-1")
    monkeypatch.setenv("VOILA_APP_PORT", "1")  # would fail (and warn) if asked
    opened, _ = _run_cell(lambda: launch.open_app(data_dir=str(small_org)))
    assert opened.app is not None


def test_a_kernel_heated_ahead_does_not_build_when_the_server_goes_away(small_org, monkeypatch):
    """The server stopping closes the connection: no page will come, and the kernel being shut down does not
    start importing and building the app (nor print what fails in a half-closed kernel)."""
    from tornado.web import Application
    from tornado.websocket import WebSocketHandler

    class Query(WebSocketHandler):  # the server stops 0.3 s after the kernel asked
        def open(self, kernel_id):
            asyncio.get_running_loop().call_later(0.3, self.close)

    async def scenario():
        server = Application([(r"/voila/query/(.*)", Query)]).listen(0, "127.0.0.1")
        port = next(iter(server._sockets.values())).getsockname()[1]
        for name, value in ((launch.VOILA_ENV, "True"), (config.BUILD_FOR_PAGE_ENV, "1"),
                            ("VOILA_KERNEL_ID", "abc-1"), ("VOILA_APP_PORT", str(port))):
            monkeypatch.setenv(name, value)
        opened = launch.open_app(data_dir=str(small_org))
        await asyncio.wait_for(opened.building, 10)
        assert opened.app is None and "Opening the app" in opened.widget.children[0].value
        server.stop()

    asyncio.run(scenario())


def test_a_reply_after_the_kernel_closed_its_sockets_stays_out_of_the_terminal():
    """The app stopped while its kernel ran the notebook: ipykernel logs the cell's reply that could not go out
    (ZMQError ENOTSOCK) as an error - that one record is dropped, any other error of the kernel still shows."""
    import errno
    import logging

    import zmq

    def record(exc: BaseException | None) -> logging.LogRecord:
        info = (type(exc), exc, None) if exc else None
        return logging.LogRecord("IPKernelApp", logging.ERROR, __file__, 1, "Exception in message handler:", (), info)

    drop = launch._ReplyAfterShutdown()
    assert not drop.filter(record(zmq.ZMQError(errno.ENOTSOCK)))
    assert drop.filter(record(zmq.ZMQError(errno.EAGAIN)))  # another socket error is a real problem
    assert drop.filter(record(ValueError("bad")))
    assert drop.filter(record(None))
    launch.quiet_closed_sockets()  # outside a kernel: nothing to do, no error
