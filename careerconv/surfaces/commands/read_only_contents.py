"""The files of a coach's server on the hub: the app's notebook, which no request changes (see
:mod:`.singleuser_server`).

The server's folder holds careerconv's own notebooks, the same for every coach's server; a coach who could
write there (``PUT /user/<login>/api/contents/conversation.ipynb``) would change the app every other coach's
server runs, and a page saved there would be served from the hub's own address. Of them the server shows the
app's alone: the others (the HR page's, the progress report's, the data explorer's) rendered and ran, each in a
kernel of its own, on the bundled sample organisation (found by a hostile test of the hub), and its folder was
listed; they are not the coach's app.
"""

from __future__ import annotations

from jupyter_server.files.handlers import FilesHandler
from jupyter_server.services.contents.largefilemanager import AsyncLargeFileManager
from tornado.web import HTTPError

from careerconv.records.resources import APP_NOTEBOOK


def _refuse(*args, **kwargs):
    raise HTTPError(403, "a coach's server changes no file: its notebooks are careerconv's own")


def _served(path: str) -> bool:
    return path.strip("/") == APP_NOTEBOOK


class ReadOnlyContents(AsyncLargeFileManager):
    """jupyter_server's files, the app's notebook (:data:`APP_NOTEBOOK`) alone: anything else is not found (404),
    not even the folder; every write, rename, removal and checkpoint is refused (403)."""

    save = delete_file = rename_file = staticmethod(_refuse)
    create_checkpoint = restore_checkpoint = delete_checkpoint = staticmethod(_refuse)
    # files/... read through get (the file manager's own handler serves the folder's files straight from disk)
    files_handler_class = FilesHandler

    async def get(self, path, content=True, type=None, format=None, **kwargs):
        if not _served(path):
            raise HTTPError(404, f"no file {path!r}: a coach's server serves the coach's app alone")
        return await super().get(path, content=content, type=type, format=format, **kwargs)

    async def file_exists(self, path: str) -> bool:
        return _served(path) and await super().file_exists(path)

    async def dir_exists(self, path) -> bool:
        return False

    def exists(self, path) -> bool:
        return _served(path) and super().exists(path)
