"""The HR analytics page: the HR notebook executed in a private kernel and exported to one HTML page.

The notebook (``careerconv/surfaces/notebooks/hr_analytics.ipynb``) is executed with
papermill in a kernel that talks over IPC sockets in a private folder (no TCP
port) and writes nothing to the terminal, and exported without code by
nbconvert (through :class:`careerconv.surfaces.report.html_export.ReportExporter`,
which also drops stderr and makes a page that loads nothing from outside
itself: no script from a CDN, so opening it tells no third party and it works
offline). Used by ``careerconv hr-report`` (:mod:`careerconv.surfaces.commands.hr_report`).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from pathlib import Path

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.utils import run_sync

from careerconv import analytics
from careerconv.records import config

__all__ = ["NOTEBOOK", "TITLE", "render_html"]

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

    source = config.NOTEBOOKS_DIR / NOTEBOOK
    if not source.exists():
        raise FileNotFoundError(f"the HR notebook {source} is missing")
    with tempfile.TemporaryDirectory(prefix="careerconv-hr-") as tmp:
        executed = Path(tmp) / NOTEBOOK
        if hr is not None:
            computed = Path(tmp) / "hr-tables.pickle"
            analytics.save_aggregates(hr, computed)
            parameters = {**parameters, "computed": str(computed)}
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
