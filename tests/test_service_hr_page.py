"""The HR page of the hub's records service: the HR notebook's charts and readings over the service's own figures.

Signed in to the hub as HR, the analyst lands on ``hr/``; it is the page ``careerconv hr-report`` makes (charts,
plain-language readings, the tables), for the protected tables ``api/aggregates`` answers with, rendered once per
state of the data. Through real HTTP, the hub's token check stood in by a fixed table (``service_harness``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import datetime as dt
import html
import logging
import os
import re
import signal
import subprocess
import sys

import pandas as pd
import pytest
import requests

from careerconv.surfaces.report.hr_page import render_html
from careerconv.surfaces.service.client import ServiceStore
from orgs import conversation
from service_harness import RunningService

A, HR, OP = "tok-coach-a", "tok-hr", "tok-operator"
AS_OF = {"as_of": "2026-10-01"}
CHART = '<img class="hr-chart" src="data:image/png;base64,'
COVERED = "24 employees are covered; 96% of them had a career conversation in the period (56 conversations and 143 " \
          "check-ins)."


@pytest.fixture()
def svc(tmp_path):
    running = RunningService(tmp_path)
    yield running
    running.stop()


def get(svc, path, token, **kw):
    return requests.get(svc.url + path, headers={"Authorization": f"token {token}"}, timeout=300, **kw)


def readings(page: str) -> list[str]:
    """The plain-language readings of an HR page, as a reader sees them."""
    return [html.unescape(text) for text in re.findall(r'<p class="hr-reading"[^>]*><b>(.*?)</b></p>', page)]


def test_hr_lands_on_the_hr_reports_charts_and_readings_for_the_figures_of_api_aggregates(svc):
    overview = get(svc, "api/aggregates", HR, params=AS_OF).json()["tables"]["overview"]
    assert overview["data"][0] == ["All departments", 24, 0.9583, 56, 143]

    page = get(svc, "hr/", HR, params=AS_OF)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    assert page.headers["Content-Security-Policy"].startswith("default-src 'none'; img-src data:")
    text = page.text
    assert text.count(CHART) >= 5  # the charts, embedded
    assert COVERED in readings(text)  # the same figures, in words
    assert "Groups of fewer than 5 employees are not shown." in readings(text)[0]
    assert "Signed in as hana. Every figure describes at least 5 distinct employees (the minimum group size in " \
           "force); no free text from a conversation is shown." in text
    # every table still one click away as CSV, for the same figures
    assert '<a href="overview.csv?as_of=2026-10-01" download>Who is covered</a>' in text
    assert '<a href="about.csv?as_of=2026-10-01" download>About this page</a>' in text
    assert "<script" not in text and 'src="http' not in text and "href=\"http" not in text.split("</head>")[0]
    assert "Yoon" not in text  # no person's name (E0003 is Do-yun Yoon)
    assert svc.renders == [{"data_dir": str(svc.data.resolve()), "period_start": "", "period_end": "",
                            "departments": [], "min_group_size": 5, "as_of": "2026-10-01"}]


def test_the_page_is_rendered_once_for_a_state_of_the_data_even_when_two_ask_at_once(svc):
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        pages = list(pool.map(lambda _: get(svc, "hr/", HR, params=AS_OF), range(2)))
    assert [p.status_code for p in pages] == [200, 200]
    assert pages[0].text == pages[1].text and CHART in pages[0].text
    assert len(svc.renders) == 1
    again = get(svc, "hr/", HR, params=AS_OF)
    assert again.text == pages[0].text
    assert len(svc.renders) == 1
    # An operator may read the page too: the same page under their own name, not a render of its own.
    operator = get(svc, "hr/", OP, params=AS_OF)
    assert "Signed in as olga." in operator.text and CHART in operator.text
    assert len(svc.renders) == 1


def test_a_saved_record_and_an_imported_roster_each_give_a_new_page(svc):
    assert COVERED in readings(get(svc, "hr/", HR, params=AS_OF).text)
    ServiceStore(svc.url, A).save_checkin({"employee_id": "E0003", "coach_id": "E0020", "date": "2026-09-15",
                                           "status": "completed", "note": "halfway there", "updates": [],
                                           "ratings": [], "kind": "checkin"})
    after_save = readings(get(svc, "hr/", HR, params=AS_OF).text)
    assert "24 employees are covered; 96% of them had a career conversation in the period (56 conversations and " \
           "144 check-ins)." in after_save
    assert len(svc.renders) == 2

    header = (svc.data / "roster.csv").read_text(encoding="utf-8").splitlines()[0]
    row = "E0999,Ann Example,E0020,Sales,Account Executive,12,ann.example@example.org"
    imported = requests.put(svc.url + "api/roster", data=f"{header}\n{row}\n".encode(), timeout=60,
                            headers={"Authorization": f"token {OP}"})
    assert imported.status_code == 200 and imported.json()["added"] == 1, imported.text
    after_import = readings(get(svc, "hr/", HR, params=AS_OF).text)
    assert any(line.startswith("25 employees are covered;") for line in after_import), after_import
    assert len(svc.renders) == 3


def test_a_coach_typing_a_draft_gives_no_new_page_and_completing_it_does(svc):
    """Found on the hub: the page's state held the derived tables' manifest, which every save changes, a draft's
    autosave too, so while any coach typed every HR view rendered its page again (7-20 s each). No HR figure counts
    a draft: the page is rendered again when a record HR reads changes."""
    first = get(svc, "hr/", HR, params=AS_OF).text
    coach = ServiceStore(svc.url, A)
    draft = coach.save_conversation(conversation("E0003", "2026-09-20", coach="E0020", status="draft",
                                                 skills=[("Negotiation", 3, (4, 5, 6))]))
    draft = coach.save_conversation({**draft, "dreams": [{"rank": 1, "text": "lead a team"}]})  # autosaved
    coach.save_checkin({"employee_id": "E0004", "coach_id": "E0020", "date": "2026-09-21", "status": "draft",
                        "note": "typing", "updates": [], "ratings": [], "kind": "checkin"})
    assert get(svc, "hr/", HR, params=AS_OF).text == first
    assert len(svc.renders) == 1

    completed = conversation("E0003", "2026-09-20", coach="E0020", skills=[("Negotiation", 3, (4, 5, 6))],
                             items=[("a1", "Shadow a negotiation", "2026-10-15")], next_due="2027-03-20")
    coach.save_conversation({**completed, "revision": draft["revision"]})
    after = readings(get(svc, "hr/", HR, params=AS_OF).text)
    assert "24 employees are covered; 96% of them had a career conversation in the period (57 conversations and " \
           "143 check-ins)." in after
    assert len(svc.renders) == 2


def test_a_larger_minimum_group_size_gives_its_own_page_saying_so(svc):
    assert get(svc, "hr/", HR, params=AS_OF).status_code == 200
    larger = get(svc, "hr/", HR, params={**AS_OF, "min_group_size": "7"})
    assert larger.status_code == 200
    assert "Every figure describes at least 7 distinct employees (the minimum group size in force)" in larger.text
    assert "Groups of fewer than 7 employees are not shown." in readings(larger.text)[0]
    assert '<a href="overview.csv?as_of=2026-10-01&amp;min_group_size=7" download>' in larger.text
    assert [r["min_group_size"] for r in svc.renders] == [5, 7]
    smaller = get(svc, "hr/", HR, params={**AS_OF, "min_group_size": "3"})  # refused as before, nothing rendered
    assert smaller.status_code == 400 and "below this organisation&#x27;s minimum group size, 5" in smaller.text
    assert len(svc.renders) == 2


def kernel_cannot_start(parameters: dict, hr: dict) -> str:
    raise RuntimeError("Kernel didn't respond in 60 seconds")


def notebook_fails(parameters: dict, hr: dict) -> str:
    # the real notebook, handed tables without the last one it shows
    return render_html(parameters, {name: table for name, table in hr.items() if name != "option_kinds"})


@pytest.mark.parametrize("render, kind", [(kernel_cannot_start, "RuntimeError"), (notebook_fails, "ValueError")])
def test_when_the_charts_cannot_be_made_the_page_shows_the_tables_and_says_why(tmp_path, render, kind):
    svc = RunningService(tmp_path, render=render)
    try:
        page = get(svc, "hr/", HR, params=AS_OF)
        assert page.status_code == 200
        note = html.unescape(page.text.split('<p class="note">')[1].split("</p>")[0])
        assert re.fullmatch(rf"The charts and readings of this page could not be made \({kind}\); the same figures "
                            r"are shown below as tables\. The records service's log has the details, under "
                            r"hr-page-failure-[0-9a-f]{8}\.", note), note
        assert CHART not in page.text and "Traceback" not in page.text
        assert '<h2>Who is covered <a class="csv" href="overview.csv?as_of=2026-10-01" download>CSV</a></h2>' \
            in page.text
        assert "<td>All departments</td><td>24</td>" in re.sub(r">\s+<", "><", page.text)
        assert "Signed in as hana. Every figure describes at least 5 distinct employees" in page.text
        assert page.headers["Content-Security-Policy"].startswith("default-src 'none'")
        # a failure is answered at once for a while (a kernel that hangs at start held each request a minute),
        # then tried again
        again = get(svc, "hr/", HR, params=AS_OF)
        assert len(svc.renders) == 1 and note in html.unescape(again.text)
        svc.service.hr_pages.retry_after = 0.0
        get(svc, "hr/", HR, params=AS_OF)
        assert len(svc.renders) == 2
    finally:
        svc.stop()


def notebook_cannot_read_its_tables(parameters: dict, hr: dict) -> str:
    # as render_html words a notebook that failed to read the tables it was handed in its temp folder
    raise ValueError("the HR notebook failed: FileNotFoundError: [Errno 2] No such file or directory: "
                     "'/tmp/careerconv-hr-k2j1x9/hr-tables.pickle'")


def test_the_note_of_a_failed_page_names_no_file_of_the_server_and_its_log_has_the_details(tmp_path, caplog):
    """Found: the note said "(ValueError: the HR notebook failed: FileNotFoundError: ... '/tmp/careerconv-hr-k2j1x9/
    hr-tables.pickle')" to HR: a path on the server, which is none of HR's business and helps no one there."""
    svc = RunningService(tmp_path, render=notebook_cannot_read_its_tables)
    try:
        page = get(svc, "hr/", HR, params=AS_OF)
    finally:
        svc.stop()
    assert page.status_code == 200 and "<td>All departments</td><td>24</td>" in re.sub(r">\s+<", "><", page.text)
    shown = html.unescape(page.text)
    note = shown.split('<p class="note">')[1].split("</p>")[0]
    assert "could not be made (ValueError)" in note
    for server_path in ("/tmp/", "careerconv-hr-", "hr-tables.pickle", str(svc.data), str(tmp_path)):
        assert server_path not in shown
    reference = re.search(r"hr-page-failure-[0-9a-f]{8}", note).group()
    logged = [r for r in caplog.records if reference in r.getMessage()]
    assert len(logged) == 1 and "'/tmp/careerconv-hr-k2j1x9/hr-tables.pickle'" in str(logged[0].exc_info[1])


def test_when_the_charts_cannot_be_made_the_tables_still_say_why_the_on_time_figures_count_fewer(tmp_path):
    """Found by a reader: the page of tables only (its charts and readings not made) showed "Who is covered" 24 and
    the on-time table 23 beside it, and nothing said why: someone left in the period. The sentence the charted
    page gives goes under the on-time table here too."""
    from careerconv.records.store import Store

    svc = RunningService(tmp_path, render=kernel_cannot_start)
    try:
        store = Store(svc.data)
        roster = store.roster()
        leaver = sorted(roster["employee_id"])[0]
        store.save_roster(roster.assign(left_on=roster["left_on"].mask(roster["employee_id"] == leaver,
                                                                       pd.Timestamp("2026-09-10"))))
        page = get(svc, "hr/", HR, params=AS_OF)
    finally:
        svc.stop()
    assert page.status_code == 200 and "could not be made (RuntimeError)" in html.unescape(page.text)
    flat = re.sub(r">\s+<", "><", page.text)
    assert "<td>All departments</td><td>24</td>" in flat  # who is covered
    on_time = html.unescape(flat.split("Conversations and follow-ups on time", 1)[1].split("<h2>")[0])
    assert "<td>All departments</td><td>23</td>" in on_time
    said = " ".join(re.sub(r"<[^>]+>", " ", on_time.split("</table>")[-1]).split()).replace("\N{NO-BREAK SPACE}", " ")
    assert said == ('These figures count the 23 employees still here on 30 Sep 2026; "Who is covered" counts 24, '
                    "everyone here on some day of the period, 1 of whom had left by then.")


def test_the_page_hr_lands_on_is_ready_before_the_first_hr_user_asks(svc):
    """Found by a hostile test: HR's first page after signing in took 11.6 s. The service renders the landing page
    (today, every department, the organisation's minimum group size) when it starts; HR's first visit is that
    page, not a render of its own."""
    asyncio.run_coroutine_threadsafe(svc.service.prepare_hr_page(), svc.loop).result(timeout=300)
    assert [r["as_of"] for r in svc.renders] == [dt.date.today().isoformat()]
    page = get(svc, "hr/", HR)
    assert page.status_code == 200 and CHART in page.text and "Signed in as hana." in page.text
    assert len(svc.renders) == 1


def test_the_landing_page_is_prepared_with_the_organisations_minimum_group_size(svc):
    """The page prepared at start is the one HR's address without arguments asks for, whatever the organisation's
    settings say: prepared with their minimum group size (7 here), HR's first visit is served from it."""
    (svc.data / "careerconv.toml").write_text("[privacy]\nmin_group_size = 7\n", encoding="utf-8")
    asyncio.run_coroutine_threadsafe(svc.service.prepare_hr_page(), svc.loop).result(timeout=300)
    assert [(r["as_of"], r["min_group_size"], r["departments"]) for r in svc.renders] == \
        [(dt.date.today().isoformat(), 7, [])]
    page = get(svc, "hr/", HR)
    assert page.status_code == 200 and "at least 7 distinct employees" in page.text and len(svc.renders) == 1


def test_a_landing_page_that_cannot_be_prepared_is_only_logged(tmp_path, caplog):
    def failing(parameters: dict, hr: dict) -> str:
        raise RuntimeError("no kernel")
    caplog.set_level(logging.WARNING, logger="tornado.application")  # whatever an earlier test set it to
    running = RunningService(tmp_path, render=failing)
    try:
        asyncio.run_coroutine_threadsafe(running.service.prepare_hr_page(), running.loop).result(timeout=300)
    finally:
        running.stop()
    assert "the HR page could not be prepared at start: ChartsFailed" in caplog.text


_SERVICE_STOPPED_WHILE_PREPARING = """
import asyncio, functools, shutil, sys, threading
from pathlib import Path
from careerconv.records import config
from careerconv.surfaces.commands.records_service import organisation_minimum
from careerconv.surfaces.service.server import RecordsService, make_app, serve
from service_harness import PREFIX, TableHubAuth, free_port

class Renderer:
    # HR's landing page as a slow kernel renders it: done after 600 s, or cut short by abandon() as a killed kernel is
    def __init__(self):
        self.abandoned = threading.Event()

    def __call__(self, parameters, hr):
        print("rendering", flush=True)
        if self.abandoned.wait(600):
            raise RuntimeError("the kernel was killed")
        return "<p>the landing page</p>"

    def abandon(self):
        self.abandoned.set()

root = Path(sys.argv[1])
shutil.copytree(config.SAMPLE_DATA_DIR, root / "data")
service = RecordsService(root / "data", root / "access-log.jsonl", root / "reports", TableHubAuth(),
                         minimum=functools.partial(organisation_minimum, root / "data", None),
                         render_hr_page=Renderer())
asyncio.run(serve(service, make_app(service, PREFIX), "127.0.0.1", free_port()))
print("stopped", flush=True)
"""


def test_a_service_stopped_while_it_prepares_the_landing_page_stops_without_finishing_it(tmp_path):
    """Found timing the hub's tests: stopping a hub just started waited some 7 s while its records service finished
    the HR landing page it prepares at start, which nobody would see; now the service cuts it short and stops."""
    tests = os.path.dirname(os.path.abspath(__file__))
    path = os.pathsep.join([tests, os.environ.get("PYTHONPATH", "")])  # service_harness's folder
    service = subprocess.Popen([sys.executable, "-c", _SERVICE_STOPPED_WHILE_PREPARING, str(tmp_path)],
                               stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                               env={**os.environ, "PYTHONPATH": path})
    try:
        assert service.stdout.readline() == "rendering\n", service.stderr.read()
        service.send_signal(signal.SIGTERM)  # as the hub stops its services
        out, err = service.communicate(timeout=60)  # the page would take 600 s more
    finally:
        if service.poll() is None:
            service.kill()
            service.wait()
    assert service.returncode == 0 and out == "stopped\n", err
    assert "could not be prepared" not in err  # not a failure: the service stopped first
