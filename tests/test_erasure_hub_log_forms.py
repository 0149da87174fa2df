"""The hub's log names an erased coach by pseudonym in every form it writes them in: inside a URL-encoded address,
and by a login that is not their id (``CAREERCONV_HUB_COACH_LOGINS``), as the access log does that login; the hub's
state folder, listed in the data folder, is named before an erasure that reaches it.

Found by a helper of the hub's erasure: JupyterHub writes where to go after signing in as a parameter
(``/hub/login?next=%2Fuser%2Fe0005%2Flab``), where the id follows ``%2F`` and so did not stand as a word (nor, found by
the next, after ``%252F``, the same address encoded again); and a coach signing in as ``jane.doe``, mapped to E0005,
was named ``jane.doe`` in clear after E0005 was erased.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from careerconv.cli import main
from test_erasure_hub_log import MARK, data, erase, hub_prints, pseudonym  # noqa: F401 (data: a fixture)

ENCODED = [
    b"[I 2026-12-06 09:03:00.000 JupyterHub log:192] 302 GET /user/e0005/lab -> /hub/login?next=%2Fuser%2Fe0005"
    b"%2Flab (@127.0.0.1) 1.00ms\n",
    b"[I 2026-12-06 09:03:01.000 JupyterHub log:192] 302 GET /hub/user%2FE0005%2Flab -> /hub/login?next=%2fE0005 "
    b"(@127.0.0.1) 1.00ms\n",
    b"[I 2026-12-06 09:03:02.000 JupyterHub log:192] 302 GET /hub/login?next=%2FE00050%2F (@127.0.0.1) 1.00ms\n",
    # right after a "%": found as a word, as the rewrite finds it
    b"[W 2026-12-06 09:03:03.000 JupyterHub log:192] 404 GET /hub/user/%E0005 (@127.0.0.1) 1.00ms\n",
    # an address encoded again, as a parameter of an address that is a parameter itself: the "%" of %2F escaped as
    # %25 (found by a helper: %252FE0005, that is %2FE0005, that is /E0005, was left naming them)
    b"[I 2026-12-06 09:03:04.000 JupyterHub log:192] 302 GET /hub/oauth_login?next=%2Fhub%2Flogin%3Fnext%3D"
    b"%252Fuser%252Fe0005%252Flab (@127.0.0.1) 1.00ms\n",
    b"[I 2026-12-06 09:03:05.000 JupyterHub log:192] 302 GET /hub/login?next=%25252FE0005 (@127.0.0.1) 1.00ms\n",
    b"[I 2026-12-06 09:03:06.000 JupyterHub log:192] 302 GET /hub/login?next=%252FE00050 (@127.0.0.1) 1.00ms\n",
]


def encoded_named(named: str) -> list[bytes]:
    """:data:`ENCODED` with E0005 named ``named``, written out by hand (E00050 is another id)."""
    n = named.encode()
    return [
        b"[I 2026-12-06 09:03:00.000 JupyterHub log:192] 302 GET /user/" + n + b"/lab -> /hub/login?next=%2Fuser%2F"
        + n + b"%2Flab (@127.0.0.1) 1.00ms\n",
        b"[I 2026-12-06 09:03:01.000 JupyterHub log:192] 302 GET /hub/user%2F" + n + b"%2Flab -> /hub/login?next=%2f"
        + n + b" (@127.0.0.1) 1.00ms\n",
        ENCODED[2],
        b"[W 2026-12-06 09:03:03.000 JupyterHub log:192] 404 GET /hub/user/%" + n + b" (@127.0.0.1) 1.00ms\n",
        b"[I 2026-12-06 09:03:04.000 JupyterHub log:192] 302 GET /hub/oauth_login?next=%2Fhub%2Flogin%3Fnext%3D"
        b"%252Fuser%252F" + n + b"%252Flab (@127.0.0.1) 1.00ms\n",
        b"[I 2026-12-06 09:03:05.000 JupyterHub log:192] 302 GET /hub/login?next=%25252F" + n + b" (@127.0.0.1) "
        b"1.00ms\n",
        ENCODED[6],
    ]


def test_an_id_in_a_url_encoded_address_is_named_by_pseudonym_when_the_log_is_rewritten(data, tmp_path, capsys):
    log = tmp_path / "jupyterhub.log"
    hub_prints(data, log, ENCODED)
    assert erase(data, "E0005") == 0
    assert log.read_bytes() == MARK + b"".join(encoded_named(pseudonym(data, "E0005")))
    assert f"{log.resolve()} 5 line(s) changed" in " ".join(capsys.readouterr().out.split())


def test_an_id_in_a_url_encoded_address_is_named_by_pseudonym_in_a_line_written_after_the_erasure(data, tmp_path):
    log = tmp_path / "jupyterhub.log"
    assert erase(data, "E0005") == 0
    hub_prints(data, log, ENCODED)
    assert log.read_bytes() == MARK + b"".join(encoded_named(pseudonym(data, "E0005")))


LOGIN_LINES = [
    b"[I 2026-12-06 09:04:00.000 JupyterHub base:837] User logged in: jane.doe\n",
    b"[I 2026-12-06 09:04:01.000 JupyterHub log:192] 302 GET /user/jane.doe/lab -> /hub/login?next=%2Fuser%2F"
    b"jane.doe%2Flab (@127.0.0.1) 1.00ms\n",
    b"[I 2026-12-06 09:04:02.000 JupyterHub log:192] 200 GET /hub/user/jane.doerr/ (jane.doerr@127.0.0.1) 1.00ms\n",
    b"[I 2026-12-06 09:04:03.000 JupyterHub log:192] 200 GET /hub/user/e0001/ (e0001@127.0.0.1) 1.00ms\n",
]


def login_lines_named(named: str) -> list[bytes]:
    """:data:`LOGIN_LINES` with jane.doe (E0005) named ``named``, written out by hand (jane.doerr is someone else)."""
    n = named.encode()
    return [b"[I 2026-12-06 09:04:00.000 JupyterHub base:837] User logged in: " + n + b"\n",
            b"[I 2026-12-06 09:04:01.000 JupyterHub log:192] 302 GET /user/" + n + b"/lab -> /hub/login?next=%2Fuser%2F"
            + n + b"%2Flab (@127.0.0.1) 1.00ms\n",
            *LOGIN_LINES[2:]]


@pytest.fixture()
def hub_with_logins(data: Path, tmp_path: Path) -> Path:
    """A hub's state folder, described and listed as a hub of this careerconv leaves it, whose coach E0005 signs in
    as jane.doe (CAREERCONV_HUB_COACH_LOGINS); returns the mapping's file."""
    from careerconv.records.kept_elsewhere import record_hub_state
    from careerconv.records.store import Store
    from careerconv.surfaces.service.hub_state import HubState

    state = tmp_path / "hub-state"
    state.mkdir()
    logins = tmp_path / "coach-logins.json"
    logins.write_text(json.dumps({"jane.doe": "E0005", "jane.doerr": "E0001"}), encoding="utf-8")
    HubState(state, "http://127.0.0.1:9/hub/api", coach_logins=logins).write()
    record_hub_state(Store(data), state)
    return logins


