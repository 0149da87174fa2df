"""How ``careerconv app``'s server starts an ipykernel: as ipykernel does, except that a kernel whose connection
file is gone ends at once, quietly.

The server writes each kernel's connection file (its sockets and key) and starts the kernel with ``-f`` that
file. Stopped within a second or two of ``careerconv app`` starting, while the kernel Voila heats ahead is
still importing, the server can be gone - and the file with it - before the kernel reads it; ipykernel would
then make settings of its own (TCP, a key nobody knows), warn "Kernel is running over TCP without encryption"
into the coach's terminal, under "stopping", and wait for a server that will never connect. Such a kernel
has run nothing and has nobody to serve, so it ends (exit code 0).

:class:`careerconv.surfaces.commands.server_kernels.QuietStartKernelManager` starts kernels with
``python -m careerconv.surfaces.commands.kernel_launcher`` in place of ``python -m ipykernel_launcher``.
"""

from __future__ import annotations

import sys
from pathlib import Path

def main() -> None:
    """Start an ipykernel with this process's arguments, unless its connection file is gone."""
    # As ipykernel_launcher does: the folder the kernel runs in is not a place to import from while it starts
    # (IPython puts it back for the user's code).
    if sys.path and (sys.path[0] == "" or Path(sys.path[0]) == Path.cwd()):
        del sys.path[0]
    from ipykernel.kernelapp import IPKernelApp
    from traitlets.utils import filefind

    class KernelApp(IPKernelApp):
        def init_connection_file(self) -> None:
            if self.connection_file:
                try:
                    filefind(self.connection_file, [".", self.connection_dir])
                except OSError:
                    self.log.debug("Connection file %s is gone (the server has stopped): ending",
                                   self.connection_file)
                    self.exit(0)
            super().init_connection_file()

    KernelApp.launch_instance()


if __name__ == "__main__":
    main()
