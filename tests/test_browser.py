"""Notebook 05's widgets in a real front end: JupyterLab, driven by headless Chromium.

A kernel-only test cannot see the commonest widget failure: a version mismatch between
ipywidgets (in the kernel) and JupyterLab's widget manager (in the page) renders every
widget as "Error displaying widget". So this test does what a reader does: it trains the
tiny fixture run, starts JupyterLab on loopback, opens notebook 05 in Debian's Chromium
through Playwright, runs all cells, moves the epoch slider and the image selector, and
checks that the picture changes and that no widget shows an error.

Needs /usr/bin/chromium (Debian's `chromium` package), `playwright` (the Python package;
its own browser download is not used) and `jupyterlab`. Without them the test is skipped,
unless the CI environment variable is set: there it fails, so CI cannot pass by skipping.

Screenshots land in tests/browser/artifacts/. With COLORGAN_UPDATE_SCREENSHOTS=1 the
widget screenshot is also copied to docs/widgets-epoch-slider.png, the README's picture.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
NOTEBOOK = REPO / "notebooks" / "05_evaluation.ipynb"
ARTIFACTS = Path(__file__).resolve().parent / "browser" / "artifacts"
DOCS_SCREENSHOT = REPO / "docs" / "widgets-epoch-slider.png"
CHROMIUM = Path(os.environ.get("COLORGAN_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--no-sandbox",  # CI containers run as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Seconds. Generous for a loaded 2-core machine, but bounded: the test takes about a minute.
SERVER_START_TIMEOUT = 90
RUN_ALL_TIMEOUT = 180
WIDGET_UPDATE_TIMEOUT = 60

# JupyterLab user settings for the test server: no news or update pop-ups over the
# widgets, no autosave into the copied notebook, and every cell kept in the DOM.
LAB_SETTINGS = {
    "@jupyterlab/apputils-extension/notification.jupyterlab-settings": {
        "fetchNews": "false",
        "checkForUpdates": False,
    },
    "@jupyterlab/docmanager-extension/plugin.jupyterlab-settings": {"autosave": False},
    "@jupyterlab/notebook-extension/tracker.jupyterlab-settings": {"windowingMode": "none"},
}

# The DOM of JupyterLab 4 with @jupyter-widgets/jupyterlab-manager 5 (ipywidgets 8).
INTERACT = ".jp-NotebookPanel .widget-interact"
SLIDER_HANDLE = ".widget-slider .noUi-handle"
SLIDER_READOUT = ".widget-slider .widget-readout"
DROPDOWN = ".widget-dropdown select"
OUTPUT_IMAGE = ".widget-output .jp-RenderedImage img"
ERROR_OUTPUT = (
    ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.stderr'],"
    ".jp-OutputArea-output[data-mime-type='application/vnd.jupyter.error']"
)

pytestmark = pytest.mark.browser


def _in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _missing_requirements() -> list[str]:
    missing = []
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        missing.append(f"{CHROMIUM} (apt-get install chromium)")
    for module, package in (("playwright", "playwright"), ("jupyterlab", "jupyterlab")):
        if importlib.util.find_spec(module) is None:
            missing.append(f"the Python package {package}")
    return missing


@pytest.fixture(scope="module")
def browser_requirements() -> None:
    """Skip when the browser stack is absent, except in CI, where that is a failure."""
    missing = _missing_requirements()
    if missing:
        message = "the browser test needs " + ", ".join(missing)
        if _in_ci():
            pytest.fail(f"{message}; CI is set, so this fails instead of skipping (.ci/run installs them)")
        pytest.skip(message)


@pytest.fixture(scope="module")
def notebook_env(browser_requirements, tmp_path_factory) -> dict[str, str]:
    """Environment for the kernel: fixture mode, with the fixture run (2 epochs at 32 px) trained.

    COLORGAN_BROWSER_RUNS=<runs folder> instead opens notebook 05 on a real run there, as
    notebook 04 writes it (runs/anime-<data hash>/notebooks-<recipe hash>): nothing is
    trained, and the screenshots look like what a reader sees.
    """
    from colorhelpers.tutorial import FIXTURE_ENV, RUNS_ENV, tutorial_settings

    real_runs = os.environ.get("COLORGAN_BROWSER_RUNS")
    if real_runs:
        return {RUNS_ENV: str(Path(real_runs).resolve()), FIXTURE_ENV: ""}

    from colorhelpers.data import find_images
    from colorhelpers.training import train

    runs = tmp_path_factory.mktemp("browser_runs")
    env = {FIXTURE_ENV: "1", RUNS_ENV: str(runs)}
    with pytest.MonkeyPatch.context() as patch:
        for name, value in env.items():
            patch.setenv(name, value)
        settings = tutorial_settings()
    train(find_images(settings.train_dir), find_images(settings.heldout_dir), settings.run_dir,
          settings.config, verbose=0)
    return env


@pytest.fixture(scope="module")
def artifacts() -> Path:
    """tests/browser/artifacts, emptied: screenshots, the server's log, failure dumps."""
    shutil.rmtree(ARTIFACTS, ignore_errors=True)
    ARTIFACTS.mkdir(parents=True)
    return ARTIFACTS


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _children(pid: int) -> list[int]:
    """Process ids whose parent is `pid` (the server's kernels), read from /proc."""
    found = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            found.append(int(stat.parent.name))
    return found