def test_a_coach_login_that_is_not_their_id_is_named_by_pseudonym_when_the_log_is_rewritten(
        data, tmp_path, hub_with_logins, capsys):
    log = tmp_path / "hub-state" / "jupyterhub.log"
    hub_prints(data, log, LOGIN_LINES, "--coach-logins", str(hub_with_logins))
    assert erase(data, "E0005") == 0
    assert log.read_bytes() == MARK + b"".join(login_lines_named(pseudonym(data, "E0005")))
    assert f"{log.resolve()} 2 line(s) changed" in " ".join(capsys.readouterr().out.split())


def test_a_coach_login_that_is_not_their_id_is_named_by_pseudonym_in_a_line_written_after_the_erasure(
        data, tmp_path, hub_with_logins, monkeypatch):
    log = tmp_path / "hub-state" / "jupyterhub.log"
    assert erase(data, "E0005") == 0
    monkeypatch.setenv("CAREERCONV_HUB_COACH_LOGINS", str(hub_with_logins))  # as the hub's configuration reads it
    hub_prints(data, log, LOGIN_LINES)
    assert log.read_bytes() == MARK + b"".join(login_lines_named(pseudonym(data, "E0005")))


def test_the_access_log_names_a_coach_by_pseudonym_also_by_a_login_that_is_not_their_id(data, tmp_path,
                                                                                         hub_with_logins):
    """The records service logs who read what by hub login: jane.doe's lines, before the erasure of E0005 and
    after it (their open page saves again, and is refused), name them by E0005's pseudonym; jane.doerr's do not."""
    from careerconv.records.kept_elsewhere import record_access_log
    from careerconv.records.store import Store
    from careerconv.surfaces.service.access_log import AccessLog

    mapping = json.loads(hub_with_logins.read_text())
    log = AccessLog(tmp_path / "hub-state" / "access-log.jsonl", Store(data), mapping)  # as the service makes it
    record_access_log(Store(data), log.path)
    log.append("jane.doe", "read", "E0012", "allowed", 200, "history")
    log.append("jane.doerr", "read", "E0002", "allowed", 200, "history")
    assert erase(data, "E0005") == 0
    log.append("jane.doe", "save", "E0012", "refused", 403, "checkin/E0012-20261206")
    named = pseudonym(data, "E0005")
    lines = [(e["user"], e["action"], e["employee_id"]) for e in log.entries()]
    assert [line for line in lines if line[1] != "erase"] == [
        (named, "read", "E0012"), ("jane.doerr", "read", "E0002"), (named, "save", "E0012")]
    assert [line[2] for line in lines if line[1] == "erase"] == [named]  # the line of the erasure (by its account)


