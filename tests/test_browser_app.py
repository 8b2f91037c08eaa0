"""The web app in a real browser: `python -m colorhelpers app` driven by headless Chromium.

What a new user does, in one app start: open the page, drop docs/sample-gray.png, see the
colored result, pick a color and click the picture, see that region change, download the PNG
and the hints JSON (checked as `colorize --hints` reads them), load the hints back, drop a
tiny GIF under Clip, color it while the progress bar says which frame it is on, download it
as a GIF, and drop a text file renamed .png, which the page refuses in one line while the app
keeps serving.

Uses the Chromium set-up of tests/test_browser.py (Debian's /usr/bin/chromium through
Playwright; skipped without it, except in CI, where that fails). The screenshot lands in
tests/browser/artifacts/app/; with COLORGAN_UPDATE_SCREENSHOTS=1 it also becomes docs/app.png,
the README's picture of the app.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from test_browser import _free_port, browser_requirements, page  # noqa: F401  (fixtures)

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "docs" / "sample-gray.png"
ARTIFACTS = Path(__file__).resolve().parent / "browser" / "artifacts" / "app"
DOCS_SCREENSHOT = REPO / "docs" / "app.png"
START_TIMEOUT = 120  # seconds: TensorFlow and both models load before the app listens
UPDATE_TIMEOUT = 60_000  # ms
HINT = {"x": 64, "y": 100, "color": "#3a6fd0"}  # a blue on the gray clothes of the sample

pytestmark = pytest.mark.browser


@contextlib.contextmanager
def serve_app(log_path: Path) -> Iterator[str]:
    """`python -m colorhelpers app` on a free loopback port; yields its URL."""
    port = _free_port()
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    with open(log_path, "wb") as log:
        server = subprocess.Popen([sys.executable, "-m", "colorhelpers", "app", "--port", str(port)],
                                  cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + START_TIMEOUT
        while True:
            if server.poll() is not None:
                pytest.fail(f"the app exited with {server.returncode}:\n{log_path.read_text()[-3000:]}")
            try:
                with urllib.request.urlopen(base, timeout=5) as reply:
                    if reply.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                log = log_path.read_text()[-3000:]
                pytest.fail(f"the app did not answer within {START_TIMEOUT} s:\n{log}")
            time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)


def _download(tab, selector: str, folder: Path) -> Path:
    with tab.expect_download() as info:
        tab.locator(selector).click()
    path = folder / info.value.suggested_filename
    info.value.save_as(path)
    return path


def _click_pixel(tab, x: int, y: int) -> None:
    """Click pixel (x, y) of the gray picture, wherever the page has scaled and placed it."""
    image = tab.locator("#gray img")
    box = image.bounding_box()
    natural = image.evaluate("img => [img.naturalWidth, img.naturalHeight]")
    scale = min(box["width"] / natural[0], box["height"] / natural[1])  # object-fit: contain
    left = (box["width"] - natural[0] * scale) / 2
    top = (box["height"] - natural[1] * scale) / 2
    image.click(position={"x": left + (x + 0.5) * scale, "y": top + (y + 0.5) * scale})


def _pick_color(tab, color: str) -> None:
    """Type `color` into Gradio's color picker and close it; wait until its swatch shows it."""
    tab.locator("#hint-color .dialog-button").click()
    field = tab.locator("#hint-color .color-picker input[type=text]")
    field.fill(color)
    field.press("Enter")
    tab.locator("#status").click()  # a click outside closes the picker
    rgb = tuple(int(color[i:i + 2], 16) for i in (1, 3, 5))
    tab.wait_for_function("rgb => document.querySelector('#hint-color .dialog-button').style.background"
                           " === `rgb(${rgb.join(', ')})`", arg=list(rgb), timeout=10_000)


def _blueness(path: Path, x: int, y: int, radius: int = 4) -> float:
    """Mean blue minus red over a small window around (x, y) of a PNG."""
    rgb = np.asarray(Image.open(path).convert("RGB"), np.float64)
    window = rgb[y - radius:y + radius + 1, x - radius:x + radius + 1]
    return float((window[..., 2] - window[..., 0]).mean())


def _tiny_gif(path: Path, frames: int = 24) -> Path:
    """A gray clip panning across the sample, 48x64."""
    gray = np.asarray(Image.open(SAMPLE).convert("RGB"))
    images = [Image.fromarray(gray[56:120, 30 + i:78 + i]) for i in range(frames)]
    images[0].save(path, save_all=True, append_images=images[1:], duration=80, loop=0)
    return path


