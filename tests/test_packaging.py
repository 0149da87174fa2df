"""Packaging: what a new user and CI rely on before any code runs.

environment.yml names pyproject.toml's runtime dependencies and
environment-test.yml those plus every extra, at the same minimum versions;
every third-party module careerconv imports is declared (optional ones only
in their extra, and imported lazily) and every runtime dependency is used;
package-data names files that exist; `papermill --help-notebook` lists each
notebook's parameters with their types and defaults; README.md opens with the
two commands; CI runs `make test`; the `careerconv` console script and every
command's --help work. The wheel itself is tested in tests/test_install.py.
"""

from __future__ import annotations

import ast
import functools
import importlib.metadata
import importlib.resources
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import nbformat
import pytest
import yaml

from careerconv import cli
from careerconv.records import config, resources

PROJECT_DIR = Path(__file__).resolve().parent.parent
# conda-forge names that differ from the PyPI name
CONDA_TO_PYPI = {"python-duckdb": "duckdb", "pytables": "tables", "matplotlib-base": "matplotlib"}
NOT_PACKAGES = {"python", "pip"}


def _requirement(text: str) -> tuple[str, str]:
    """('name', 'specifier') of a requirement such as 'pandas>=2.1' or 'python-duckdb >=1.0'."""
    match = re.match(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)(?:\[[^\]]*\])?\s*(.*?)\s*$", text)
    assert match, f"cannot read the requirement {text!r}"
    name = re.sub(r"[-_.]+", "-", match.group(1)).lower()
    return name, match.group(2).replace(" ", "")


def _conda_dependencies(file: str) -> dict[str, str]:
    env = yaml.safe_load((PROJECT_DIR / file).read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            for pip_entry in entry.get("pip", []):
                if pip_entry.startswith("-") or pip_entry == ".":  # "-e ." / "." install the project itself
                    continue
                name, spec = _requirement(pip_entry)
                found[name] = spec
            continue
        name, spec = _requirement(entry)
        name = CONDA_TO_PYPI.get(name, name)
        if name not in NOT_PACKAGES:
            found[name] = spec
    return found


def _pyproject() -> dict:
    return tomllib.loads((PROJECT_DIR / "pyproject.toml").read_text(encoding="utf-8"))


def _runtime_dependencies() -> dict[str, str]:
    return dict(_requirement(r) for r in _pyproject()["project"]["dependencies"])


def _extra_dependencies() -> dict[str, dict[str, str]]:
    extras = _pyproject()["project"].get("optional-dependencies", {})
    return {extra: dict(_requirement(r) for r in reqs) for extra, reqs in extras.items()}


def _all_dependencies() -> dict[str, str]:
    found = _runtime_dependencies()
    for reqs in _extra_dependencies().values():
        found.update(reqs)
    return found


def _assert_same(conda: dict[str, str], pip: dict[str, str], file: str, what: str) -> None:
    assert set(conda) == set(pip), (f"only in {file}: {sorted(set(conda) - set(pip))}; "
                                    f"only in {what}: {sorted(set(pip) - set(conda))}")
    differ = {name: (conda[name], pip[name]) for name in conda if conda[name] != pip[name]}
    assert not differ, f"minimum versions differ ({file}, pyproject.toml): {differ}"


def test_runtime_environment_lists_the_runtime_dependencies_only():
    _assert_same(_conda_dependencies("environment.yml"), _runtime_dependencies(), "environment.yml",
                 "pyproject.toml's dependencies")


def test_test_environment_lists_the_runtime_dependencies_and_every_extra():
    _assert_same(_conda_dependencies("environment-test.yml"), _all_dependencies(), "environment-test.yml",
                 "pyproject.toml's dependencies and optional-dependencies")


def _env(file: str) -> dict:
    return yaml.safe_load((PROJECT_DIR / file).read_text(encoding="utf-8"))


@pytest.mark.parametrize(("file", "install"), [("environment.yml", "."), ("environment-test.yml", "-e .")])
def test_environments_install_the_project_and_the_python_pyproject_asks_for(file, install):
    env = _env(file)
    pip_section = next(e["pip"] for e in env["dependencies"] if isinstance(e, dict) and "pip" in e)
    assert install in pip_section, f"{file} should install careerconv with `pip install {install}`"
    python = next(e for e in env["dependencies"] if isinstance(e, str) and _requirement(e)[0] == "python")
    pinned = re.search(r"(\d+)\.(\d+)", python)
    required = re.search(r">=\s*(\d+)\.(\d+)", _pyproject()["project"]["requires-python"])
    assert (int(pinned[1]), int(pinned[2])) >= (int(required[1]), int(required[2]))


def test_the_two_environments_have_their_own_names():
    assert _env("environment.yml")["name"] != _env("environment-test.yml")["name"]


def test_readme_says_how_to_use_each_environment_and_the_extras():
    text = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    for words in ("conda env create -f environment.yml", "conda env create -f environment-test.yml",
                  "pip install .", *(f"careerconv[{extra}]" for extra in _extra_dependencies())):
        assert words in text, f"README.md does not mention {words!r}"


# --- what careerconv imports against what it declares

# Imported only where the feature is used, with an error naming the extra to install.
OPTIONAL_MODULES = {"duckdb": "duckdb", "dask": "dask", "distributed": "dask", "jupyterhub": "hub", "tornado": "hub",
                    "sqlalchemy": "hub"}
# Modules that are themselves the optional feature, loaded only when it runs (so they may import its extra
# at the top): the records service, which JupyterHub starts as
# `python -m careerconv.surfaces.commands.records_service`.
EXTRA_ONLY_MODULES = {"careerconv/surfaces/service/server.py": "hub",
                      "careerconv/surfaces/service/request_log.py": "hub",  # the server's request log
                      "careerconv/surfaces/service/trial_passwords.py": "hub",
                      "careerconv/surfaces/commands/read_only_contents.py": "hub"}  # run on the hub only
# Runtime dependencies careerconv runs rather than imports, and why.
RUN_NOT_IMPORTED = {
    "voila": "careerconv app serves the conversation notebook with it",
    "jupyterlab": "careerconv app --lab opens the notebook in it",
    "ipykernel": "the python3 kernel every notebook (app, report, HR page) runs in",
}


def _imports_of(source: str) -> list[tuple[str, bool]]:
    """(top-level module, imported at module level) for every absolute import in some Python source."""
    tree = ast.parse(source)
    found = []

    def visit(node: ast.AST, top_level: bool) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.Import):
                found.extend((alias.name.split(".")[0], top_level) for alias in child.names)
            elif isinstance(child, ast.ImportFrom) and child.level == 0 and child.module:
                found.append((child.module.split(".")[0], top_level))
            nested = isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
            guarded = isinstance(child, ast.Try) and any(
                h.type is not None and "ImportError" in ast.unparse(h.type) for h in child.handlers)
            visit(child, top_level and not nested and not guarded)

    visit(tree, True)
    return found


