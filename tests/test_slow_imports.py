"""The processes careerconv starts leave out ``rfc3987_syntax`` (a Lark grammar built at import, 1.5-6 s, through
``jsonschema``: :mod:`careerconv.surfaces.commands.slow_imports`); careerconv imported as a library leaves the
processes around it as they are."""

from __future__ import annotations

import importlib.util
import subprocess
import sys

import pytest

# The module that builds the grammar (-X importtime also lists the import refused, as "rfc3987_syntax", 10 µs).
IMPORTED = "rfc3987_syntax.syntax_helpers"


def _imports(code: str, *args: str) -> tuple[int, str]:
    """Run ``code`` in a fresh Python with ``-X importtime``: its exit code and the modules it imported."""
    done = subprocess.run([sys.executable, "-X", "importtime", "-c", code, *args], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=300)
    modules = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    return done.returncode, modules


def test_a_report_made_by_the_command_line_imports_nbformat_without_the_slow_grammar(sample_data, tmp_path):
    code, modules = _imports("import sys; from careerconv.cli import main; sys.exit(main(sys.argv[1:]))",
                             "--data", str(sample_data), "-q", "report", "E0001", "--as-of", "2026-10-01",
                             "--no-pdf", "-o", str(tmp_path / "reports"))
    assert code == 0
    assert {"nbformat", "papermill", "jsonschema"} <= modules  # it did import what pulls the grammar in
    assert IMPORTED not in modules and "lark" not in modules
    assert list((tmp_path / "reports" / "E0001").glob("progress-2026-10-01.html"))


def test_the_servers_leave_it_out_before_they_import_jupyter():
    """Voila and JupyterLab of ``careerconv app``, and each coach's server on the hub (which the hub's
    configuration starts through careerconv's module)."""
    from careerconv.records import resources

    config = resources.jupyterhub_config_file().read_text(encoding="utf-8")
    assert 'c.Spawner.cmd = [sys.executable, "-m", "careerconv.surfaces.commands.singleuser_server"]' in config
    code, modules = _imports("from careerconv.surfaces.commands import slow_imports, voila_server, lab_server\n"
                             "from careerconv.surfaces.commands import singleuser_server\n"
                             "slow_imports.skip_slow_optional_modules()\n"
                             "import voila.app, jupyterlab.labapp, jupyterhub.singleuser\n"
                             "import jsonschema._format as f\n"
                             "assert not hasattr(f, 'is_iri'), 'the iri check is there'")
    assert code == 0 and "jsonschema" in modules and IMPORTED not in modules and "lark" not in modules


@pytest.mark.skipif(importlib.util.find_spec("rfc3987_syntax") is None, reason="rfc3987_syntax is not installed here")
def test_careerconv_imported_as_a_library_changes_nothing_around_it():
    code, modules = _imports("import careerconv, careerconv.cli, careerconv.surfaces.commands.voila_server\n"
                             "import careerconv.surfaces.report.runner, nbformat\n"
                             "import jsonschema._format as f\n"
                             "assert hasattr(f, 'is_iri'), 'the iri check is missing'")
    assert code == 0 and IMPORTED in modules
