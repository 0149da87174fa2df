"""The HR analytics page: the HR notebook executed in a private kernel and exported to one HTML page.

The notebook (``careerconv/surfaces/notebooks/hr_analytics.ipynb``) is executed with
papermill in a kernel that talks over IPC sockets in a private folder (no TCP
port) and writes nothing to the terminal, and exported without code by
nbconvert (through :class:`careerconv.surfaces.report.html_export.ReportExporter`,
which also drops stderr and makes a page that loads nothing from outside
itself: no script from a CDN, so opening it tells no third party and it works
offline). Used by ``careerconv hr-report`` (:mod:`careerconv.surfaces.commands.hr_report`), one page in a
fresh kernel (:func:`render_html`), and by the records service on the hub, page after page on a kernel kept warm
(:class:`WarmHrPages`).
"""

from __future__ import annotations

import copy
import os
import subprocess
import tempfile
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.utils import run_sync

from careerconv import analytics
from careerconv.records import config

__all__ = ["NOTEBOOK", "TITLE", "WarmHrPages", "render_html"]

NOTEBOOK = "hr_analytics.ipynb"
TITLE = "HR analytics"


class _QuietKernelManager(AsyncKernelManager):
    """A kernel manager whose kernel does not write to this terminal."""

    async def _async_start_kernel(self, **kw):
        kw.setdefault("stdin", subprocess.DEVNULL)
        kw.setdefault("stdout", subprocess.DEVNULL)
        kw.setdefault("stderr", subprocess.DEVNULL)
        return await super()._async_start_kernel(**kw)

    start_kernel = _async_start_kernel


# What the HR notebook imports, once per warm kernel (WarmHrPages); a small chart is drawn so fonts are loaded too.
_WARMUP = """\
import IPython.display
import careerconv.analytics
import careerconv.views.hr_plots
import careerconv.views.stacked_tables
from matplotlib.figure import Figure as _Figure
import io as _io
_f = _Figure(figsize=(2, 1))
_f.add_subplot().set_title("warm-up 0123456789")
_f.savefig(_io.BytesIO(), format="png")
del _f, _Figure, _io
"""


def render_html(parameters: dict, hr: dict | None = None) -> str:
    """Execute the HR notebook with ``parameters`` and return its HTML page without code.

    ``hr``, the tables :func:`careerconv.analytics.hr_aggregates` computed for
    these parameters, is handed to the notebook so that it does not compute
    them again (a minute on half a million employees).

    Raises
    ------
    ValueError
        If a cell of the notebook fails (the message names the error).
    """
    import nbformat
    import papermill as pm

    from .html_export import ReportExporter

    source = _notebook()
    with tempfile.TemporaryDirectory(prefix="careerconv-hr-") as tmp:
        executed = Path(tmp) / NOTEBOOK
        parameters = _with_computed(parameters, hr, Path(tmp))
        # IPC sockets in a private folder (no TCP port), and the kernel's own chatter kept off the terminal.
        km = _QuietKernelManager(kernel_name="python3", transport="ipc", ip=os.path.join(tmp, "kernel"))
        try:
            pm.execute_notebook(str(source), str(executed), parameters=parameters, progress_bar=False,
                                log_output=False, cwd=str(config.NOTEBOOKS_DIR), kernel_name="python3", km=km)
        except pm.PapermillExecutionError as exc:
            raise ValueError(f"the HR notebook failed: {exc.ename}: {exc.evalue}") from None
        finally:
            if km.has_kernel:
                run_sync(km.shutdown_kernel)(now=True)
        nb = nbformat.read(executed, as_version=4)
    return ReportExporter().export(nb, TITLE)


def _notebook() -> Path:
    source = config.NOTEBOOKS_DIR / NOTEBOOK
    if not source.exists():
        raise FileNotFoundError(f"the HR notebook {source} is missing")
    return source


def _with_computed(parameters: dict, hr: dict | None, folder: Path) -> dict:
    """``parameters`` naming the file of ``hr`` written into ``folder`` (as they are when ``hr`` is None)."""
    if hr is None:
        return parameters
    computed = folder / "hr-tables.pickle"
    analytics.save_aggregates(hr, computed)
    return {**parameters, "computed": str(computed)}


