"""Every HTML page careerconv writes is self-contained: opening one tells no third party, offline it looks the same.

The pages come from real runs, the way an operator and a coach make them:
the coach completes a conversation in the app (which writes the one-page
summary), then ``careerconv report`` makes the progress reports of a few
employees (and the batch's index page) and ``careerconv hr-report`` the HR
page. Every ``.html`` file under the data and reports folders is then read
with :mod:`html.parser`: every attribute that makes a browser fetch something,
every ``url()`` and ``@import`` of the page's CSS, and what is inside embedded
SVG images. Allowed are ``data:`` URIs, ``#fragments`` and relative links to
other files careerconv wrote; anything else (``https:``, ``//host``, ``file:``,
a link to a file that is not there) fails the test. Each page also carries a
Content-Security-Policy that forbids the browser to load anything at all.

Finally Chromium opens the pages from disk with every non-file request
aborted and recorded: none may be attempted, no load may be refused by the
policy, every chart must show; screenshots at 1280 and 400 px go to
``tests/output/offline/``, and the report must look exactly like nbconvert's
stock page of the same notebook (which loads require.js and MathJax from a
CDN, here blocked).
"""

from __future__ import annotations

import base64
import datetime as dt
import re
import shutil
import urllib.parse
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest

from careerconv.records import config
from careerconv.cli import main as cli_main

from app_harness import Harness

pytestmark = [pytest.mark.slow, pytest.mark.timeout(900)]

PROJECT = Path(__file__).resolve().parent.parent
SAMPLE = config.SAMPLE_DATA_DIR
OUTPUT = PROJECT / "tests" / "output" / "offline"
AS_OF = "2026-10-02"  # the day after the app's conversation (tests/app_harness.py: START)
OTHERS = ["E0002", "E0017"]  # two more reports beside the one of the person the coach just met
# Written out by hand: what every page must say to the browser.
POLICY = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; base-uri 'none'; form-action 'none'"
HOSTILE = [
    '<img src="https://tracker.example/pixel.png">',
    "<link rel=stylesheet href=//cdn.example/x.css>",
    "see https://example.org/course and url(https://x.example/a.png)",
]

# Attributes whose value a browser fetches or navigates to.
URL_ATTRIBUTES = {"src", "href", "xlink:href", "srcset", "imagesrcset", "poster", "data", "action", "formaction",
                  "background", "cite", "longdesc", "manifest", "ping", "icon", "codebase", "archive", "lowsrc"}
_CSS_COMMENT = re.compile(r"/\*.*?\*/", re.S)
_CSS_URL = re.compile(r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)\s]*))\s*\)""", re.I)
_CSS_IMPORT = re.compile(r"""@import\s+(?:"([^"]*)"|'([^']*)')""", re.I)
_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.\-]*:")


