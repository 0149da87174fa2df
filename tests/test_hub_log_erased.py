"""A real JupyterHub, started as ``careerconv hub`` starts it, names a coach erased while it runs only by their
pseudonym in its log (jupyterhub.log): the lines written before the erasure, rewritten by ``careerconv erase``, and
those written after it.

Found by a hostile tester: JupyterHub's own lines name a coach by their login, which is their id, and after
``careerconv erase`` they still did, in the lines already written and in every new one.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import shutil
import time
from pathlib import Path

import pandas as pd
import pytest
import requests

from careerconv.cli import main
from careerconv.records import config
from careerconv.surfaces.commands.hub import Hub
from prerequisites import require_hub

pytestmark = pytest.mark.slow

require_hub()

GROUPS = {"coaches": ["e0005", "e0001"], "hr": [], "operators": ["olga"]}
E0005_AS_A_WORD = re.compile(rb"(?<![A-Za-z0-9_])e0005(?![A-Za-z0-9_])", re.IGNORECASE)


def pseudonym(data: Path, employee_id: str) -> str:
    """The pseudonym of an erased id, worked out by hand from the data folder's salt (erased.json)."""
    salt = json.loads((data / "erased.json").read_text(encoding="utf-8"))["salt"]
    return "erased:" + hmac.new(bytes.fromhex(salt), employee_id.casefold().encode(), hashlib.sha256).hexdigest()


def logged(hub: Hub, text: bytes, timeout: float = 60.0) -> bytes:
    """The hub's log once a line of it holds ``text``."""
    deadline = time.monotonic() + timeout
    while text not in (log := hub.log_path.read_bytes()):
        assert time.monotonic() < deadline, f"the hub's log never held {text!r}"
        time.sleep(0.1)
    return log


def test_a_coach_erased_while_the_hub_runs_is_named_by_pseudonym_in_its_log_before_and_after(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(config.SAMPLE_DATA_DIR, data)
    roster = pd.read_csv(data / "roster.csv", dtype=str, keep_default_na=False)
    roster.loc[roster["coach_id"] == "E0005", "coach_id"] = "E0001"  # so that coach E0005 may be erased
    roster.to_csv(data / "roster.csv", index=False)
    hub = Hub.start(data, tmp_path / "state", groups=GROUPS, authenticator="dummy")
    try:
        # A bookmark of the coach's app, opened before signing in: the hub sends it on, and logs where from.
        requests.get(hub.url + "user/e0005/before-erasure", timeout=60, allow_redirects=False)
        assert E0005_AS_A_WORD.search(logged(hub, b"/before-erasure"))  # the hub's line names them by login

        assert main(["--data", str(data), "erase", "--employee", "E0005", "--yes"]) == 0
        receipt = " ".join(capsys.readouterr().out.split())
        requests.get(hub.url + "user/e0005/after-erasure", timeout=60, allow_redirects=False)
        logged(hub, b"/after-erasure")
    finally:
        hub.stop()
    named = pseudonym(data, "E0005").encode()
    lines = hub.log_path.read_bytes().splitlines()
    assert [line for line in lines if E0005_AS_A_WORD.search(line)] == []
    assert [line.count(named) for line in lines if b"/before-erasure" in line] == [2]  # from, and to
    assert [line.count(named) for line in lines if b"/after-erasure" in line] == [2]
    assert re.search(rf"Hub logs \(what the hub, its proxy and servers print\): E0005 is named {named.decode()} in "
                     rf"every line, those written from now on too: {re.escape(str(hub.log_path))} [1-9][0-9]* "
                     r"line\(s\) changed", receipt)
