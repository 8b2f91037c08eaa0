"""Notebook 09's hint widget in a real front end: JupyterLab, driven by headless Chromium.

Like tests/test_browser.py (whose server and browser helpers it reuses): starts JupyterLab
on loopback, opens notebook 09 in Debian's Chromium through Playwright, runs all cells,
then does what a reader does with the widget: picks a color, clicks a flat spot of the gray
image, and checks that the result's color there moves toward the picked color, that the
status line counts the hint, and that no widget shows an error. Undo must bring the
automatic colors back.

Fixture mode by default (the notebook trains its tiny run itself); with
COLORGAN_BROWSER_RUNS=runs it opens the real run instead, and with
COLORGAN_UPDATE_SCREENSHOTS=1 the widget's screenshot is copied to docs/hints-widget.png,
the README's picture. Screenshots land in tests/browser/artifacts/hints/.
"""

from __future__ import annotations

import json
import os
import shutil
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest
from test_browser import (  # noqa: F401  (page and browser_requirements are fixtures)
    ERROR_OUTPUT,
    _assert_no_widget_errors,
    _click_run_all,
    browser_requirements,
    page,
    serve_jupyterlab,
)

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "notebooks" / "09_hints.ipynb"
ARTIFACTS = Path(__file__).resolve().parent / "browser" / "artifacts" / "hints"
DOCS_SCREENSHOT = REPO / "docs" / "hints-widget.png"
# Seconds: fixture mode runs the notebook in about a minute; the real run takes a few.
RUN_ALL_TIMEOUT = 900 if os.environ.get("COLORGAN_BROWSER_RUNS") else 300
WIDGET_UPDATE_TIMEOUT = 60
CHOSEN_COLOR = "#1fb83a"  # a green: far from the cartoons' usual reds, browns and skin tones

WIDGET = ".colorgan-hint-widget"
INPUT_IMAGE = "img.colorgan-hint-input"
OUTPUT_IMAGE = "img.colorgan-hint-output"
STATUS = ".colorgan-hint-status"

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def artifacts() -> Path:
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


@pytest.fixture(scope="module")
def lab(browser_requirements, artifacts, tmp_path_factory):  # noqa: F811
    """JupyterLab serving a copy of notebook 09 (fixture mode unless COLORGAN_BROWSER_RUNS)."""
    from colorhelpers.tutorial import FIXTURE_ENV, RUNS_ENV

    real_runs = os.environ.get("COLORGAN_BROWSER_RUNS")
    if real_runs:
        env = {RUNS_ENV: str(Path(real_runs).resolve()), FIXTURE_ENV: ""}
    else:
        env = {RUNS_ENV: str(tmp_path_factory.mktemp("hint_runs")), FIXTURE_ENV: "1"}
    home = tmp_path_factory.mktemp("jupyterlab_hints")
    with serve_jupyterlab(NOTEBOOK, home, env, artifacts / "jupyterlab.log") as lab:
        yield lab


def _kernel_idle(base: str, token: str) -> tuple[str, str] | None:
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=10) as reply:
        sessions = [s for s in json.loads(reply.read()) if s.get("path", "").endswith(NOTEBOOK.name)]
    if len(sessions) != 1 or not sessions[0].get("kernel"):
        return None
    return sessions[0]["kernel"]["id"], sessions[0]["kernel"].get("execution_state", "")