def test_the_question_before_an_erasure_says_it_reaches_the_hubs_state(data, tmp_path, hub_with_logins, capsys,
                                                                       monkeypatch):
    import io
    import sys

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True
    monkeypatch.setattr(sys, "stdin", Terminal("no\n"))
    assert main(["--data", str(data), "erase", "--employee", "E0005"]) == 1
    err = " ".join(capsys.readouterr().err.split())
    assert f"their hub user, groups, password and home folder in {tmp_path / 'hub-state'} will go" in err
    assert "Not confirmed; nothing was erased" in err


def test_a_coach_login_with_an_at_sign_in_an_address_encoded_twice_is_named_by_pseudonym_before_and_after(
        data, tmp_path, monkeypatch):
    from careerconv.records.kept_elsewhere import record_hub_state
    from careerconv.records.store import Store
    from careerconv.surfaces.service.hub_state import HubState

    state = tmp_path / "hub-state"
    state.mkdir()
    logins = tmp_path / "coach-logins.json"
    logins.write_text(json.dumps({"jane@doe.org": "E0005"}), encoding="utf-8")
    HubState(state, "http://127.0.0.1:9/hub/api", coach_logins=logins).write()
    record_hub_state(Store(data), state)
    line = b"[I 2026-12-06 09:05:00.000 JupyterHub log:192] 302 GET /hub/login?next=%2Fhub%2Flogin%3Fnext%3D" \
           b"%252Fuser%252Fjane%2540doe.org%252Flab (@127.0.0.1) 1.00ms\n"
    log = state / "jupyterhub.log"
    hub_prints(data, log, [line], "--coach-logins", str(logins))
    assert erase(data, "E0005") == 0
    monkeypatch.setenv("CAREERCONV_HUB_COACH_LOGINS", str(logins))  # as the hub's configuration reads it
    hub_prints(data, log, [line])
    named = line.replace(b"jane%2540doe.org", pseudonym(data, "E0005").encode())
    assert named != line and log.read_bytes() == MARK + named + named