def _stop_server(server: subprocess.Popen) -> None:
    """SIGTERM makes Jupyter shut its kernels down; anything left is then killed by id."""
    if server.poll() is not None:
        return
    kernels = _children(server.pid)
    server.send_signal(signal.SIGTERM)
    try:
        server.wait(timeout=30)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=10)
    for pid in kernels:
        try:
            os.kill(pid, signal.SIGKILL)
        except (ProcessLookupError, PermissionError):
            pass


@contextlib.contextmanager
def serve_jupyterlab(notebook: Path, home: Path, notebook_env: dict[str, str],
                     log_path: Path) -> Iterator[tuple[str, str]]:
    """JupyterLab on loopback serving a copy of `notebook` from `home`; yields (base URL, token)."""
    notebooks = home / "notebooks"
    notebooks.mkdir()
    shutil.copy(notebook, notebooks / notebook.name)  # Lab may write to it; keep the repo clean
    settings_dir = home / "user-settings"
    for name, value in LAB_SETTINGS.items():
        path = settings_dir / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(value))
    for folder in ("config", "data", "runtime", "workspaces", "ipython"):
        (home / folder).mkdir()

    env = dict(os.environ)
    env.pop("MPLBACKEND", None)  # `make test` sets Agg; the kernel must use the inline backend
    env.update(notebook_env)
    env.update(
        TF_CPP_MIN_LOG_LEVEL="3",
        # Keep the user's own Jupyter and IPython configuration out of the test.
        JUPYTER_CONFIG_DIR=str(home / "config"),
        JUPYTER_DATA_DIR=str(home / "data"),
        JUPYTER_RUNTIME_DIR=str(home / "runtime"),
        IPYTHONDIR=str(home / "ipython"),
    )
    token = secrets.token_hex(16)
    command = [
        sys.executable, "-m", "jupyterlab",
        "--no-browser", "--allow-root",
        "--ServerApp.ip=127.0.0.1",
        f"--ServerApp.port={_free_port()}",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={notebooks}",
        f"--LabApp.user_settings_dir={settings_dir}",
        f"--LabApp.workspaces_dir={home / 'workspaces'}",
        "--LabApp.news_url=None",
        "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
    ]
    with open(log_path, "wb") as log:
        server = subprocess.Popen(command, cwd=notebooks, env=env, stdout=log, stderr=subprocess.STDOUT,
                                  stdin=subprocess.DEVNULL)
    try:
        base = _wait_for_server(server, home / "runtime", token, log_path)
        yield base, token
    finally:
        _stop_server(server)


@pytest.fixture(scope="module")
def jupyterlab(notebook_env, artifacts, tmp_path_factory):
    """JupyterLab on loopback serving a copy of notebook 05; yields (base URL, token)."""
    home = tmp_path_factory.mktemp("jupyterlab")
    with serve_jupyterlab(NOTEBOOK, home, notebook_env, artifacts / "jupyterlab.log") as lab:
        yield lab