def _run_all(page, base: str, token: str) -> None:  # noqa: F811
    """Wait for an idle kernel (twice in a row), Run All, wait for every cell's [n]."""
    deadline, previous = time.monotonic() + 90, None
    while time.monotonic() < deadline:
        state = _kernel_idle(base, token)
        if state and state[1] == "idle":
            if state == previous:
                break
            previous = state
        time.sleep(1)
    else:
        pytest.fail("the kernel of notebook 09 did not become idle")
    _click_run_all(page)
    page.wait_for_function(
        """([errorSelector]) => {
            const errors = [...document.querySelectorAll(errorSelector)].map(e => e.innerText).join();
            if (errors.includes('Traceback') || errors.includes('Error')) return true;
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
            const idle = document.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']");
            return idle && prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        arg=[ERROR_OUTPUT], timeout=RUN_ALL_TIMEOUT * 1000, polling=1000,
    )


def _pixels(page, selector: str) -> np.ndarray:  # noqa: F811
    """The displayed image's own pixels (uint8 RGB), read back through a canvas."""
    data = page.evaluate(
        """(selector) => {
            const img = document.querySelector(selector);
            const canvas = document.createElement('canvas');
            canvas.width = img.naturalWidth; canvas.height = img.naturalHeight;
            const context = canvas.getContext('2d');
            context.drawImage(img, 0, 0);
            return [img.naturalWidth, img.naturalHeight,
                    Array.from(context.getImageData(0, 0, img.naturalWidth, img.naturalHeight).data)];
        }""",
        selector,
    )
    width, height, values = data
    return np.array(values, np.uint8).reshape(height, width, 4)[..., :3]


def _flat_spot(gray: np.ndarray) -> tuple[int, int]:
    """A pixel inside the flattest mid-light region (not a line, not the white background),
    nearest the middle among the flattest: anime pictures at the fixture's size have few
    perfectly flat patches, so the flattest tenth of the candidates is taken."""
    from scipy import ndimage

    g = gray.astype(float).mean(-1)
    spread = ndimage.maximum_filter(g, size=5) - ndimage.minimum_filter(g, size=5)
    ok = (g > 60) & (g < 235)
    ok[:4], ok[-4:], ok[:, :4], ok[:, -4:] = False, False, False, False
    assert ok.any(), "no mid-light pixel to click in the gray input"
    ok &= spread <= np.quantile(spread[ok], 0.1)
    ys, xs = np.nonzero(ok)
    h, w = g.shape
    best = np.argmin((ys - h / 2) ** 2 + (xs - w / 2) ** 2)
    return int(xs[best]), int(ys[best])


def _ab_distance(rgb: np.ndarray, target: str) -> float:
    from skimage.color import rgb2lab

    chosen = np.array([int(target[i:i + 2], 16) for i in (1, 3, 5)], float)[None, None] / 255
    return float(np.linalg.norm(rgb2lab(rgb[None, None] / 255)[0, 0, 1:] - rgb2lab(chosen)[0, 0, 1:]))


def _wait_for_new_output(page, old_src: str) -> None:  # noqa: F811
    page.wait_for_function(
        """([selector, old]) => {
            const img = document.querySelector(selector);
            return img && img.complete && img.naturalWidth > 0 && img.src !== old;
        }""",
        arg=[OUTPUT_IMAGE, old_src], timeout=WIDGET_UPDATE_TIMEOUT * 1000,
    )


def test_hint_widget_click_moves_color_toward_the_chosen_one(lab, page, artifacts):  # noqa: F811
    base, token = lab
    try:
        page.goto(f"{base}/lab/tree/{NOTEBOOK.name}?token={token}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-CodeCell", timeout=60_000)
        _run_all(page, base, token)
        _assert_no_widget_errors(page)
        widget = page.locator(WIDGET)
        assert widget.count() == 1, "notebook 09 should show one hint widget"
        widget.scroll_into_view_if_needed()
        page.locator(INPUT_IMAGE).wait_for(state="visible", timeout=WIDGET_UPDATE_TIMEOUT * 1000)
        widget.screenshot(path=str(artifacts / "hints-before.png"))
        assert "0 hint(s)" in page.locator(STATUS).inner_text()

        before = _pixels(page, OUTPUT_IMAGE)
        x, y = _flat_spot(_pixels(page, INPUT_IMAGE))
        near = (slice(max(0, y - 1), y + 2), slice(max(0, x - 1), x + 2))
        distance_before = _ab_distance(before[near].reshape(-1, 3).mean(0), CHOSEN_COLOR)

        # The color picker, as a reader uses it: type the color into its text box.
        text = page.locator(".colorgan-hint-color input[type=text]")
        text.fill(CHOSEN_COLOR)
        text.press("Enter")
        old_src = page.locator(OUTPUT_IMAGE).get_attribute("src")
        image = page.locator(INPUT_IMAGE)
        box = image.bounding_box()
        scale = box["width"] / before.shape[1]
        image.click(position={"x": (x + 0.5) * scale, "y": (y + 0.5) * scale})
        _wait_for_new_output(page, old_src)
        page.wait_for_function("(s) => document.querySelector(s).innerText.includes('1 hint(s)')", arg=STATUS)

        after = _pixels(page, OUTPUT_IMAGE)
        distance_after = _ab_distance(after[near].reshape(-1, 3).mean(0), CHOSEN_COLOR)
        assert distance_after < 0.5 * distance_before, (
            f"the color at the click ({x}, {y}) did not move toward {CHOSEN_COLOR}: "
            f"ab distance {distance_before:.1f} before, {distance_after:.1f} after")
        _assert_no_widget_errors(page)
        widget.screenshot(path=str(artifacts / "hints-widget.png"))
        if os.environ.get("COLORGAN_UPDATE_SCREENSHOTS"):
            DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
            shutil.copy(artifacts / "hints-widget.png", DOCS_SCREENSHOT)

        # Undo brings the automatic colors back.
        old_src = page.locator(OUTPUT_IMAGE).get_attribute("src")
        page.get_by_role("button", name="Undo").click()
        _wait_for_new_output(page, old_src)
        assert np.abs(_pixels(page, OUTPUT_IMAGE).astype(int) - before).max() <= 1
        _assert_no_widget_errors(page)
    except BaseException:
        page.screenshot(path=str(artifacts / "failure.png"), full_page=True)
        (artifacts / "failure.html").write_text(page.content())
        (artifacts / "console.log").write_text("\n".join(page.errors))
        raise