def _third_party_imports() -> dict[str, dict[str, bool]]:
    """{module: {file: imported at module level}} for careerconv's code and its notebooks."""
    sources = [(path, path.read_text(encoding="utf-8")) for path in sorted((PROJECT_DIR / "careerconv").rglob("*.py"))]
    for path in sorted(config.NOTEBOOKS_DIR.glob("*.ipynb")):
        for cell in nbformat.read(path, as_version=4).cells:
            if cell.cell_type == "code":
                code = "\n".join(line for line in cell.source.splitlines() if not line.lstrip().startswith(("%", "!")))
                sources.append((path, code))
    found: dict[str, dict[str, bool]] = {}
    for path, code in sources:
        for module, top_level in _imports_of(code):
            if module in sys.stdlib_module_names or module == "careerconv":
                continue
            where = found.setdefault(module, {})
            name = str(path.relative_to(PROJECT_DIR))
            where[name] = where.get(name, False) or top_level
    return found


@functools.cache
def _installed_distributions() -> dict[str, list[str]]:
    """{top-level module: [distributions providing it]} of the venv, read once (a read takes ~0.15 s, and every
    module careerconv imports is looked up)."""
    return importlib.metadata.packages_distributions()


def _distribution(module: str) -> str:
    names = _installed_distributions().get(module)
    assert names, f"{module} is imported but no installed distribution provides it"
    return _requirement(names[0])[0]


def test_import_scanner_sees_lazy_and_guarded_imports():
    found = dict(_imports_of("import numpy as np\n"
                             "try:\n    import duckdb\nexcept ImportError:\n    duckdb = None\n"
                             "def f():\n    from distributed import Client\n"))
    assert found == {"numpy": True, "duckdb": False, "distributed": False}


