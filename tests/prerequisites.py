"""What some tests need from outside Python (a browser, JupyterHub's proxy): skipped on a developer's machine
without it, a failure in CI (CI=true), where everything must run."""

from __future__ import annotations

import os

import pytest


def in_ci() -> bool:
    """True when CI runs the suite (CI=true)."""
    return os.environ.get("CI", "").strip().lower() in ("1", "true", "yes")


def missing(reason: str) -> None:
    """Skip the test (or the module, when called at its top) because ``reason``; in CI, fail instead."""
    if in_ci():
        pytest.fail(f"{reason}; CI must run these tests", pytrace=False)
    pytest.skip(reason, allow_module_level=True)


def require_hub() -> None:
    """JupyterHub (the hub extra) and configurable-http-proxy (npm), as ``careerconv hub`` needs them."""
    from careerconv.surfaces.commands.hub import hub_prerequisites_missing

    reason = hub_prerequisites_missing()
    if reason:
        missing(reason)
