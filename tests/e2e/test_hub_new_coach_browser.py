"""A coach a roster import makes signs in to the running hub the same day, in a real browser, with no restart.

The hub runs as ``careerconv hub`` starts it (the trial's passwords, every coach on the roster a login, ``operator``
importing rosters through the records service). The operator's import makes E0004, who coached nobody, the coach of
E0002; its answer gives E0004's password once; E0004 signs in with it, and their app lists their one person. Started
again, the hub keeps that login and its password. Screenshots go to ``tests/output/e2e/``.
"""

from __future__ import annotations

import re
import shutil

import pytest
import requests

from careerconv.records import config
from careerconv.surfaces.commands.hub import Hub
from prerequisites import require_hub

pytestmark = [pytest.mark.browser, pytest.mark.slow, pytest.mark.timeout(900)]

require_hub()

HEADER = "employee_id,name,coach_id,department,role,cadence_months,email\n"


def sign_in_form(url: str, login: str, password: str) -> int:
    """The status of the hub's login form's answer to ``login`` with ``password`` (302 signed in, 403 not)."""
    with requests.Session() as session:
        form = session.get(url + "hub/login", timeout=60)
        xsrf = re.search(r'name="_xsrf" value="([^"]*)"', form.text).group(1)
        return session.post(url + "hub/login?next=", data={"username": login, "password": password, "_xsrf": xsrf},
                            allow_redirects=False, timeout=60).status_code


def test_a_coach_the_roster_import_makes_signs_in_at_once_and_again_after_a_restart(browser, tmp_path, output_dir):
    data, state = tmp_path / "data", tmp_path / "state"
    shutil.copytree(config.SAMPLE_DATA_DIR, data)
    hub = Hub.start(data, state, admin_token=True)  # every coach on the roster, hr and operator, as the command does
    try:
        assert "e0004" not in hub.groups["coaches"]
        assert sign_in_form(hub.url, "e0004", "") == 403
        row = next(line for line in (data / "roster.csv").read_text(encoding="utf-8").splitlines()
                   if line.startswith("E0002,"))
        imported = requests.put(hub.service_url + "api/roster", data=(HEADER + row.replace(",E0001,", ",E0004,")),
                                headers={"Authorization": f"token {hub.user_token('operator')}"}, timeout=120)
        assert imported.status_code == 200, imported.text
        password = imported.json()["passwords"]["e0004"]
        assert f"E0004 can sign in to the hub now as e0004, with the password {password} (shown only this once" \
            in " ".join(imported.json()["notes"]), imported.json()["notes"]
        assert password not in (state / "jupyterhub.log").read_text(encoding="utf-8")

        context = browser.new_context(viewport={"width": 1280, "height": 1000})
        try:
            page = context.new_page()
            page.goto(hub.url + "hub/login")
            page.fill("#username_input", "e0004")
            page.fill("#password_input", password)
            page.click("#login_submit")
            page.wait_for_url("**/user/e0004/voila/render/conversation.ipynb**", timeout=300_000)
            page.wait_for_selector(".cc-app .cc-result", timeout=300_000)
            assert [text.rsplit(" · ", 1)[1] for text in page.locator(".cc-result").all_inner_texts()] == ["E0002"]
            page.locator(".cc-app").screenshot(path=str(output_dir / "hub-new-coach.png"))
        finally:
            context.close()
    finally:
        hub.stop()

    again = Hub.start(data, state)
    try:
        assert "e0004" in again.groups["coaches"] and "e0004" in again.kept and "e0004" not in again.passwords
        assert sign_in_form(again.url, "e0004", password) == 302
    finally:
        again.stop()
