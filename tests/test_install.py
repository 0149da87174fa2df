"""A real install: the wheel works in a fresh virtual environment, from any folder.

The wheel is built from a copy of this checkout (``pip wheel --no-deps``;
the copy keeps the build's ``build/`` and ``.egg-info`` out of the checkout,
and any derived tables the tests left in the sample) and must hold
everything the commands read at run time (notebooks, question sets, the
sample organisation's records) and nothing a source checkout collects next
to them (derived tables, lock files). It is then installed, not editable,
into a new virtual environment without system site packages, and
``careerconv demo``, ``report``, ``hr-report`` and ``app`` run from an empty
temporary folder with no ``PYTHONPATH``: nothing may come from the source
checkout.

The dependencies come from a wheel cache, ``$CAREERCONV_WHEELHOUSE`` (default
``~/.cache/careerconv/wheelhouse``), filled from PyPI with ``pip download`` the
first time it lacks something; later runs install offline from it.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.request
import zipfile
from pathlib import Path

import pytest

from careerconv.records import config

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

PROJECT_DIR = Path(__file__).resolve().parent.parent
WHEELHOUSE_ENV = "CAREERCONV_WHEELHOUSE"
AS_OF = "2026-10-01"
URL_RE = re.compile(r"(http://127\.0\.0\.1:\d+/\S*token=[A-Za-z0-9_-]+)")
# Variables that would let the installed commands see the source checkout or this test run's settings.
SCRUBBED = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "VIRTUAL_ENV", config.DATA_ENV, config.REPORTS_ENV,
            "JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_CONFIG_DIR", "JUPYTER_DATA_DIR", "JUPYTER_RUNTIME_DIR")


def _wheelhouse() -> Path:
    folder = Path(os.environ.get(WHEELHOUSE_ENV) or Path.home() / ".cache" / "careerconv" / "wheelhouse")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _clean_env() -> dict[str, str]:
    """This process's environment without what would show the source checkout (PYTHONPATH, ...) to a child."""
    return {k: v for k, v in os.environ.items() if k not in SCRUBBED}


def _pip(python: Path | str, *args: str, timeout: float = 1200) -> subprocess.CompletedProcess:
    # Without PYTHONPATH: pip would take the checkout on it (and its .egg-info) for an installed careerconv.
    return subprocess.run([str(python), "-m", "pip", "--disable-pip-version-check", *args], capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL, env=_clean_env())


# Not part of a source tree: version control, environments, build output, the user's data and reports.
NOT_SOURCE = {".git", ".venv", "build", "dist", "data", "reports", ".pytest_cache", ".hypothesis"}


def _not_source(folder: str, names: list[str]) -> set[str]:
    top = Path(folder) == PROJECT_DIR
    return {n for n in names if (top and n in NOT_SOURCE) or n.endswith(".egg-info") or n in ("__pycache__", "output")}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """careerconv's wheel, built from a copy of this checkout."""
    source = tmp_path_factory.mktemp("source") / "careerconv-src"
    shutil.copytree(PROJECT_DIR, source, ignore=_not_source)
    out = tmp_path_factory.mktemp("dist")
    house = _wheelhouse()
    built = _pip(sys.executable, "wheel", "--no-deps", "--find-links", str(house), "-w", str(out), str(source))
    assert built.returncode == 0, built.stdout + built.stderr
    (found,) = out.glob("careerconv-*.whl")
    return found


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory) -> Path:
    """A fresh virtual environment (no system site packages) with the wheel installed, not editable."""
    venv = tmp_path_factory.mktemp("venv") / "env"
    made = subprocess.run([sys.executable, "-m", "venv", str(venv)], capture_output=True, text=True, timeout=300,
                          stdin=subprocess.DEVNULL)
    assert made.returncode == 0, made.stderr
    python = venv / "bin" / "python"
    house = _wheelhouse()
    # --no-compile: byte-compiling Jupyter's packages is most of an install's time, and not what is tested.
    install = ["install", "--no-compile", "--no-index", "--find-links", str(house), str(wheel)]
    done = _pip(python, *install)
    if done.returncode != 0:  # the cache lacks something: fetch it from PyPI once, then install offline
        fetched = _pip(python, "download", "--dest", str(house), str(wheel))
        assert fetched.returncode == 0, fetched.stdout + fetched.stderr
        for own in house.glob("careerconv-*.whl"):
            own.unlink()
        done = _pip(python, *install)
    assert done.returncode == 0, done.stdout + done.stderr
    return venv