class WarmHrPages:
    """HR pages as :func:`render_html` makes them, page after page on one kernel kept warm: the kernel's start and
    the notebook's imports (some 4 of a page's 8 seconds on the demo organisation) are done once, before the first
    page is asked for if :meth:`warm_up` is called at start. The records service's renderer.

    Before each page the kernel's names are cleared, as the batch runner clears its kernels between two
    employees' reports (:class:`careerconv.surfaces.report.runner.WarmKernel`); a kernel that died or stopped
    answering is started again for the next page. The kernel is driven from a thread of its own (a kernel's
    client belongs to the thread that started it); a page asked for while it renders another is rendered in a
    fresh kernel of its own (:func:`render_html`), so two HR users never wait for each other. A call is safe from
    any thread; :meth:`shutdown` stops the kernel, after the page being rendered; :meth:`abandon` cuts that page short.
    """

    def __init__(self, timeout: float | None = None):
        from .runner import DEFAULT_TIMEOUT

        self.timeout = DEFAULT_TIMEOUT if timeout is None else timeout
        self._thread = ThreadPoolExecutor(1, thread_name_prefix="careerconv-hr-warm-kernel")
        self._busy = threading.Lock()
        self._kernel = None  # a WarmKernel, used on self._thread only
        self._starting = None  # the WarmKernel being started, until it is self._kernel
        self._abandoned = False  # set once by abandon: no page is rendered on the warm kernel any more

    def warm_up(self) -> Future:
        """Start the kernel now, in the background (its error, if it cannot start, comes with the first page)."""
        return self._thread.submit(self._started)

    def __call__(self, parameters: dict, hr: dict | None = None) -> str:
        """The HR page for ``parameters`` (and ``hr``), as :func:`render_html` returns it.

        Raises
        ------
        ValueError
            If a cell of the notebook fails (the message names the error).
        careerconv.surfaces.report.runner.KernelDied
            If the kernel could not start, died or stopped answering (a new one starts for the next page).
        """
        from .html_export import ReportExporter

        if not self._busy.acquire(blocking=False):
            return render_html(parameters, hr)
        try:
            with tempfile.TemporaryDirectory(prefix="careerconv-hr-") as tmp:
                nb = self._thread.submit(self._execute, _with_computed(parameters, hr, Path(tmp))).result()
        finally:
            self._busy.release()
        return ReportExporter().export(nb, TITLE)

    def abandon(self) -> None:
        """Cut short the page being rendered on the warm kernel, and any asked for later: each raises
        :class:`careerconv.surfaces.report.runner.KernelDied` (within about a second; a kernel still starting is
        killed too, if its process has been started: call it again until the page has ended). For a service that
        stops while it renders a page nobody waits for (HR's landing page, prepared at start); :meth:`shutdown` still
        follows."""
        self._abandoned = True
        for kernel in (self._kernel, self._starting):  # read after the flag: one started later sees it (_started)
            if kernel is not None:
                kernel.kill()

    def shutdown(self) -> None:
        """Stop the kernel (a page being rendered is finished first, unless :meth:`abandon` was called)."""
        self._thread.submit(self._stop).result()
        self._thread.shutdown()

    def _started(self):
        from .runner import KernelDied, WarmKernel

        if self._kernel is None:
            if self._abandoned:
                raise KernelDied("the HR pages were abandoned: the service is stopping")
            kernel = self._starting = WarmKernel(cwd=config.NOTEBOOKS_DIR, warmup=_WARMUP)
            try:
                kernel.start()
            finally:
                self._starting = None
            self._kernel = kernel
            if self._abandoned:  # abandoned while it started: abandon may not have seen it
                self._stop()
                raise KernelDied("the HR pages were abandoned: the service is stopping")
        return self._kernel

    def _execute(self, parameters: dict):
        from papermill.iorw import load_notebook_node
        from papermill.parameterize import parameterize_notebook

        from .runner import ENGINE_NAME, KERNEL_NAME, KernelDied

        nb = parameterize_notebook(load_notebook_node(str(_notebook())), parameters, kernel_name=KERNEL_NAME,
                                   language="python", engine_name=ENGINE_NAME)
        kernel = self._started()
        try:
            return self._run(kernel, nb)
        except KernelDied:
            # Ended since the last page (killed, out of memory): the page on a new kernel. One that stopped
            # answering while alive (a cell over the timeout) is not tried again.
            ended = kernel.km is None or not run_sync(kernel.km.is_alive)()
            self._stop()
            if not ended or self._abandoned:
                raise
        return self._run(self._started(), nb)

    def _run(self, kernel, nb):
        from papermill.exceptions import PapermillExecutionError

        try:
            return kernel.execute(copy.deepcopy(nb), timeout=self.timeout)
        except PapermillExecutionError as exc:  # the notebook raised: the kernel is fine
            raise ValueError(f"the HR notebook failed: {exc.ename}: {exc.evalue}") from None

    def _stop(self) -> None:
        if self._kernel is not None:
            self._kernel.shutdown(now=True)
            self._kernel = None
