"""The renderer: deterministic bytes, bilingual labels, and the site in a real browser."""

from __future__ import annotations

import datetime as dt
import shutil
import tempfile
from pathlib import Path

import pytest

from conftest import REPO, TODAY, run_cli
from isms.engine import load_repo
from isms.labels import EN, ZH
from isms.render import render_site
from isms.report import ReportOptions, build_site, relative_url

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _render(lang: str) -> dict[str, str]:
    loaded = load_repo(REPO)
    return render_site(build_site(loaded, ReportOptions(dt.date.fromisoformat(TODAY), lang)))


def test_two_renders_give_identical_bytes() -> None:
    first, second = _render("en"), _render("en")
    assert list(first) == list(second)
    assert len(first) == 403  # 10 section pages and 393 entity pages
    for path in first:
        assert first[path].encode("utf-8") == second[path].encode("utf-8"), path


def test_languages_have_the_same_words() -> None:
    assert set(EN) == set(ZH)
    assert all(ZH[k] for k in ZH)


def test_relative_urls() -> None:
    assert relative_url("index.html", "entities/CTL-A.5.19.html") == "entities/CTL-A.5.19.html"
    assert relative_url("entities/PRC-05.html", "entities/CTL-A.5.19.html#soa") == \
        "CTL-A.5.19.html#soa"
    assert relative_url("entities/PRC-05.html", "files/evidence/a b.csv") == \
        "../files/evidence/a%20b.csv"
    assert relative_url("soa.html", "gap-iso27001-2022.html#A.5.1") == \
        "gap-iso27001-2022.html#A.5.1"


@pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Chromium is not installed")
def test_dashboard_in_headless_chromium(tmp_path: Path) -> None:
    """index.html from file://: a screenshot, no console errors, no network requests."""
    sync_api = pytest.importorskip("playwright.sync_api")
    out = tmp_path / "site"
    assert run_cli("report", str(REPO), "--out", str(out), "--today", TODAY).code == 0
    shot = tmp_path / "dashboard.png"
    console: list[str] = []
    requests: list[str] = []
    profile = Path(tempfile.mkdtemp(prefix="isms-chromium-"))
    try:
        with sync_api.sync_playwright() as p:
            context = p.chromium.launch_persistent_context(
                str(profile), executable_path=CHROMIUM, headless=True, args=FLAGS[1:],
                viewport={"width": 1280, "height": 900})
            try:
                page = context.new_page()
                page.on("console", lambda m: console.append(f"{m.type}: {m.text}")
                        if m.type in ("error", "warning") else None)
                page.on("pageerror", lambda e: console.append(f"pageerror: {e}"))
                page.on("request", lambda r: requests.append(r.url))
                page.goto((out / "index.html").as_uri(), wait_until="load")
                page.screenshot(path=str(shot), full_page=True)
                title = page.title()
                # the filter script works: typing in the SoA filter hides rows
                page.goto((out / "soa.html").as_uri(), wait_until="load")
                page.fill("input.filter", "A.5.19")
                visible = page.eval_on_selector_all(
                    "#soa-table tbody tr", "rows => rows.filter(r => !r.hidden).map(r => r.id)")
            finally:
                context.close()
    finally:
        shutil.rmtree(profile, ignore_errors=True)
    assert console == []
    assert [u for u in requests if not u.startswith("file://")] == []
    assert title == "Dashboard: Qinghe District Information Office (reference example)"
    assert "A.5.19" in visible and len(visible) < 5
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert len(data) > 50_000
