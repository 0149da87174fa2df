"""Packaging: what a new user and CI rely on before any code runs.

environment.yml and pyproject.toml name the same dependencies at the same
minimum versions; README.md opens with the two commands; CI runs `make test`;
the `careerconv` console script and every command's --help work.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

from careerconv import cli

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


def _conda_dependencies() -> dict[str, str]:
    env = yaml.safe_load((PROJECT_DIR / "environment.yml").read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for entry in env["dependencies"]:
        if isinstance(entry, dict):
            for pip_entry in entry.get("pip", []):
                if pip_entry.startswith("-"):  # "-e ." installs the project itself
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


def _pyproject_dependencies() -> dict[str, str]:
    project = _pyproject()["project"]
    found = dict(_requirement(r) for r in project["dependencies"])
    for extra in project.get("optional-dependencies", {}).values():
        found.update(_requirement(r) for r in extra)
    return found


def test_environment_and_pyproject_list_the_same_dependencies():
    conda, pip = _conda_dependencies(), _pyproject_dependencies()
    assert set(conda) == set(pip), (f"only in environment.yml: {sorted(set(conda) - set(pip))}; "
                                    f"only in pyproject.toml: {sorted(set(pip) - set(conda))}")
    differ = {name: (conda[name], pip[name]) for name in conda if conda[name] != pip[name]}
    assert not differ, f"minimum versions differ (environment.yml, pyproject.toml): {differ}"


def test_environment_installs_the_project_and_the_python_pyproject_asks_for():
    env = yaml.safe_load((PROJECT_DIR / "environment.yml").read_text(encoding="utf-8"))
    pip_section = next(e["pip"] for e in env["dependencies"] if isinstance(e, dict) and "pip" in e)
    assert "-e ." in pip_section
    python = next(e for e in env["dependencies"] if isinstance(e, str) and _requirement(e)[0] == "python")
    pinned = re.search(r"(\d+)\.(\d+)", python)
    required = re.search(r">=\s*(\d+)\.(\d+)", _pyproject()["project"]["requires-python"])
    assert (int(pinned[1]), int(pinned[2])) >= (int(required[1]), int(required[2]))


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