def test_every_imported_module_is_declared():
    runtime, extras = _runtime_dependencies(), _extra_dependencies()
    problems = []
    for module, files in sorted(_third_party_imports().items()):
        dist = _distribution(module)
        if module in OPTIONAL_MODULES:
            extra = OPTIONAL_MODULES[module]
            if dist not in extras.get(extra, {}):
                problems.append(f"{module} ({dist}) is not in the {extra} extra")
            eager = sorted(f for f, top_level in files.items() if top_level and EXTRA_ONLY_MODULES.get(f) != extra)
            if eager:
                problems.append(f"{module} is optional but imported when {', '.join(eager)} is loaded")
            if dist in runtime:
                problems.append(f"{module} ({dist}) is optional but a runtime dependency")
        elif dist not in runtime:
            problems.append(f"{module} is imported by {', '.join(sorted(files))} but {dist} is not in "
                            "pyproject.toml's dependencies")
    assert not problems, "\n".join(problems)


def test_every_runtime_dependency_is_used():
    imported = {_distribution(module) for module in _third_party_imports()}
    unused = sorted(set(_runtime_dependencies()) - imported - set(RUN_NOT_IMPORTED))
    assert not unused, f"runtime dependencies no command imports or runs (make them an extra): {unused}"
    assert "duckdb" not in _runtime_dependencies() and "duckdb" in _extra_dependencies()["test"]


def test_the_explore_notebook_says_which_extra_to_install_for_duckdb(monkeypatch, tmp_path):
    from careerconv.records import open_data

    monkeypatch.setitem(sys.modules, "duckdb", None)  # as if it were not installed
    with pytest.raises(ValueError, match=re.escape("pip install 'careerconv[duckdb]'")):
        open_data.duckdb()
    notebook = (PROJECT_DIR / "careerconv" / "surfaces" / "notebooks" / "explore.ipynb").read_text(encoding="utf-8")
    assert "open_data.duckdb()" in notebook  # the notebook's SQL cell asks for it that way


def test_every_package_data_pattern_names_files_that_exist():
    patterns = _pyproject()["tool"]["setuptools"]["package-data"]["careerconv"]
    empty = [p for p in patterns if not list((PROJECT_DIR / "careerconv").glob(p))]
    assert not empty, f"package-data patterns that match nothing: {empty}"
    shipped = {f for p in patterns for f in (PROJECT_DIR / "careerconv").glob(p)}
    for needed in ("surfaces/notebooks/conversation.ipynb", "surfaces/notebooks/progress_report.ipynb",
                   "surfaces/notebooks/hr_analytics.ipynb", "records/question_sets/career-conversation.yaml", "demo/sample/roster.csv",
                   "surfaces/deploy/jupyterhub_config.py", "surfaces/deploy/templates/error.html",
                   "surfaces/deploy/templates/404.html",
                   "surfaces/deploy/templates/not_running.html",
                   "surfaces/jupyter_data/voila/templates/careerconv/index.html.j2",
                   "surfaces/jupyter_data/voila/templates/careerconv/page.html",
                   "surfaces/jupyter_data/voila/templates/careerconv/conf.json"):
        assert PROJECT_DIR / "careerconv" / needed in shipped, needed


def test_packaged_resources_are_found_inside_the_package():
    package = Path(importlib.resources.files("careerconv"))
    for path in (config.NOTEBOOKS_DIR, config.SAMPLE_DATA_DIR, config.BUILTIN_QUESTION_SETS_DIR):
        assert path.is_dir() and path.is_relative_to(package), path
    assert resources.source_checkout() == PROJECT_DIR  # these tests run from the source checkout
    hub_config = resources.jupyterhub_config_file()
    assert hub_config.is_file() and hub_config.is_relative_to(package), hub_config
    template = resources.jupyter_data_dir() / "voila" / "templates" / resources.VOILA_TEMPLATE / "index.html.j2"
    assert template.is_file() and template.is_relative_to(package), template


def test_the_hub_configuration_is_one_file_in_the_package():
    """``careerconv hub`` runs the packaged configuration; the source checkout's deploy/ file only loads it."""
    from careerconv.surfaces.commands import hub

    assert "resources.jupyterhub_config_file()" in Path(hub.__file__).read_text(encoding="utf-8")
    assert not hasattr(hub, "CONFIG_FILE")
    thin = (PROJECT_DIR / "deploy" / "jupyterhub" / "jupyterhub_config.py").read_text(encoding="utf-8")
    assert "load_subconfig(str(resources.jupyterhub_config_file()))" in thin
    assert "c.JupyterHub" not in thin  # no second copy of any setting


