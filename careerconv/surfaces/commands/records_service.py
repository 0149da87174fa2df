"""The records service as JupyterHub starts it: ``python -m careerconv.surfaces.commands.records_service --data DIR
--access-log FILE [--config FILE]`` (all its arguments: :func:`careerconv.surfaces.service.server.main`).

The service's figures for HR, and the skill names it lists, describe at least the organisation's minimum group
size, the setting ``privacy.min_group_size``, read here by the rule every command follows
(:func:`.settings.resolve_one`): from ``--config FILE``, else the data folder's ``careerconv.toml``, else the
default - what ``careerconv hr-report`` and ``careerconv config privacy.min_group_size`` on that folder use. It is
read again for every request that uses it, so a changed file applies to the next one; a file that is not valid
stops the service at start (and refuses a request later), as it stops every command.

The HR page on the hub is the HR notebook rendered as ``careerconv hr-report`` renders it, with the tables the
service computes, page after page on a kernel started with the service and kept warm
(:class:`careerconv.surfaces.report.hr_page.WarmHrPages`): HR's first page does not wait for a kernel to start.
They are made once the service listens (:class:`HrPagesAfterStart`), as the figures' modules are imported then
(:data:`careerconv.surfaces.service.server.LATER_MODULES`): the hub waits for the service to answer, and
before it listens the service imports only what it answers with (JupyterHub's authentication, the store).
"""

from __future__ import annotations

import os
import sys
import threading
from concurrent.futures import Future
from typing import TYPE_CHECKING

from . import settings

if TYPE_CHECKING:
    from careerconv.surfaces.report.hr_page import WarmHrPages

MIN_GROUP_SIZE = "privacy.min_group_size"


def organisation_minimum(data_dir: str | os.PathLike, config_file: str | os.PathLike | None) -> tuple[int, str]:
    """The organisation's minimum group size and where it is set (``"the organisation's settings"``, else
    ``"the built-in default"``).

    Raises
    ------
    careerconv.surfaces.commands.settings.SettingsError
        If the settings file is not valid.
    FileNotFoundError
        If ``config_file`` is given and is not a file.
    """
    resolved = settings.resolve_one(MIN_GROUP_SIZE, data_dir, config_file)
    where = {settings.FILE: "the organisation's settings", settings.DEFAULT: "the built-in default"}
    return resolved.value, where.get(resolved.source, resolved.describe_source())


class HrPagesAfterStart:
    """The service's HR pages (:class:`~careerconv.surfaces.report.hr_page.WarmHrPages`), made by :meth:`start`
    in a thread of its own once the service listens: importing them (the report package, jupyter_client) and
    starting their kernel (a process of its own, on the same cores) no longer delay the moment the service answers.
    A page asked for before they are made waits for them; their kernel's start is begun as soon as they are.
    Callable, and ``abandon()`` and ``shutdown()``, as ``WarmHrPages``.
    """

    def __init__(self):
        self._pages: Future[WarmHrPages] = Future()
        self._lock = threading.Lock()
        self._abandoned = False
        self._started = False

    def start(self) -> None:
        """Make the pages and start their kernel, in a thread of its own (once)."""
        with self._lock:
            if self._started:
                return
            self._started = True
        threading.Thread(target=self._make, name="careerconv-hr-pages-start", daemon=True).start()

    def _make(self) -> None:
        try:
            from careerconv.surfaces.report.hr_page import WarmHrPages

            pages = WarmHrPages()
            with self._lock:  # abandoned before they were made: they are abandoned as they come
                if self._abandoned:
                    pages.abandon()
                else:
                    pages.warm_up()
        except BaseException as exc:  # comes with the first page, as WarmHrPages's own start's error does
            self._pages.set_exception(exc)
            return
        self._pages.set_result(pages)

    def __call__(self, parameters: dict, hr: dict | None = None) -> str:
        """The HR page, as :meth:`WarmHrPages.__call__ <careerconv.surfaces.report.hr_page.WarmHrPages.__call__>`
        makes it (once the pages are made)."""
        return self._pages.result()(parameters, hr)

    def abandon(self) -> None:
        """Cut short the page being rendered, and any asked for later (see ``WarmHrPages.abandon``)."""
        with self._lock:
            self._abandoned = True
        if self._pages.done() and self._pages.exception() is None:
            self._pages.result().abandon()

    def shutdown(self) -> None:
        """Stop the pages' kernel, once they are made; at once if they never were to be (not started)."""
        if not self._started or self._pages.exception() is not None:
            return
        self._pages.result().shutdown()


if __name__ == "__main__":
    try:
        from careerconv.surfaces.service.server import main
    except ImportError as exc:  # the hub extra is not installed
        sys.exit(f"careerconv records service: {exc.name or 'a module'} is not installed; the service needs "
                 "JupyterHub: pip install 'careerconv[hub]'")

    pages = HrPagesAfterStart()
    try:
        main(None, organisation_minimum, pages, listening=pages.start)
    finally:
        pages.shutdown()
