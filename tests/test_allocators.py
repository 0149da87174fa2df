"""The memory of a computation part by part (careerconv.analytics.allocators, EmployeeParts.fold): the C library's
heaps shared by every thread, the memory kept from part to part and handed back once."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap

import pytest

from careerconv import analytics
from careerconv.analytics import allocators, inputs
from careerconv.demo.organisation import write_demo_organisation

glibc = pytest.mark.skipif(allocators._glibc() is None, reason="the heaps are glibc's")

# Six threads allocate at the same time, then this process's heaps are counted in glibc's own report of them.
_COUNT_HEAPS = textwrap.dedent("""
    import ctypes, ctypes.util, re, sys, tempfile, threading
    import numpy as np
    if sys.argv[1] == "analytics":
        import careerconv.analytics
    together = threading.Barrier(6)
    def allocate():
        together.wait()
        held = [np.ones(10_000) for _ in range(50)]
        together.wait()
    threads = [threading.Thread(target=allocate) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    libc = ctypes.CDLL(ctypes.util.find_library("c"))
    libc.fopen.restype = ctypes.c_void_p
    libc.malloc_info.argtypes = [ctypes.c_int, ctypes.c_void_p]
    libc.fclose.argtypes = [ctypes.c_void_p]
    with tempfile.NamedTemporaryFile("r", suffix=".xml") as report:
        stream = libc.fopen(report.name.encode(), b"w")
        libc.malloc_info(0, stream)
        libc.fclose(stream)
        print(len(re.findall(r'<heap nr="', report.read())))
""")


def _heaps(imported: str) -> int:
    done = subprocess.run([sys.executable, "-c", _COUNT_HEAPS, imported], capture_output=True, text=True,
                          timeout=120, check=True)
    return int(done.stdout)


@glibc
def test_the_threads_of_a_process_computing_hr_tables_share_two_heaps():
    # Without careerconv.analytics each thread allocating gets a heap of its own (and keeps what it frees).
    assert _heaps("numpy") >= 6
    assert _heaps("analytics") <= allocators.HEAPS


@pytest.fixture(scope="module")
def demo_tables(tmp_path_factory) -> dict:
    data = tmp_path_factory.mktemp("demo") / "data"
    write_demo_organisation(data, 40, 5, dt.date(2026, 10, 1))
    return analytics.load_hr_tables(data, lazy=True)


def test_the_memory_a_part_frees_is_kept_for_the_next_and_handed_back_once_at_the_end(demo_tables, monkeypatch):
    handed_back = []
    monkeypatch.setattr(inputs, "release_memory", lambda: handed_back.append(True))
    parts = analytics.EmployeeParts(demo_tables, ["conversations"], part_rows=1)
    assert len(parts) > 2
    assert parts.fold(lambda frames: len(frames["conversations"]), sum, 2) == \
        len(demo_tables["conversations"].to_pandas())
    assert handed_back == [True]
    assert len(parts.map(lambda frames: 1)) == len(parts) and handed_back == [True, True]

    def fails_in_the_second_part(frames, seen=[]):
        seen.append(True)
        if len(seen) > 2:
            raise ValueError("a bad part")
        return 1

    with pytest.raises(ValueError, match="a bad part"):
        parts.fold(fails_in_the_second_part, sum, 2)
    assert handed_back == [True, True, True]
