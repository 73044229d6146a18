"""`ai-analytics dashboard`: the page drawn from a real build, opened in headless Chromium.

The browser tests use Debian's Chromium (/usr/bin/chromium) through Playwright
for Python, never a browser that Playwright downloads. Without that browser
they skip, except under CI, where a missing browser fails the run. The other
tests (determinism, no raw text, empty and missing marts, the command line)
need no browser.
"""

from __future__ import annotations

import argparse
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pytest
from plotly.offline import get_plotlyjs

from ai_analytics.dashboard import DEFAULT_OUT, PANELS, register, render_dashboard
from tests.conftest import Build
from tests.dbt_harness import MARTS, PROJECT_DIR

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
ARTIFACTS = PROJECT_DIR / "target" / "test-artifacts"
PANEL_KEYS = [
    "active-conversations",
    "latency-p95",
    "error-rate",
    "intent-distribution",
    "usage-heatmap",
    "intent-flows",
    "tokens-cost",
    "cost-per-conversation",
    "satisfaction",
    "classification-coverage",
]
# Columns of the raw events that hold free text (prompts, responses, feedback, errors).
RAW_TEXT_COLUMNS = {
    "ai_user_prompt_created": ["prompt_text"],
    "ai_llm_response_received": ["response_text", "error_message"],
    "ai_user_action": ["action_details_feedback_text"],
}


def _under_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _unavailable(reason: str) -> None:
    """Skip on a developer's machine; fail under CI, where the browser must be installed."""
    if _under_ci():
        pytest.fail(f"{reason} (CI is set, so the browser tests must run)")
    pytest.skip(reason)


# ---------------------------------------------------------------- fixtures