def _env(venv: Path, home: Path) -> dict[str, str]:
    env = _clean_env()
    jupyter = home / "jupyter"
    env.update(PATH=f"{venv / 'bin'}{os.pathsep}{os.environ.get('PATH', '')}", PYTHONNOUSERSITE="1",
               MPLBACKEND="Agg", PYTHONUNBUFFERED="1", JUPYTER_CONFIG_DIR=str(jupyter / "config"),
               JUPYTER_DATA_DIR=str(jupyter / "data"), JUPYTER_RUNTIME_DIR=str(jupyter / "runtime"))
    return env


def _run(venv: Path, cwd: Path, *args: str, timeout: float = 900) -> subprocess.CompletedProcess:
    result = subprocess.run([str(venv / "bin" / "careerconv"), *args], capture_output=True, text=True,
                            timeout=timeout, stdin=subprocess.DEVNULL, cwd=cwd, env=_env(venv, cwd))
    assert result.returncode == 0, f"careerconv {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}"
    return result


# --- what the wheel holds

def test_wheel_holds_the_notebooks_question_sets_and_sample_records_only(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for notebook in config.NOTEBOOKS_DIR.glob("*.ipynb"):
        assert f"careerconv/surfaces/notebooks/{notebook.name}" in names
    for question_set in config.BUILTIN_QUESTION_SETS_DIR.glob("*.yaml"):
        assert f"careerconv/records/question_sets/{question_set.name}" in names
    words = {f"careerconv/demo/words/{name}.json" for name in ("departments", "names", "options", "plans", "skills")}
    assert words <= names, sorted(words - names)  # careerconv demo reads them
    sample = config.SAMPLE_DATA_DIR
    records = {f"careerconv/demo/sample/{p.relative_to(sample).as_posix()}"
               for folder in ("conversations", "checkins") for p in (sample / folder).rglob("*.json")}
    assert len(records) > 100 and records <= names, sorted(records - names)[:5]
    assert {"careerconv/demo/sample/roster.csv", "careerconv/demo/sample/README.md"} <= names
    assert "careerconv/surfaces/deploy/jupyterhub_config.py" in names  # careerconv hub runs it from the installed package
    template = "careerconv/surfaces/jupyter_data/voila/templates/careerconv/"  # the app's page (careerconv app, hub)
    assert {template + name for name in ("conf.json", "index.html.j2", "page.html")} <= names
    stray = sorted(n for n in names if re.search(r"/(derived|\.locks|__pycache__|\.ipynb_checkpoints)/|\.gitignore$"
                                                 r"|\.tmp|\.pyc$", n))
    assert not stray, f"files a source checkout collects are in the wheel: {stray[:5]}"
    assert not any(n.startswith(("tests/", "benchmarks/", "deploy/", "data/")) for n in names)


def test_wheel_requires_the_runtime_dependencies_and_offers_the_extras(wheel):
    with zipfile.ZipFile(wheel) as archive:
        meta = archive.read(next(n for n in archive.namelist() if n.endswith(".dist-info/METADATA"))).decode()
    requires = re.findall(r"^Requires-Dist: (.+)$", meta, re.M)
    plain = {re.split(r"[<>=!~\[; ]", r, maxsplit=1)[0].lower() for r in requires if "extra ==" not in r}
    assert {"jupyter-client", "jupyter-core", "voila", "papermill", "ipykernel"} <= {p.replace("_", "-") for p in plain}
    assert "duckdb" not in plain
    assert set(re.findall(r"^Provides-Extra: (.+)$", meta, re.M)) >= {"dask", "duckdb", "test"}


# --- the installed commands, from an empty folder

def test_installed_package_is_not_the_source_checkout(installed, tmp_path):
    probe = ("import careerconv, careerconv.records.config as c; "
             "print(careerconv.__file__); print(c.PROJECT_DIR); print(c.NOTEBOOKS_DIR); print(c.SAMPLE_DATA_DIR)")
    result = subprocess.run([str(installed / "bin" / "python"), "-c", probe], capture_output=True, text=True,
                            timeout=120, cwd=tmp_path, env=_env(installed, tmp_path), stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    module, project, notebooks, sample = result.stdout.split("\n")[:4]
    assert Path(module).is_relative_to(installed) and not Path(module).is_relative_to(PROJECT_DIR)
    assert project == "None"
    assert (Path(notebooks) / "conversation.ipynb").is_file() and Path(notebooks).is_relative_to(installed)
    assert (Path(sample) / "roster.csv").is_file() and Path(sample).is_relative_to(installed)


def test_demo_report_and_hr_report_work_from_any_folder(installed, tmp_path):
    work = tmp_path / "somewhere else"  # a space in the path, as on many desktops
    work.mkdir()
    _run(installed, work, "--data", "data", "demo", "--employees", "12", "--seed", "3", "--as-of", AS_OF, "--quiet")
    roster = (work / "data" / "roster.csv").read_text(encoding="utf-8").splitlines()
    employee = roster[1].split(",")[0]
    _run(installed, work, "--data", "data", "report", employee, "--as-of", AS_OF, "--jobs", "1", "--quiet")
    reports = list((work / "reports" / employee).glob("*.html"))
    assert reports, f"no report in {work / 'reports'}: {sorted(p.name for p in (work / 'reports').rglob('*'))}"
    page = reports[0].read_text(encoding="utf-8")
    assert "<html" in page.lower() and "Traceback" not in page
    hr_page = work / "hr.html"
    _run(installed, work, "--data", "data", "hr-report", "--as-of", AS_OF, "--min-group-size", "3",
         "-o", str(hr_page))
    assert hr_page.is_file() and "Traceback" not in hr_page.read_text(encoding="utf-8")
    assert not any(PROJECT_DIR.as_posix() in p.read_text(encoding="utf-8", errors="replace")
                   for p in [*reports, hr_page]), "an output names the source checkout"


def test_app_serves_the_conversation_page(installed, tmp_path):
    _run(installed, tmp_path, "--data", "data", "demo", "--employees", "8", "--seed", "5", "--as-of", AS_OF,
         "--quiet")
    proc = subprocess.Popen([str(installed / "bin" / "careerconv"), "--data", "data", "app", "--no-browser"],
                            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            cwd=tmp_path, env=_env(installed, tmp_path), start_new_session=True)
    lines: list[str] = []
    found = threading.Event()
    url: list[str] = []

    def read() -> None:
        for line in proc.stdout:
            lines.append(line)
            match = URL_RE.search(line)
            if match and not url:
                url.append(match.group(1))
                found.set()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 300
        while not found.wait(1.0):
            assert proc.poll() is None, "careerconv app exited:\n" + "".join(lines)
            assert time.monotonic() < deadline, "careerconv app printed no URL:\n" + "".join(lines)
        with urllib.request.urlopen(url[0], timeout=300) as response:
            status, page = response.status, response.read().decode("utf-8", errors="replace")
        assert status == 200
        assert "Career conversation" in page, page[:2000]
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)  # the command stops its server, as on Ctrl-C
        try:
            code = proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            code = proc.wait(timeout=30)
        reader.join(timeout=10)
    assert code == 0, "".join(lines)
    assert "careerconv app: stopped" in "".join(lines)
