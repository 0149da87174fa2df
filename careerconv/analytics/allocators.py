"""The memory allocators of a process that computes the HR tables part by part.

Each part of the employees frees about as much memory as the next one takes (:class:`~careerconv.analytics.inputs.
EmployeeParts`), so the memory is kept in the process for the next part rather than handed back to the system
after each one and faulted in again page by page (on the 500,000-employee benchmark handing it back cost some 1.6
million page faults more and ~6 s more of the system's CPU time). Two things make that hold in about one part's
memory:

* :func:`share_heaps`: the C library on Linux (glibc) gives each thread that allocates a heap of its own, up to
  eight per core, and the memory a heap keeps serves only the threads on it; a part is read and computed on
  several threads (and Arrow's), so each heap would keep its own largest (the benchmark's whole report then
  peaks ~200 MiB higher, over issue 11's 1.5 GiB). With :data:`HEAPS` heaps for every thread, what one part
  frees is there for the next, whichever thread asks.
* :func:`release_memory`: the memory kept is handed back once, when the tables are done.

Where the C library is not glibc its heaps are left as they are (Arrow's memory is still handed back).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
from typing import Any

# The C library's heaps the threads of this process share (glibc's M_ARENA_MAX): a part is computed on two
# threads (careerconv.analytics.inputs.PART_GROUPS), while Python's lock lets about one allocate at a time.
HEAPS = 2
_M_ARENA_MAX = -8  # glibc's <malloc.h>


def share_heaps() -> bool:
    """Let the threads of this process share :data:`HEAPS` heaps of the C library, from now on; True if it could.

    Only the heaps made after this call are limited (glibc fixes its limit once a process has more than eight, and a
    thread keeps the heap it has), so it is called when :mod:`careerconv.analytics` is first imported, before its
    computations start their threads. Nothing is changed where the C library is not glibc.
    """
    glibc = _glibc()
    if glibc is None:
        return False
    glibc.mallopt.argtypes = [ctypes.c_int, ctypes.c_int]
    return glibc.mallopt(_M_ARENA_MAX, HEAPS) == 1


def release_memory() -> None:
    """Hand the memory freed frames leave with the allocators back to the system.

    Arrow's allocator keeps freed blocks for reuse, and so does the C library's (handed back with
    ``malloc_trim`` where it is glibc). Called when a computation over every part is done, not between parts
    (see the module's text).
    """
    import pyarrow as pa

    pa.default_memory_pool().release_unused()
    glibc = _glibc()
    if glibc is not None:
        glibc.malloc_trim(0)


@functools.cache
def _glibc() -> Any:
    """The C library of this process if it is glibc (which alone has ``gnu_get_libc_version``), else None."""
    name = ctypes.util.find_library("c")
    try:
        library = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return library if hasattr(library, "gnu_get_libc_version") else None