def _wait_for_server(server: subprocess.Popen, runtime: Path, token: str, log_path: Path) -> str:
    """The server's URL once it answers (read from its runtime file: the port may have moved)."""
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"JupyterLab exited with {server.returncode}:\n{log_path.read_text()[-3000:]}")
        for info in runtime.glob("jpserver-*.json"):
            try:
                port = json.loads(info.read_text())["port"]
                base = f"http://127.0.0.1:{port}"
                with urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=5) as reply:
                    if reply.status == 200:
                        return base
            except (OSError, ValueError, KeyError, urllib.error.URLError):
                pass
        time.sleep(0.5)
    pytest.fail(f"JupyterLab did not answer within {SERVER_START_TIMEOUT} s:\n{log_path.read_text()[-3000:]}")


@pytest.fixture(scope="module")
def page(browser_requirements):
    """A Chromium page (Debian's binary, headless); console errors collected on `page.errors`."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1280, "height": 1000}, device_scale_factor=1)
            context.set_default_timeout(30_000)
            tab = context.new_page()
            tab.errors = []
            tab.on("console", lambda m: tab.errors.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: tab.errors.append(f"page error: {e}"))
            yield tab
        finally:
            browser.close()


def _image_src(interact) -> str:
    image = interact.locator(OUTPUT_IMAGE)
    image.wait_for(state="visible", timeout=WIDGET_UPDATE_TIMEOUT * 1000)
    return image.get_attribute("src")


def _wait_for_new_image(page, index: int, old_src: str) -> str:
    """Wait until interact number `index` shows a decoded picture other than `old_src`."""
    page.wait_for_function(
        """([selector, index, image, old]) => {
            const box = document.querySelectorAll(selector)[index];
            const img = box && box.querySelector(image);
            return img && img.complete && img.naturalWidth > 0 && img.src !== old;
        }""",
        arg=[INTERACT, index, OUTPUT_IMAGE, old_src],
        timeout=WIDGET_UPDATE_TIMEOUT * 1000,
    )
    return page.locator(INTERACT).nth(index).locator(OUTPUT_IMAGE).get_attribute("src")


def _assert_no_widget_errors(page) -> None:
    text = page.evaluate("document.body.innerText")
    assert "Error displaying widget" not in text, "a widget failed to render in JupyterLab"
    errors = [e.inner_text() for e in page.locator(ERROR_OUTPUT).all()]
    tracebacks = [e for e in errors if "Traceback" in e or "Error" in e]
    assert not tracebacks, "the notebook printed an error:\n" + "\n".join(tracebacks)
    widget_console = [e for e in page.errors if "widget" in e.lower()]
    assert not widget_console, "widget errors in the browser console:\n" + "\n".join(widget_console)


def _notebook_kernel_state(base: str, token: str) -> tuple[str, str] | None:
    """(kernel id, execution state) of the notebook's one session, or None while there is not one."""
    with urllib.request.urlopen(f"{base}/api/sessions?token={token}", timeout=10) as reply:
        sessions = [s for s in json.loads(reply.read()) if s.get("path", "").endswith(NOTEBOOK.name)]
    if len(sessions) != 1 or not sessions[0].get("kernel"):
        return None
    kernel = sessions[0]["kernel"]
    return kernel["id"], kernel.get("execution_state", "")


def _wait_for_kernel(page, base: str, token: str) -> None:
    """Wait until the notebook's kernel has started and the page shows it idle.

    Run All sent while the kernel is still starting can be lost (JupyterLab may even
    replace a starting kernel), so wait for the same idle kernel on two polls in a row.
    """
    status = page.locator(".jp-StatusBar-TextItem[title^='Change kernel']")
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    previous = None
    while time.monotonic() < deadline:
        state = _notebook_kernel_state(base, token)
        shown = status.first.inner_text() if status.count() else ""
        if state and state[1] == "idle" and shown.endswith("Idle"):
            if state == previous:
                return
            previous = state
        else:
            previous = None
        time.sleep(1)
    pytest.fail(f"the kernel of {NOTEBOOK.name} did not become idle (last seen: {previous}, page: {shown!r})")


def _click_run_all(page) -> None:
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator("li.lm-Menu-item[data-command='runmenu:run-all']").click()