class _Page(HTMLParser):
    """Everything a page refers to, and the policy in its head."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.references: list[tuple[str, str]] = []  # (where, value)
        self.policies: list[str] = []
        self.first_tags: list[str] = []  # tags before the policy
        self.scripts = 0
        self._in_style = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        if tag == "meta" and values.get("http-equiv", "").lower() == "content-security-policy":
            self.policies.append(values.get("content", ""))
        elif not self.policies:
            self.first_tags.append(tag)
        if tag == "meta" and values.get("http-equiv", "").lower() == "refresh":
            self.references.append(("meta refresh", values.get("content", "").partition("=")[2]))
        if tag == "script":
            self.scripts += 1
        self._in_style = tag == "style"
        for name, value in values.items():
            if name in ("srcset", "imagesrcset"):
                self.references.extend((f"<{tag} {name}>", url) for url in srcset_urls(value))
            elif name in URL_ATTRIBUTES:
                self.references.append((f"<{tag} {name}>", value))
            elif name == "style":
                self.references.extend((f"<{tag} style>", ref) for ref in css_references(value))

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.references.extend(("<style>", ref) for ref in css_references(data))


def srcset_urls(srcset: str) -> list[str]:
    """The URLs of a ``srcset`` (the HTML standard's parse: a URL runs to the next space, and may hold commas)."""
    urls, pos = [], 0
    while pos < len(srcset):
        while pos < len(srcset) and (srcset[pos].isspace() or srcset[pos] == ","):
            pos += 1
        url = re.match(r"\S*", srcset[pos:]).group(0)
        pos += len(url)
        if url.endswith(","):
            url = url.rstrip(",")
        else:  # skip the descriptors, up to the comma that ends this candidate
            depth = 0
            while pos < len(srcset) and (srcset[pos] != "," or depth):
                depth += {"(": 1, ")": -1}.get(srcset[pos], 0)
                pos += 1
        if url:
            urls.append(url)
    return urls


def css_references(css: str) -> list[str]:
    """The targets of every ``url()`` and ``@import`` in a piece of CSS (comments are not references)."""
    css = _CSS_COMMENT.sub("", css)
    found = ["".join(m.groups(default="")) for m in _CSS_URL.finditer(css)]
    return found + ["".join(m.groups(default="")) for m in _CSS_IMPORT.finditer(css)]


def parse(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def outside_references(path: Path, text: str, written: set[Path]) -> list[str]:
    """What in ``text`` (the page at ``path``) points outside the files careerconv wrote, as readable lines."""
    bad = []
    for where, ref in parse(text).references:
        value = ref.strip()
        if not value or value.startswith("#"):
            continue
        if value[:5].lower() == "data:":
            bad += [f"{where} -> inside {value[:40]}…: {b}" for b in _inside_data_uri(path, value, written)]
            continue
        if _SCHEME.match(value) or value.startswith("//") or value.startswith("\\"):
            bad.append(f"{where} -> {value}")
            continue
        target = (path.parent / urllib.parse.unquote(value.split("#")[0].split("?")[0])).resolve()
        if target not in written:
            bad.append(f"{where} -> {value} (not a file careerconv wrote)")
    return bad


def _inside_data_uri(path: Path, uri: str, written: set[Path]) -> list[str]:
    head, _, payload = uri.partition(",")
    if "svg" not in head.lower():
        return []
    svg = base64.b64decode(payload).decode("utf-8") if head.endswith(";base64") else urllib.parse.unquote(payload)
    return outside_references(path, svg, written)


# --------------------------------------------------------------------------- the outputs of real runs


def _complete_a_conversation(data: Path) -> tuple[str, Path]:
    """A coach completes a conversation in the app for someone with a history; returns (employee, summary)."""
    h = Harness(data)
    app = h.app
    employee = "E0001"
    app.select_employee(employee)
    if app.start_screen.draft_box.layout.display != "none":
        app.start_screen.discard_button.click()
        app.start_screen.discard_confirm.click()
    app.start_conversation()
    app.go_to("goals")
    app.editor("want_more").area.value = HOSTILE[2]
    for box, text in zip(app.editor("dreams").list.texts, HOSTILE):
        box.value = text
    app.go_to("action_plan")
    skills = app.editor("skills")
    skills.input.value = "Public speaking"
    skills.add_button.click()
    card = skills.card("Public speaking")
    card.self_rating.value = 5
    card.ten.value = HOSTILE[0]
    for i, row in enumerate(card.options):
        row.text.value = f"Option {i + 1} {HOSTILE[1]}"
    card.options[0].choose.value = True
    for horizon, value in zip((6, 12, 18), (6, 7, 8)):
        card.target_boxes[horizon].value = value
    app.go_to("next_steps")
    items = app.editor("action_items")
    items.rows[0].text.value = "Read " + HOSTILE[2]
    items.rows[0].due.value = dt.date(2026, 11, 1)
    items.rows[0].owner.value = "Ada Lovelace"  # Finish asks every action item for an owner
    app.editor("follow_up").mode.value = "one-on-one"
    app.editor("cadence").buttons.value = 6
    assert app.complete() == []
    assert app.summary_path is not None and app.summary_path.exists()
    return employee, app.summary_path


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("offline")
    data, reports = root / "data", root / "reports"
    shutil.copytree(SAMPLE, data, ignore=shutil.ignore_patterns("derived", ".locks"))
    employee, summary = _complete_a_conversation(data)
    employees = [employee, *OTHERS]
    assert cli_main(["--data", str(data), "report", *employees, "--as-of", AS_OF, "-o", str(reports),
                     "--jobs", "1", "--quiet"]) == 0
    hr = reports / f"hr-analytics-{AS_OF}.html"
    assert cli_main(["--data", str(data), "hr-report", "--as-of", AS_OF, "-o", str(hr)]) == 0
    written = sorted(p.resolve() for p in root.rglob("*") if p.is_file())
    return {
        "root": root,
        "written": set(written),
        "pages": [p for p in written if p.suffix.lower() in (".html", ".htm", ".xhtml")],
        "reports": [reports / e / f"progress-{AS_OF}.html" for e in employees],
        "index": reports / f"index-{AS_OF}.html",
        "hr": hr,
        "summary": summary,
    }


def test_the_run_wrote_every_kind_of_page(outputs):
    pages = set(outputs["pages"])
    expected = [*outputs["reports"], outputs["index"], outputs["hr"], outputs["summary"]]
    assert {p.resolve() for p in expected} <= pages
    index = outputs["index"].read_text(encoding="utf-8")
    for eid in ["E0001", *OTHERS]:
        assert f'href="{eid}/progress-{AS_OF}.html"' in index  # a relative link, which the scan follows


def test_no_page_careerconv_wrote_references_anything_outside_itself(outputs):
    found = {}
    for page in outputs["pages"]:
        bad = outside_references(page, page.read_text(encoding="utf-8"), outputs["written"])
        if bad:
            found[str(page.relative_to(outputs["root"]))] = bad
    assert found == {}


def test_every_page_forbids_the_browser_to_load_anything_and_runs_no_script(outputs):
    for page in outputs["pages"]:
        parsed = parse(page.read_text(encoding="utf-8"))
        name = page.relative_to(outputs["root"])
        assert parsed.policies == [POLICY], name
        # The policy comes before anything that could load: only the page's head basics precede it.
        assert set(parsed.first_tags) <= {"html", "head", "meta", "title"}, (name, parsed.first_tags)
        assert parsed.scripts == 0, name


def test_user_text_that_looks_like_a_reference_stays_text(outputs):
    summary = outputs["summary"].read_text(encoding="utf-8")
    report = outputs["reports"][0].read_text(encoding="utf-8")
    for page in (summary, report):
        assert "&lt;img src=&quot;https://tracker.example/pixel.png&quot;&gt;" in page
        assert "https://tracker.example" not in " ".join(v for _, v in parse(page).references)


@pytest.mark.parametrize("snippet, expected", [
    ('<script src="https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js"></script>',
     "<script src> -> https://cdnjs.cloudflare.com/ajax/libs/require.js/2.1.10/require.min.js"),
    ('<link rel="stylesheet" href="//fonts.example/css">', "<link href> -> //fonts.example/css"),
    ('<img srcset="data:image/png;base64,iVBO,Rw0K 1x, https://img.example/b.png 2x">',
     "<img srcset> -> https://img.example/b.png"),
    ("<style>/* https://ok.example in a comment */ @import 'https://x.example/a.css';</style>",
     "<style> -> https://x.example/a.css"),
    ("<style>@font-face { src: url(https://fonts.example/f.woff2) }</style>",
     "<style> -> https://fonts.example/f.woff2"),
    ('<div style="background: url(\'http://x.example/bg.png\')"></div>', "<div style> -> http://x.example/bg.png"),
    ('<iframe src="file:///etc/passwd"></iframe>', "<iframe src> -> file:///etc/passwd"),
    ('<a href="other.html">x</a>', "<a href> -> other.html (not a file careerconv wrote)"),
    ('<img src="data:image/svg+xml;base64,'
     + base64.b64encode(b'<svg><image href="https://x.example/i.png"/></svg>').decode() + '">',
     "<image href> -> https://x.example/i.png"),
])
def test_the_scan_finds_each_kind_of_outside_reference(tmp_path, snippet, expected):
    page = tmp_path / "page.html"
    found = outside_references(page, f"<html><head></head><body>{snippet}</body></html>", {page.resolve()})
    assert len(found) == 1 and found[0].endswith(expected), found


def test_the_scan_allows_data_fragments_and_files_careerconv_wrote(tmp_path):
    page, sibling = tmp_path / "index.html", tmp_path / "E1" / "progress.html"
    text = ('<a href="#top">t</a><a href="E1/progress.html">r</a>'
            '<img src="data:image/png;base64,iVBORw0KGgo="><style>.x { background: url(data:image/png;base64,AA) }'
            "/* https://example.org */</style>")
    assert outside_references(page, text, {page.resolve(), sibling.resolve()}) == []


def test_the_exporter_refuses_a_template_that_would_load_scripts(monkeypatch):
    from careerconv.surfaces.report import html_export

    monkeypatch.setattr(html_export, "_OFFLINE_TEMPLATE", "{%- extends 'lab/index.html.j2' -%}")  # nbconvert's own
    with pytest.raises(RuntimeError, match="would load scripts from the internet"):
        html_export.ReportExporter()


# --------------------------------------------------------------------------- in a browser, offline


class _OfflinePage:
    """A Chromium page that lets only file: URLs through and records every other request and refusal."""

    def __init__(self, browser, width: int):
        self.context = browser.new_context(viewport={"width": width, "height": 900}, service_workers="block")
        self.attempted: list[str] = []
        self.refused: list[str] = []
        self.context.route("**/*", self._route)
        self.page = self.context.new_page()
        self.page.on("console", lambda msg: self.refused.append(msg.text)
                     if msg.type == "error" or "Content Security Policy" in msg.text else None)
        self.page.on("request", lambda req: None if req.url.startswith(("file:", "data:"))
                     else self.attempted.append(req.url))

    def _route(self, route) -> None:
        if route.request.url.startswith("file:"):
            route.continue_()
        else:
            self.attempted.append(route.request.url)
            route.abort()

    def open(self, path: Path) -> None:
        self.page.goto(path.as_uri(), wait_until="load")
        self.page.wait_for_timeout(300)

    def shot(self, path: Path) -> bytes:
        return self.page.screenshot(path=str(path), full_page=True)

    def close(self) -> None:
        self.context.close()


def _images_shown(page) -> tuple[int, int]:
    return page.evaluate("() => { const imgs = [...document.images];"
                         " return [imgs.length, imgs.filter(i => i.complete && i.naturalWidth > 0).length]; }")


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 400])
def test_pages_open_offline_without_a_single_request(outputs, browser, width):
    OUTPUT.mkdir(parents=True, exist_ok=True)
    pages = {"report": outputs["reports"][0], "hr": outputs["hr"], "index": outputs["index"],
             "summary": outputs["summary"]}
    for label, path in pages.items():
        tab = _OfflinePage(browser, width)
        try:
            tab.open(path)
            images, shown = _images_shown(tab.page)
            tab.shot(OUTPUT / f"{label}-{width}.png")
            assert tab.attempted == [], f"{label}: requests attempted: {tab.attempted}"
            assert tab.refused == [], f"{label}: {tab.refused}"
            assert shown == images, f"{label}: {images - shown} of {images} images not shown"
            if label in ("report", "hr"):
                assert images >= 1, f"{label}: the charts are missing"
            assert tab.page.evaluate("() => document.body.innerText.length") > 200  # the page has its text
            if label == "index":  # the policy leaves links between careerconv's own files alone
                tab.page.locator("a", has_text="report").first.click()
                tab.page.wait_for_load_state("load")
                assert tab.page.url == outputs["reports"][0].as_uri()
                assert tab.attempted == [] and tab.refused == []
        finally:
            tab.close()


