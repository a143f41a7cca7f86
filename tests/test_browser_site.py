"""A researcher in a real browser against `ovop serve`: the home page's charts render (inline SVG, no console
errors, nothing fetched from elsewhere), then filters outcomes by edition and province, searches a firm by
name and opens its outcome. Screenshots at 1400 and 400 px wide go to $OVOP_SHOTS (default /tmp/ovop-shots)."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine.publish.build import publish
from rulecopy import copy_rules, frozen_editions
from test_browser import ARGS, CHROMIUM, free_port, wait_up

ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path(os.environ.get("OVOP_SHOTS", "/tmp/ovop-shots"))

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="no chromium at /usr/bin/chromium")]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("site")
    db = folder / "site-under-test.db"  # any name serves
    rules = copy_rules(folder / "rules")  # the published editions of rules/ (a draft there changes nothing)
    publish(db, [ROOT / "datasets" / "samples", ROOT / "datasets" / "synthetic"], rules, what_if=True)
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "ovop"), "serve", "--db", str(db), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "OVOP_RULES_DIR": str(rules)})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(base + "/-/versions.json", proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            yield b
        finally:
            b.close()


def _page(browser, base: str, width: int):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.ovop_errors = []
    page.on("console", lambda m: page.ovop_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: page.ovop_errors.append(str(e)))
    page.on("request", lambda r: page.ovop_errors.append("off-site request " + r.url)
            if not r.url.startswith(base) and not r.url.startswith("data:") else None)
    return page


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.mark.parametrize("width", [1400, 400])
def test_home_page_charts_render(server, browser, width):
    page = _page(browser, server, width)
    page.goto(server + "/")
    charts = page.locator("figure.ovop-chart svg.ovop-chart-svg")
    assert charts.count() == 4
    for i in range(4):
        svg = charts.nth(i)
        assert svg.locator("path").count() > 3
        assert page.locator("figure.ovop-chart").nth(i).bounding_box()["width"] <= width
    assert charts.first.is_visible()
    assert page.locator("table.ovop-editions tbody tr").count() == len(frozen_editions())
    assert "2/3" in page.locator("#chart-distribution").inner_text() or page.locator("#chart-distribution text", has_text="2/3").count()
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1  # nothing wider than the screen
    _shot(page, f"home-{width}")
    assert page.ovop_errors == []
    page.close()


def test_researcher_filters_searches_and_opens_an_outcome(server, browser):
    page = _page(browser, server, 1400)
    page.goto(server + "/ovop/outcomes")
    assert page.locator("details.ovop-columns").count() == 1  # column descriptions collapsed
    assert not page.locator("dl.column-descriptions").is_visible()
    assert not page.locator("th.col-n").first.is_visible() and page.locator("th.col-ikm_name").first.is_visible()
    page.locator("[data-column=edition] li a", has_text="2024").first.click()
    page.wait_for_url("**edition=2024**")
    page.locator("[data-column=province] li a").first.click()
    page.wait_for_url("**province=**")
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() >= 1
    scales = page.locator("td.col-stars .ovop-of").all_inner_texts()
    assert scales and all(t.endswith("/3") for t in scales)  # stars against 2024's scale
    _shot(page, "outcomes-filtered-1400")
    page.goto(server + "/")
    page.fill("#ovop-q", "Malabar")
    page.click("form.ovop-search button")
    page.wait_for_url("**_search=Malabar**")
    assert page.locator("td.col-ikm_name", has_text="Contoh Kopi Arabika Malabar").count() == 1
    page.locator("td.col-key a", has_text="2018/2018-JB-0001").click()
    page.wait_for_url("**/ovop/outcomes/2018~2F2018-JB-0001")
    assert "Hasil:" in page.locator("pre.ovop-explain[lang=id]").text_content()
    _shot(page, "outcome-1400")
    assert page.ovop_errors == []
    page.close()
    phone = _page(browser, server, 400)
    phone.goto(server + "/ovop/outcomes?edition=2024")
    _shot(phone, "outcomes-400")
    assert phone.ovop_errors == []
    phone.close()


@pytest.mark.parametrize("width", [1400, 400])
def test_charts_beside_the_tables_and_stars_per_edition(server, browser, width):
    """The outcomes page draws its rows' stars per edition above the table, each edition on its own scale;
    a facet bucket (2024, 2 of 3) filters to that edition and stars and the chart follows; the movement and
    distribution tables carry their charts too. No console error, nothing wider than the screen."""
    page = _page(browser, server, width)
    page.goto(server + "/ovop/outcomes")
    chart = page.locator("#chart-table-stars svg.ovop-chart-svg")
    assert chart.count() == 1 and chart.locator("path").count() > 5
    labels = page.locator("#facet-stars li").all_inner_texts()
    assert any(t.startswith("2024: ★★☆ 2/3") for t in labels) and any(t.startswith("2013: ★★★☆☆ 3/5") for t in labels)
    assert not any(t.split(" ")[0].isdigit() for t in labels)  # no bare "3" bucket mixing the scales
    _shot(page, f"outcomes-chart-{width}")
    page.locator("#facet-stars li a", has_text="2024: ★★☆ 2/3").click()
    page.wait_for_url("**edition=2024**")
    assert "stars=2" in page.url
    stars = page.locator("td.col-stars .ovop-of").all_inner_texts()
    assert stars and set(stars) == {"2/3"}
    texts = page.locator("#chart-table-stars svg text").all_text_contents()
    assert "2024" in texts and "2013" not in texts and "3/3" in texts
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1
    for path, chart_id in (("/ovop/movement_2022_2024", "chart-table-movement"),
                           ("/ovop/stars_by_edition_commodity_province", "chart-table-province"),
                           ("/ovop/star_distribution?edition=2024", "chart-query-stars")):
        page.goto(server + path)
        svg = page.locator(f"#{chart_id} svg.ovop-chart-svg")
        assert svg.count() == 1 and svg.locator("path").count() > 3, path
        assert page.locator(f"figure#{chart_id}").bounding_box()["width"] <= width  # a wide chart scrolls inside
        if path.startswith("/ovop/movement"):
            _shot(page, f"movement-chart-{width}")
    assert page.ovop_errors == []
    page.close()
