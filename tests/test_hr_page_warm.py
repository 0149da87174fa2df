"""The HR page on the hub, rendered page after page on a kernel kept warm (found by a hostile test: HR's first page
after signing in took 11.6 s, a department's 15.5 s, each in a kernel started for it).

A warm kernel must give the page a fresh kernel gives, whatever page it rendered before; a kernel that ended
between two pages must not cost HR a page; and the kernel must not outlive the service that started it.
"""

from __future__ import annotations

import concurrent.futures
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time

import psutil
import pytest

from careerconv import analytics
from careerconv.records import config
from careerconv.surfaces.report import hr_page
from careerconv.surfaces.report.runner import KernelDied

pytestmark = pytest.mark.slow

AS_OF = "2026-10-01"


def parameters(departments: list[str]) -> dict:
    return {"data_dir": "unused: the tables are given", "period_start": "", "period_end": "",
            "departments": departments, "min_group_size": 5, "as_of": AS_OF}


def same_page(page: str) -> str:
    """The page less the id papermill draws for its injected parameters cell anew at every run."""
    return re.sub(r'id="cell-id=[0-9a-f]+"( class="[^"]*celltag_injected-parameters)', r"\1", page)


@pytest.fixture(scope="module")
def tables(tmp_path_factory) -> dict:
    data = tmp_path_factory.mktemp("warm") / "data"
    shutil.copytree(config.SAMPLE_DATA_DIR, data)  # reading it writes its derived tables: not into the package
    loaded = analytics.load_hr_tables(data, lazy=True)
    return {department: analytics.hr_aggregates(loaded, AS_OF, departments=[department] if department else None,
                                                k=5)
            for department in ("", "Engineering")}


@pytest.fixture
def pages():
    warm = hr_page.WarmHrPages()
    yield warm
    warm.shutdown()


def test_a_warm_kernels_pages_are_a_fresh_kernels_whatever_it_rendered_before(pages, tables):
    fresh = same_page(hr_page.render_html(parameters([]), tables[""]))
    pages.warm_up().result()
    first = pages(parameters([]), tables[""])
    department = pages(parameters(["Engineering"]), tables["Engineering"])
    again = pages(parameters([]), tables[""])
    assert same_page(first) == fresh and same_page(again) == fresh
    assert "Engineering" in department and same_page(department) != fresh


def test_a_kernel_that_ended_between_two_pages_costs_no_page(pages, tables):
    pages(parameters([]), tables[""])
    os.kill(pages._kernel.km.provisioner.pid, signal.SIGKILL)
    assert same_page(pages(parameters([]), tables[""])) == same_page(hr_page.render_html(parameters([]), tables[""]))


def test_a_page_asked_for_while_another_renders_gets_a_fresh_kernel_of_its_own(pages, monkeypatch):
    fresh = []
    monkeypatch.setattr(hr_page, "render_html", lambda p, hr=None: fresh.append(p) or "fresh kernel's page")
    with pages._busy:  # the warm kernel renders another page
        assert pages(parameters([])) == "fresh kernel's page"
    assert fresh == [parameters([])]


def test_a_notebook_that_fails_says_why_and_the_kernel_goes_on(pages, tables):
    with pytest.raises(ValueError, match="the HR notebook failed: "):
        pages({**parameters([]), "data_dir": "/nonexistent/data"})  # no tables given: the notebook reads the folder
    assert "What this report covers" in pages(parameters([]), tables[""])


def test_the_warm_kernel_ends_with_the_process_that_started_it(tmp_path):
    """The records service killed (SIGKILL: no clean-up of its own) leaves no kernel holding memory."""
    script = ("import json, sys\nfrom careerconv.surfaces.report import hr_page\n"
              "pages = hr_page.WarmHrPages()\npages.warm_up().result()\n"
              "print(json.dumps(pages._kernel.km.provisioner.pid), flush=True)\nsys.stdin.read()\n")
    service = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True, cwd=tmp_path)
    try:
        kernel = psutil.Process(json.loads(service.stdout.readline()))
        assert kernel.is_running()
    finally:
        service.kill()
        service.wait(timeout=30)
    deadline = time.monotonic() + 30
    while kernel.is_running() and kernel.status() != psutil.STATUS_ZOMBIE:
        assert time.monotonic() < deadline, "the HR page's kernel outlived the service"
        time.sleep(0.2)


def test_a_page_abandoned_while_it_renders_ends_at_once_and_no_page_renders_after(pages, tables, tmp_path, monkeypatch):
    """The records service stopping while it prepares HR's landing page cuts that page short (found: each stop of a
    hub just started waited some 7 s for a page nobody would see); the page's cells here wait until killed."""
    import nbformat

    started = tmp_path / "rendering"
    nb = nbformat.read(hr_page._notebook(), as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", []))
    nb.cells.insert(at + 1, nbformat.v4.new_code_cell(f"import time\nopen({str(started)!r}, 'w').close()\n"
                                                      "time.sleep(600)"))
    nbformat.write(nb, tmp_path / "hr_analytics.ipynb")
    monkeypatch.setattr(hr_page, "_notebook", lambda: tmp_path / "hr_analytics.ipynb")
    pages.warm_up().result()
    rendering = concurrent.futures.ThreadPoolExecutor(1).submit(pages, parameters([]), tables[""])
    deadline = time.monotonic() + 120
    while not started.exists():
        assert time.monotonic() < deadline and not rendering.done(), "the page never started to render"
        time.sleep(0.1)
    pages.abandon()
    with pytest.raises(KernelDied):
        rendering.result(timeout=60)
    with pytest.raises(KernelDied, match="abandoned"):
        pages(parameters([]), tables[""])