def test_sample_reports_go_to_the_project_in_a_checkout_and_to_the_current_folder_when_installed(
        tmp_path, monkeypatch):
    monkeypatch.delenv(config.REPORTS_ENV, raising=False)
    assert config.reports_dir(config.SAMPLE_DATA_DIR) == PROJECT_DIR / "reports" / "sample"
    assert config.reports_dir(tmp_path / "data") == tmp_path / "reports"
    monkeypatch.setattr(config, "PROJECT_DIR", None)  # as installed in site-packages
    monkeypatch.chdir(tmp_path)
    assert config.reports_dir(config.SAMPLE_DATA_DIR) == tmp_path / "reports" / "sample"


def test_source_checkout_is_not_recognised_from_another_project(tmp_path, monkeypatch):
    (tmp_path / "careerconv").mkdir()
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "something-else"\n', encoding="utf-8")
    monkeypatch.setattr(resources, "package_path", lambda *parts: tmp_path.joinpath("careerconv", *parts))
    resources.source_checkout.cache_clear()
    try:
        assert resources.source_checkout() is None
        (tmp_path / "pyproject.toml").write_text("not toml [", encoding="utf-8")
        resources.source_checkout.cache_clear()
        assert resources.source_checkout() is None
        (tmp_path / "pyproject.toml").write_text('[project]\nname = "careerconv"\n', encoding="utf-8")
        resources.source_checkout.cache_clear()
        assert resources.source_checkout() == tmp_path
    finally:
        monkeypatch.undo()
        resources.source_checkout.cache_clear()


# --- notebook parameters as papermill reads them

def _parameters(notebook: Path) -> list[tuple[str, str, str]]:
    """(name, type, default) of each line of the notebook's parameters cell."""
    cell = next(c for c in nbformat.read(notebook, as_version=4).cells if "parameters" in c.metadata.get("tags", []))
    found = []
    for line in cell.source.splitlines():
        match = re.match(r"^(\w+): (\w+) = (.+?)  # .+$", line)
        assert match, f"{notebook.name}: parameter line {line!r} is not `name: type = value  # help`"
        found.append(match.groups())
    return found