def _color_a_clip(tab, folder: Path) -> None:
    """Drop a tiny GIF under Clip, color it, see the progress bar and download the result."""
    tab.get_by_text("Clip (GIF or MP4)").click()
    tab.locator("#clip-upload input[type=file]").set_input_files(str(_tiny_gif(folder / "walk.gif")))
    tab.wait_for_function("() => document.querySelector('#clip-status').innerText.includes('24 frames')",
                          timeout=UPDATE_TIMEOUT)
    # The bar is brief on a tiny clip: remember every text Gradio's progress bar shows.
    tab.evaluate("""() => { window.bar = new Set(); new MutationObserver(() => {
        for (const e of document.querySelectorAll('.progress-level, .progress-text'))
            window.bar.add(e.innerText); }).observe(document.body,
        {subtree: true, childList: true, characterData: true}); }""")
    tab.locator("#color-clip").click()
    tab.wait_for_function("() => document.querySelector('#clip-status').innerText"
                          ".includes('colored 24 frames')", timeout=UPDATE_TIMEOUT)
    seen = " ".join(tab.evaluate("[...window.bar]"))
    assert "coloring frame" in seen, f"no progress bar while the clip was colored: {seen!r}"
    colored = Image.open(_download(tab, "#download-clip", folder / "clip"))
    assert colored.format == "GIF" and colored.n_frames == 24 and colored.size == (48, 64)


def test_the_app_colors_takes_a_hint_downloads_and_refuses_a_fake_picture(
        browser_requirements, page, tmp_path):  # noqa: F811
    from colorhelpers.hints.points import read_hints

    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    with serve_app(ARTIFACTS / "app.log") as base:
        try:
            page.goto(base)
            page.locator("#upload input[type=file]").set_input_files(str(SAMPLE))
            page.wait_for_function("() => document.querySelector('#status').innerText.includes('colored as')",
                                   timeout=UPDATE_TIMEOUT)
            assert "a gray picture" in page.locator("#status").inner_text()  # auto-detect says what it chose
            page.locator("#result img").wait_for(state="visible", timeout=UPDATE_TIMEOUT)
            before = _download(page, "#download-png", tmp_path / "before")
            automatic = np.asarray(Image.open(before).convert("RGB"), np.int16)
            assert automatic.shape[:2] == (128, 128)
            assert (automatic.max(-1) - automatic.min(-1)).mean() > 3, "the automatic result is still gray"

            _pick_color(page, HINT["color"])
            old = page.locator("#result img").get_attribute("src")
            _click_pixel(page, HINT["x"], HINT["y"])
            page.wait_for_function("c => document.querySelector('#swatches').innerText.includes(c)",
                                   arg=HINT["color"], timeout=UPDATE_TIMEOUT)
            page.wait_for_function("old => document.querySelector('#result img').src !== old", arg=old,
                                   timeout=UPDATE_TIMEOUT)
            after = _download(page, "#download-png", tmp_path / "after")
            gain = _blueness(after, HINT["x"], HINT["y"]) - _blueness(before, HINT["x"], HINT["y"])
            assert gain > 15, f"the clicked region turned only {gain:.1f} bluer"

            hints_file = _download(page, "#download-hints", tmp_path / "hints")
            points = json.loads(hints_file.read_text())
            assert len(points) == 1 and points[0]["color"] == HINT["color"], points
            assert abs(points[0]["x"] - HINT["x"]) <= 1 and abs(points[0]["y"] - HINT["y"]) <= 1, points
            assert len(read_hints(hints_file, 128, 128)) == 1  # what colorize --hints reads

            page.locator("#clear").click()
            page.wait_for_function("() => !document.querySelector('#swatches').innerText.includes('#')",
                                   timeout=UPDATE_TIMEOUT)
            with page.expect_file_chooser() as chooser:
                page.locator("#load-hints").click()
            chooser.value.set_files(str(hints_file))
            page.wait_for_function("() => document.querySelector('#status').innerText"
                                   ".includes('Loaded 1 point')", timeout=UPDATE_TIMEOUT)
            page.screenshot(path=str(ARTIFACTS / "app.png"))
            _color_a_clip(page, tmp_path)

            fake = tmp_path / "notes.png"
            fake.write_text("these are notes, not a picture\n")
            page.locator("#upload input[type=file]").set_input_files(str(fake))
            error = page.locator("#status .colorgan-error")
            error.wait_for(timeout=UPDATE_TIMEOUT)
            assert "notes.png: not a picture" in error.inner_text()
            assert "Traceback" not in page.evaluate("document.body.innerText")
            with urllib.request.urlopen(base, timeout=10) as reply:
                assert reply.status == 200, "the app stopped serving after the refused upload"
        except Exception:
            page.screenshot(path=str(ARTIFACTS / "failure.png"))
            raise
    if os.environ.get("COLORGAN_UPDATE_SCREENSHOTS") == "1":
        shutil.copy(ARTIFACTS / "app.png", DOCS_SCREENSHOT)
