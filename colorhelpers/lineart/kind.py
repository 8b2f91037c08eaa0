"""Which model colors an input: gray renders keep their lightness, line art gets it predicted.

Taught in notebooks/11_line_art. `colorize --kind gray|lineart|auto` comes here: `Models` loads
the model of each kind once (the shipped ones, or a named run, whose config says its kind), and
`choose_kind` says which an input is, detecting line art from its histogram for `auto`
(`colorhelpers.data.lines.looks_like_line_art`), and a manga page by its panels or screentone
(`colorhelpers.pages.page_signs`, notebooks/12_pages_and_palettes), and saying why, so the
user can overrule it. A page is colored by the gray model, panel by panel.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from colorhelpers.colorize.media import is_clip, probe
from colorhelpers.colorize.road import Colorizer, clip_frames, read_still
from colorhelpers.data.files import DataError
from colorhelpers.data.lines import looks_like_line_art
from colorhelpers.evaluation.trained import load_generator, open_run, shipped_run
from colorhelpers.pages.page import page_signs

#: The kinds the web app offers.
KIND_CHOICES = ("gray", "lineart", "auto")
#: What `colorize --kind` accepts: pages too (the web app colors single pictures).
CLI_KINDS = ("gray", "lineart", "manga", "auto")
#: How the tool names each kind to the user.
KIND_NAMES = {"gray": "a gray picture", "lineart": "line art", "manga": "a manga page"}
#: The model each kind is colored with.
MODEL_OF = {"gray": "gray", "lineart": "lineart", "manga": "gray"}


def choose_kind(rgb: np.ndarray | None, kind: str, pages: bool = False) -> tuple[str, str]:
    """("gray", "lineart" or, with `pages`, "manga", why) for a uint8 RGB image (a clip's first
    frame) and `--kind`; the image is only looked at for "auto"."""
    choices = CLI_KINDS if pages else KIND_CHOICES
    if kind not in choices:
        raise DataError(f"--kind must be one of {', '.join(choices)}, got {kind!r}")
    if kind != "auto":
        return kind, "as asked"
    lineart, figures = looks_like_line_art(rgb)
    if pages:  # a dot screen is black and white like line art: it decides first
        panels, screened, page_figures = page_signs(rgb)
        figures = f"{figures}; {page_figures}"
        if screened or (panels > 1 and not lineart):
            return "manga", f"detected: {figures}"
    return ("lineart" if lineart else "gray"), f"detected: {figures}"


def kind_of(path: Path, kind: str) -> str:
    """The kind to color `path` as; for "auto", read its first frame, decide, and say so (a
    clip is never a page)."""
    if kind != "auto":
        return choose_kind(None, kind, pages=True)[0]
    first = next(clip_frames(probe(path)))[0] if is_clip(path) else read_still(path)
    kind, why = choose_kind(first, "auto", pages=not is_clip(path))
    print(f"{Path(path).name}: colored as {KIND_NAMES[kind]} ({why}; --kind overrules)")
    return kind


class Models:
    """The colorizer of each kind, loaded when first asked for.

    With `run` (a run directory) only that run's kind is available; otherwise the shipped model
    of each kind. `epoch` and `saturation` are as for `colorize`.
    """

    def __init__(self, run: Path | None = None, epoch: int | None = None, saturation: float = 1.0):
        self.run, self.epoch, self.saturation = run, epoch, saturation
        self._loaded: dict[str, tuple[Colorizer, int, Path]] = {}

    def get(self, kind: str) -> tuple[Colorizer, int, Path]:
        """(colorizer, epoch, run directory) for `kind`; a named run of another kind is a DataError."""
        kind = MODEL_OF[kind]
        if kind not in self._loaded:
            run = open_run(self.run or shipped_run(kind))
            run_kind = run.read_config().kind
            if run_kind != kind:
                raise DataError(f"--run {run.root} colors {KIND_NAMES[run_kind]}, not {KIND_NAMES[kind]}; "
                                f"use --kind {run_kind} or a {kind} run")
            generator, epoch = load_generator(run, self.epoch if self.run else None)
            self._loaded[kind] = (Colorizer(generator, run.read_config().image_size, self.saturation),
                                  epoch, run.root)
        return self._loaded[kind]