def _run_all_cells(page, base: str, token: str) -> None:
    """Run > Run All Cells, then wait until every code cell has an execution count."""
    _wait_for_kernel(page, base, token)
    started = "() => [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')]" \
              ".some(p => /\\[(\\*|\\d+)\\]/.test(p.textContent))"
    from playwright.sync_api import TimeoutError as PlaywrightTimeout

    for attempt in range(3):  # a Run All the kernel never saw: no prompt turns to [*] or [n]
        _click_run_all(page)
        try:
            page.wait_for_function(started, timeout=30_000)
            break
        except PlaywrightTimeout:
            if attempt == 2:
                raise
    # Done when every prompt shows [n] and the kernel is idle; stop early on an error
    # output, so that the assertions below report it instead of a timeout.
    page.wait_for_function(
        """([errorSelector]) => {
            if (document.querySelector(errorSelector)) {
                const text = [...document.querySelectorAll(errorSelector)].map(e => e.innerText).join();
                if (text.includes('Traceback') || text.includes('Error')) return true;
            }
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputArea-prompt')];
            const idle = document.querySelector(".jp-Notebook-ExecutionIndicator[data-status='idle']");
            return idle && prompts.length > 0 && prompts.every(p => /\\[\\d+\\]/.test(p.textContent));
        }""",
        arg=[ERROR_OUTPUT],
        timeout=RUN_ALL_TIMEOUT * 1000,
        polling=500,
    )


def test_notebook_05_widgets_in_jupyterlab(jupyterlab, page, artifacts):
    base, token = jupyterlab
    shots = artifacts
    started = time.monotonic()
    try:
        page.goto(f"{base}/lab/tree/{NOTEBOOK.name}?token={token}")
        page.wait_for_selector(".jp-NotebookPanel .jp-Notebook .jp-CodeCell", timeout=60_000)
        _run_all_cells(page, base, token)
        page.screenshot(path=str(shots / "lab-after-run-all.png"))
        _assert_no_widget_errors(page)

        interacts = page.locator(INTERACT)
        assert interacts.count() == 2, "notebook 05 should show two interact widgets (browse, compare)"
        browse = interacts.nth(0)
        browse.scroll_into_view_if_needed()
        src_start = _image_src(browse)
        readout = browse.locator(SLIDER_READOUT).first
        epoch_start = readout.inner_text()
        browse.screenshot(path=str(shots / "widgets-before.png"))

        # The epoch slider, by keyboard as a reader would: focus its handle, go to the first epoch.
        handle = browse.locator(SLIDER_HANDLE).first
        handle.focus()
        handle.press("Home")
        page.wait_for_function(
            "([el, old]) => el.innerText.trim() !== old", arg=[readout.element_handle(), epoch_start]
        )
        src_epoch = _wait_for_new_image(page, 0, src_start)
        assert readout.inner_text() != epoch_start
        browse.screenshot(path=str(shots / "widgets-after-epoch.png"))

        # The image selector.
        dropdown = browse.locator(DROPDOWN)
        first_choice = dropdown.input_value()
        dropdown.select_option(index=1)
        assert dropdown.input_value() != first_choice
        src_image = _wait_for_new_image(page, 0, src_epoch)
        assert len({src_start, src_epoch, src_image}) == 3
        browse.screenshot(path=str(shots / "widgets-after-image.png"))

        # The side-by-side comparison: move epoch A to the last epoch.
        compare = interacts.nth(1)
        compare.scroll_into_view_if_needed()
        src_compare = _image_src(compare)
        handle_a = compare.locator(SLIDER_HANDLE).first
        handle_a.focus()
        handle_a.press("End")
        _wait_for_new_image(page, 1, src_compare)
        compare.screenshot(path=str(shots / "compare-after-epoch.png"))

        # Back to the last epoch (cached by EpochBrowser): the README's picture.
        browse.scroll_into_view_if_needed()
        handle.focus()
        handle.press("End")
        _wait_for_new_image(page, 0, src_image)
        assert readout.inner_text() == epoch_start
        _assert_no_widget_errors(page)
        browse.screenshot(path=str(shots / "widgets-epoch-slider.png"))
        if os.environ.get("COLORGAN_UPDATE_SCREENSHOTS"):
            DOCS_SCREENSHOT.parent.mkdir(exist_ok=True)
            shutil.copy(shots / "widgets-epoch-slider.png", DOCS_SCREENSHOT)
    except BaseException:
        page.screenshot(path=str(shots / "failure.png"), full_page=True)
        (shots / "failure.html").write_text(page.content())
        (shots / "console.log").write_text("\n".join(page.errors))
        raise
    print(f"browser test: {time.monotonic() - started:.0f} s in the browser; screenshots in {shots}")
