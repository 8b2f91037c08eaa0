"""What each control of the web app does, a few lines each over `Session` (README, "In the browser").

Every handler takes the tab's session (None before a picture is opened) and returns a `View`:
the session to keep and what the page shows. Refused input (a file that is not a picture, a
hints file that does not fit) becomes one line in the page, and the session stays as it was;
an unexpected failure is logged with its traceback on the server and shown as one line too,
so the app keeps serving. Nothing here needs a browser: tests/test_app.py calls them directly.
"""

from __future__ import annotations

import functools
import html
import logging
from pathlib import Path
from typing import NamedTuple

import numpy as np

from colorhelpers.app.session import Session
from colorhelpers.app.uploads import check_hints, check_picture
from colorhelpers.data.files import DataError
from colorhelpers.lineart.kind import Models

log = logging.getLogger("colorgan.app")
#: Where the page says how the last action went; `ERROR_CLASS` marks a refusal.
ERROR_CLASS = "colorgan-error"


class View(NamedTuple):
    """What a handler hands back: the session, the marked gray picture, the result (a PNG
    path), the placed colors (HTML), the status line (HTML), the two downloads, and the
    input and result for the before/after slider."""

    session: Session | None
    marked: np.ndarray | None
    result: str | None
    swatches: str
    status: str
    png: str | None
    hints: str | None
    compare: tuple | None


#: A part of the view that stays as the page shows it (the UI sends Gradio's "skip" for it).
KEEP = object()


def show(session: Session, message: str = "") -> View:
    """Color the session's picture and show it with its hints and downloads."""
    result = session.result()
    png, hints = session.write_downloads(result)
    count = len(session.points) + len(session.scribble)
    status = html.escape(f"{session.describe()}; {count} hint pixel(s). {message}".strip())
    return View(session, session.marked(), str(png), swatches(session.points), status, str(png), str(hints),
                (session.rgb, str(png)))


def error_line(message: str) -> str:
    """A refusal as the page's status line shows it (HTML, marked `ERROR_CLASS`)."""
    return f'<span class="{ERROR_CLASS}">{html.escape(message)}</span>'


def refused(message: str) -> View:
    """Everything unchanged but the status line, which says what was refused."""
    return View(KEEP, KEEP, KEEP, KEEP, error_line(message), KEEP, KEEP, KEEP)


def swatches(points: list[dict]) -> str:
    """The colors placed so far, each as a swatch with its hex value and pixel."""
    if not points:
        return "<p>No points yet: click the gray picture to place the chosen color.</p>"
    items = "".join(f'<li><span class="colorgan-swatch" style="background:{p["color"]}"></span>'
                    f' {p["color"]} at ({p["x"]}, {p["y"]})</li>' for p in points)
    return f'<ol class="colorgan-swatches">{items}</ol>'


def guarded_as(refuse):
    """A decorator: refusals (`DataError`, `ValueError`) become `refuse(line)`; anything else is
    logged with its traceback and becomes one line too (the app must keep serving)."""
    def guarded(handler):
        @functools.wraps(handler)
        def run(*args, **kwargs):
            try:
                return handler(*args, **kwargs)
            except (DataError, ValueError) as err:
                return refuse(str(err))
            except Exception as err:  # noqa: BLE001  (the log keeps the traceback)
                log.exception("%s failed", handler.__name__)
                return refuse(f"Something went wrong ({type(err).__name__}); "
                              "the server's log has the details.")
        return run
    return guarded


#: The still handlers' guard: a refusal changes only the status line.
guarded = guarded_as(refused)


def _needs(session: Session | None) -> Session:
    if session is None:
        raise DataError("Open a gray picture or line art first.")
    return session


@guarded
def open_picture(models: Models, parent: Path, session: Session | None, path: str | None,
                 kind: str, saturation: float) -> View:
    """A dropped file: checked, its kind chosen, colored automatically; the old session goes."""
    if path is None:
        raise DataError("No file was received.")
    picture = check_picture(path)
    new = Session.open(models, picture.name, picture.rgb, kind, saturation, parent)
    if session is not None:
        session.close()
    return show(new)


@guarded
def settings(models: Models, session: Session | None, kind: str, saturation: float) -> View:
    """The kind or the saturation changed: analyse the picture again."""
    return show(_needs(session).reopen(models, kind, saturation))


@guarded
def add_point(session: Session | None, x: int, y: int, color: str) -> View:
    session = _needs(session)
    session.add_point(x, y, color)
    return show(session)


@guarded
def undo(session: Session | None) -> View:
    session = _needs(session)
    session.undo()
    return show(session)


@guarded
def clear(session: Session | None) -> View:
    session = _needs(session)
    session.clear()
    return show(session)


@guarded
def scribble(session: Session | None, rgba: np.ndarray | None) -> View:
    session = _needs(session)
    session.set_scribble(rgba)
    return show(session)


@guarded
def reference(session: Session | None, path: str | None) -> View:
    """A reference picture (None: no reference); with no picture open it waits for the clip."""
    if session is None:
        name = "none" if path is None else check_picture(path).name
        return View(KEEP, KEEP, KEEP, KEEP, html.escape(f"Reference: {name}; it guides the clip too."),
                    KEEP, KEEP, KEEP)
    session.set_reference(None if path is None else check_picture(path).rgb)
    return show(session, "" if path is None else f"Reference: {Path(path).name}.")


@guarded
def load_hints(session: Session | None, path: str | None) -> View:
    """A hints JSON file (as downloaded, or as `--hints` reads) replaces the points."""
    session = _needs(session)
    if path is None:
        raise DataError("No hints file was received.")
    session.set_points(check_hints(path, *session.size))
    return show(session, f"Loaded {len(session.points)} point(s) from {Path(path).name}.")