@pytest.fixture(scope="module")
def dashboard(first_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The dashboard of the seed-7 build."""
    out = tmp_path_factory.mktemp("dashboard") / "ai_dashboard.html"
    return render_dashboard(first_build.database, out)


@pytest.fixture(scope="module")
def empty_database(first_build: Build, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every mart with its built columns and no row."""
    # The build is still open in this process (dbt ran in-process), so its columns
    # are read through a connection of its own rather than an ATTACH.
    with duckdb.connect(str(first_build.database)) as built:
        columns = {mart: built.execute(f'describe main."{mart}"').fetchall() for mart in MARTS}
    database = tmp_path_factory.mktemp("empty_marts") / "empty.duckdb"
    with duckdb.connect(str(database)) as connection:
        for mart, described in columns.items():
            definition = ", ".join(f'"{name}" {kind}' for name, kind, *_ in described)
            connection.execute(f'create table main."{mart}" ({definition})')
    return database


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright."""
    if not CHROMIUM.exists():
        _unavailable(
            f"{CHROMIUM} not found: install Debian's chromium "
            "(apt-get install -y chromium chromium-driver)"
        )
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("the playwright package is not installed (pip install playwright)")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@dataclass
class OpenedPage:
    """A page loaded from file, with everything it complained about."""

    page: Any
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    outside_requests: list[str] = field(default_factory=list)


@pytest.fixture
def open_page(browser: Any) -> Iterator[Any]:
    """Open an HTML file in a fresh context that refuses any request off the file."""
    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    contexts = []

    def open_file(path: Path) -> OpenedPage:
        context = browser.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(context)
        page = context.new_page()
        opened = OpenedPage(page)
        page.on(
            "console",
            lambda message: (
                opened.console_errors.append(message.text) if message.type == "error" else None
            ),
        )
        page.on("pageerror", lambda error: opened.page_errors.append(str(error)))

        def route(request_route: Any) -> None:
            url = request_route.request.url
            if url.startswith(("file:", "data:", "blob:", "about:")):
                request_route.continue_()
            else:
                opened.outside_requests.append(url)
                request_route.abort()

        page.route("**/*", route)
        page.goto(path.resolve().as_uri(), wait_until="load")
        try:
            page.wait_for_function(
                "() => [...document.querySelectorAll('.chart')]"
                ".every(chart => chart.querySelector('.main-svg'))",
                timeout=15_000,
            )
        except PlaywrightTimeoutError:
            pytest.fail(
                "charts not drawn within 15 s; "
                f"console errors: {opened.console_errors}, page errors: {opened.page_errors}, "
                f"requests off the file: {opened.outside_requests}"
            )
        return opened

    yield open_file
    for context in contexts:
        context.close()


def _panels(page: Any) -> list[dict[str, Any]]:
    """What each panel of the page shows, read in the browser."""
    return page.evaluate(
        """() => [...document.querySelectorAll('section.panel')].map(panel => {
            const chart = panel.querySelector('.chart');
            const svgs = [...panel.querySelectorAll('svg.main-svg')];
            const box = chart ? chart.getBoundingClientRect() : {width: 0, height: 0};
            return {
                key: panel.dataset.panel,
                title: panel.querySelector('h2').textContent,
                noData: panel.querySelector('.no-data')?.textContent ?? null,
                svgChildren: svgs.reduce((sum, svg) => sum + svg.querySelectorAll('*').length, 0),
                canvases: panel.querySelectorAll('canvas').length,
                traces: chart && chart._fullData ? chart._fullData.length : 0,
                points: chart && chart.data ? chart.data.reduce((sum, trace) =>
                    sum + ['x', 'y', 'z', 'value', 'values'].reduce((n, key) =>
                        n + (Array.isArray(trace[key]) ? trace[key].length
                            : trace[key] != null ? 1 : 0), 0)
                    + (trace.link && trace.link.value ? trace.link.value.length : 0), 0) : 0,
                width: box.width,
                height: box.height,
            };
        })"""
    )


def _screenshot(page: Any, name: str, capsys: pytest.CaptureFixture[str]) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / name
    page.screenshot(path=str(path), full_page=True)
    with capsys.disabled():
        print(f"\nscreenshot: {path}")
    return path


# ---------------------------------------------------------------- in the browser


def test_every_chart_renders_without_console_errors(
    dashboard: Path, first_build: Build, open_page: Any, capsys: pytest.CaptureFixture[str]
) -> None:
    opened = open_page(dashboard)
    screenshot = _screenshot(opened.page, "dashboard.png", capsys)

    assert opened.console_errors == []
    assert opened.page_errors == []
    assert opened.outside_requests == [], "the page must work offline"
    panels = _panels(opened.page)
    assert [panel["key"] for panel in panels] == PANEL_KEYS
    for panel in panels:
        assert panel["noData"] is None, panel
        assert panel["svgChildren"] > 0 or panel["canvases"] > 0, panel
        assert panel["traces"] > 0 and panel["points"] > 0, panel
        assert panel["width"] > 200 and panel["height"] > 200, panel
    assert screenshot.stat().st_size > 50_000

    latest = first_build.marts["ai_engagement_daily"]["date_day"].max()
    assert panels[0]["title"].startswith(f"Active conversations on {latest:%Y-%m-%d}")
    header = opened.page.inner_text("header")
    first = first_build.marts["ai_engagement_daily"]["date_day"].min()
    assert f"{first:%Y-%m-%d} to {latest:%Y-%m-%d}" in header
    assert str(first_build.database.resolve()) in header


def test_empty_marts_show_a_note_in_every_panel(
    empty_database: Path,
    tmp_path: Path,
    open_page: Any,
    capsys: pytest.CaptureFixture[str],
) -> None:
    page_path = render_dashboard(empty_database, tmp_path / "empty.html")
    opened = open_page(page_path)
    _screenshot(opened.page, "dashboard-empty.png", capsys)

    assert opened.console_errors == []
    assert opened.page_errors == []
    panels = _panels(opened.page)
    assert [panel["key"] for panel in panels] == PANEL_KEYS
    assert all(panel["noData"] == "No data in the marts yet." for panel in panels), panels
    assert "no activity in the marts" in opened.page.inner_text("header")


# ---------------------------------------------------------------- without a browser


def test_output_is_deterministic(first_build: Build, dashboard: Path, tmp_path: Path) -> None:
    again = render_dashboard(first_build.database, tmp_path / "again.html")
    assert again.read_bytes() == dashboard.read_bytes()


def test_page_is_self_contained_and_holds_no_raw_text(first_build: Build, dashboard: Path) -> None:
    page = dashboard.read_text(encoding="utf-8")
    plotlyjs = get_plotlyjs()
    assert page.count(plotlyjs) == 1, "plotly.js must be inlined exactly once"
    rest = page.replace(plotlyjs, "")
    assert not re.search(r"<(script|link|img|iframe)\b[^>]*\b(src|href)=", rest)
    assert len(re.findall(r"Plotly\.newPlot\(", rest)) == len(PANEL_KEYS)

    texts = {
        str(value)
        for table, columns in RAW_TEXT_COLUMNS.items()
        for column in columns
        for value in first_build.raw[table][column].dropna().unique()
        if len(str(value)) >= 16
    }
    assert len(texts) > 1_000
    leaked = sorted(text for text in texts if text in rest)
    assert leaked == [], leaked[:5]


def test_empty_marts_render_a_note_per_panel(empty_database: Path, tmp_path: Path) -> None:
    page = render_dashboard(empty_database, tmp_path / "empty.html").read_text(encoding="utf-8")
    assert page.count('<p class="no-data">No data in the marts yet.</p>') == len(PANELS)
    assert "Plotly.newPlot(" not in page.replace(get_plotlyjs(), "")


def test_missing_marts_and_schema_render_a_note_per_panel(tmp_path: Path) -> None:
    database = tmp_path / "nothing.duckdb"
    duckdb.connect(str(database)).close()
    page = render_dashboard(database, tmp_path / "nothing.html", schema="analytics")
    notes = re.findall(r'<p class="no-data">(.*?)</p>', page.read_text(encoding="utf-8"))
    assert len(notes) == len(PANELS)
    assert all("not found in schema analytics" in note for note in notes), notes


def test_cli_writes_the_page_and_prints_its_path(
    first_build: Build, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    parser = argparse.ArgumentParser(prog="ai-analytics")
    register(parser.add_subparsers(dest="command", required=True))
    out = tmp_path / "sub" / "cli.html"

    args = parser.parse_args(
        ["dashboard", "--database", str(first_build.database), "--out", str(out)]
    )
    assert args.run(args) == 0
    assert capsys.readouterr().out.strip() == str(out)
    assert out.stat().st_size > 1_000_000

    defaults = parser.parse_args(["dashboard", "--database", "x.duckdb"])
    assert (defaults.out, defaults.schema) == (DEFAULT_OUT, "main")
    missing = parser.parse_args(["dashboard", "--database", str(tmp_path / "none.duckdb")])
    assert missing.run(missing) == 1
    assert "no database" in capsys.readouterr().out
