"""The files of a coach's server on the hub, which no request changes (see :mod:`.singleuser_server`).

The server's folder holds careerconv's own notebooks, the same for every coach's server; a coach who could
write there (``PUT /user/<login>/api/contents/conversation.ipynb``) would change the app every other coach's
server runs, and a page saved there would be served from the hub's own address.
"""

from __future__ import annotations

from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado.web import HTTPError


def _refuse(*args, **kwargs):
    raise HTTPError(403, "a coach's server changes no file: its notebooks are careerconv's own")


class ReadOnlyContents(AsyncLargeFileManager):
    """jupyter_server's files, read as before; every write, rename, removal and checkpoint is refused (403)."""

    save = delete_file = rename_file = staticmethod(_refuse)
    create_checkpoint = restore_checkpoint = delete_checkpoint = staticmethod(_refuse)
