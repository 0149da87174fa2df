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
"""

from __future__ import annotations

import os
import sys

from . import settings

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


if __name__ == "__main__":
    try:
        from careerconv.surfaces.service.server import main
    except ImportError as exc:  # the hub extra is not installed
        sys.exit(f"careerconv records service: {exc.name or 'a module'} is not installed; the service needs "
                 "JupyterHub: pip install 'careerconv[hub]'")
    from careerconv.surfaces.report.hr_page import WarmHrPages

    pages = WarmHrPages()
    pages.warm_up()
    try:
        main(None, organisation_minimum, pages)
    finally:
        pages.shutdown()
