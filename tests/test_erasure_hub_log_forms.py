"""The hub's log names an erased coach by pseudonym in every form it writes them in: inside a URL-encoded address,
and by a login that is not their id (``CAREERCONV_HUB_COACH_LOGINS``).

Found by a helper of the hub's erasure: JupyterHub writes where to go after signing in as a parameter
(``/hub/login?next=%2Fuser%2Fe0005%2Flab``), where the id follows ``%2F`` and so did not stand as a word; and a coach
signing in as ``jane.doe``, mapped to E0005, was named ``jane.doe`` in clear after E0005 was erased.
"""

from __future__ import annotations

from test_erasure_hub_log import MARK, data, erase, hub_prints, pseudonym  # noqa: F401 (data: a fixture)

ENCODED = [
    b"[I 2026-12-06 09:03:00.000 JupyterHub log:192] 302 GET /user/e0005/lab -> /hub/login?next=%2Fuser%2Fe0005"
    b"%2Flab (@127.0.0.1) 1.00ms\n",
    b"[I 2026-12-06 09:03:01.000 JupyterHub log:192] 302 GET /hub/user%2FE0005%2Flab -> /hub/login?next=%2fE0005 "
    b"(@127.0.0.1) 1.00ms\n",
    b"[I 2026-12-06 09:03:02.000 JupyterHub log:192] 302 GET /hub/login?next=%2FE00050%2F (@127.0.0.1) 1.00ms\n",
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
    ]


def test_an_id_in_a_url_encoded_address_is_named_by_pseudonym_when_the_log_is_rewritten(data, tmp_path, capsys):
    log = tmp_path / "jupyterhub.log"
    hub_prints(data, log, ENCODED)
    assert erase(data, "E0005") == 0
    assert log.read_bytes() == MARK + b"".join(encoded_named(pseudonym(data, "E0005")))
    assert f"{log.resolve()} 2 line(s) changed" in " ".join(capsys.readouterr().out.split())


def test_an_id_in_a_url_encoded_address_is_named_by_pseudonym_in_a_line_written_after_the_erasure(data, tmp_path):
    log = tmp_path / "jupyterhub.log"
    assert erase(data, "E0005") == 0
    hub_prints(data, log, ENCODED)
    assert log.read_bytes() == MARK + b"".join(encoded_named(pseudonym(data, "E0005")))