@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 400])
def test_the_report_looks_exactly_like_nbconvert_stock_page(outputs, browser, width):
    """The same executed notebook through nbconvert's stock exporter (CDN scripts, blocked here) looks the same."""
    from io import BytesIO

    from nbconvert import HTMLExporter
    from PIL import Image, ImageChops

    report = outputs["reports"][0]
    nb = nbformat.read(report.with_suffix(".ipynb"), as_version=4)
    for cell in nb.cells:  # the report shows no stderr; neither may the reference
        if cell.cell_type == "code":
            cell.outputs = [o for o in cell.outputs if not (o.output_type == "stream" and o.name == "stderr")]
    stock, _ = HTMLExporter(exclude_input=True, exclude_input_prompt=True, exclude_output_prompt=True,
                            embed_images=True).from_notebook_node(nb, resources={"metadata": {"name": "r"}})
    assert "cdnjs.cloudflare.com" in stock  # what the report used to load
    reference = report.with_name("stock-reference.html")
    reference.write_text(stock, encoding="utf-8")
    shots = {}
    try:
        for label, path in (("offline", report), ("stock", reference)):
            tab = _OfflinePage(browser, width)
            try:
                tab.open(path)
                shots[label] = tab.shot(OUTPUT / f"report-{label}-{width}.png")
            finally:
                tab.close()
    finally:
        reference.unlink()
    offline, stock_image = (Image.open(BytesIO(shots[k])).convert("RGB") for k in ("offline", "stock"))
    assert offline.size == stock_image.size
    assert ImageChops.difference(offline, stock_image).getbbox() is None, "the offline report looks different"