NOTEBOOKS = sorted(config.NOTEBOOKS_DIR.glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=[n.stem for n in NOTEBOOKS])
def test_papermill_help_notebook_lists_every_parameter(notebook):
    papermill = Path(sys.executable).parent / "papermill"
    command = [str(papermill)] if papermill.exists() else [sys.executable, "-m", "papermill"]
    result = subprocess.run([*command, "--help-notebook", str(notebook)], capture_output=True, text=True,
                            timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 0, result.stderr
    assert "Unable to parse" not in result.stdout + result.stderr, result.stderr
    listed = re.findall(r"^  (\w+): (\w+) \(default (.*?)\)", result.stdout, re.M)
    expected = _parameters(notebook)
    assert expected, f"{notebook.name} has an empty parameters cell"
    assert listed == expected, f"papermill --help-notebook {notebook.name} printed:\n{result.stdout}"


def test_requirement_reader_maps_conda_names():
    assert _requirement("python-duckdb>=1.0") == ("python-duckdb", ">=1.0")
    assert CONDA_TO_PYPI[_requirement("python-duckdb >=1.0")[0]] == "duckdb"
    assert _requirement("PyYAML>=6") == ("pyyaml", ">=6")
    assert _requirement("jupyter_server") == ("jupyter-server", "")


def test_console_script_is_declared():
    assert _pyproject()["project"]["scripts"]["careerconv"] == "careerconv.cli:entry"


def test_readme_opens_with_the_two_commands():
    text = (PROJECT_DIR / "README.md").read_text(encoding="utf-8")
    before_first_section = text.split("\n## ", 1)[0]
    block = re.search(r"```[a-z]*\n(.*?)```", before_first_section, re.S)
    assert block, "README.md has no command block before its first section"
    commands = [line.split("#", 1)[0].strip() for line in block.group(1).splitlines() if line.strip()]
    assert commands == ["make run", "make test"]


def test_makefile_has_the_two_targets():
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    for target in ("run", "test"):
        dry = subprocess.run([make, "-n", target], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60,
                             stdin=subprocess.DEVNULL)
        assert dry.returncode == 0, dry.stderr
    assert "pytest" in subprocess.run([make, "-n", "unit"], cwd=PROJECT_DIR, capture_output=True, text=True,
                                      timeout=60, stdin=subprocess.DEVNULL).stdout


def test_make_test_runs_each_test_module_once_and_the_notebooks_through_their_tests():
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    dry = subprocess.run([make, "-n", "test"], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60,
                         stdin=subprocess.DEVNULL)
    assert dry.returncode == 0, dry.stderr
    runs = [line.split() for line in dry.stdout.splitlines() if "pytest" in line]

    def times_run(module: str) -> int:
        return sum(module in args or ("tests" in args and f"--ignore={module}" not in args) for args in runs)

    for module in ("tests/test_notebooks.py", "tests/test_explore_notebook.py", "tests/test_store.py"):
        assert times_run(module) == 1, (module, runs)
    # The notebooks are checked on what they show, on a copy of the sample; nbval only ran their cells.
    assert not any(arg.startswith("--nbval") or arg.startswith("careerconv/surfaces/notebooks") for args in runs for arg in args)


def _pins() -> dict[str, str]:
    """constraints.txt's versions by package name."""
    pins = {}
    for line in (PROJECT_DIR / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, version = line.split("==")
            pins[_requirement(name)[0]] = version.strip()
    return pins


def test_setup_installs_the_tested_version_of_every_dependency_within_pyproject_ranges():
    """Found: CI failed twice the day pandas 3.1.2 came out on PyPI (a clean clone installed it; the tests had passed
    with 3.1.1). `make setup` installs with constraints.txt, which pins every package pyproject.toml asks for at a
    version within its range (`make lock` writes it again)."""
    from packaging.specifiers import SpecifierSet

    pins, wanted = _pins(), _all_dependencies()
    missing = sorted(set(wanted) - set(pins))
    assert not missing, f"constraints.txt pins no version of {missing}: run `make lock`"
    outside = {name: (pins[name], spec) for name, spec in wanted.items() if pins[name] not in SpecifierSet(spec)}
    assert not outside, f"constraints.txt pins versions outside pyproject.toml's ranges: {outside}"
    make = shutil.which("make")
    if make is None:
        pytest.skip("make is not installed")
    dry = subprocess.run([make, "-n", "-B", "setup"], cwd=PROJECT_DIR, capture_output=True, text=True, timeout=60,
                         stdin=subprocess.DEVNULL)
    installs = [line for line in dry.stdout.splitlines() if "pip install" in line and "-e" in line.split()]
    assert installs and all("-c constraints.txt" in line for line in installs), dry.stdout


def test_ci_runs_make_test():
    script = (PROJECT_DIR / ".ci" / "run").read_text(encoding="utf-8")
    commands = [line.strip() for line in script.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    assert "make test" in commands
    assert any(c.startswith("set -") and "e" in c.split()[1] for c in commands), "CI must stop at the first failure"


def _careerconv_command() -> list[str]:
    script = Path(sys.executable).parent / "careerconv"
    return [str(script)] if script.exists() else [sys.executable, "-m", "careerconv.cli"]


def test_console_script_help_works(tmp_path):
    env = {**os.environ, "CAREERCONV_DATA": str(tmp_path / "data")}
    result = subprocess.run([*_careerconv_command(), "--help"], capture_output=True, text=True, timeout=120,
                            stdin=subprocess.DEVNULL, env=env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("usage: careerconv")
    assert "--data DIR" in result.stdout
    for command in _commands():
        assert command in result.stdout


def _commands() -> list[str]:
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    return list(sub.choices)


def test_every_command_has_help(capsys):
    commands = _commands()
    assert "validate" in commands
    for command in commands:
        with pytest.raises(SystemExit) as done:
            cli.main([command, "--help"])
        assert done.value.code == 0
        out = capsys.readouterr().out
        assert out.startswith(f"usage: careerconv {command}") and "--data DIR" in out, command


def test_bad_input_is_one_line_on_stderr_not_a_traceback(tmp_path):
    result = subprocess.run([*_careerconv_command(), "validate", "--data", str(tmp_path / "missing")],
                            capture_output=True, text=True, timeout=120, stdin=subprocess.DEVNULL)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("careerconv validate: error:") and "does not exist" in result.stderr
