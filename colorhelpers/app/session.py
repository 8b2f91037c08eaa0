"""One browser tab's work in the web app: its picture, hints and reference (README, "In the browser").

A `Session` lives in the tab's `gr.State`, so two tabs never share one; the models are
loaded once for the whole app (`colorhelpers.lineart.Models`) and only read. Opening a
picture decides its kind as `colorize --kind auto` does (`choose_kind`) and analyses it once
(`colorhelpers.hints.HintColorizer`: the network and the Laplacian); each hint then costs one
solve and one join on the same road the command line takes. The hints are kept as the points
`--hints` reads, so what the app downloads `colorize` replays.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from colorhelpers.colorize.media import write_png
from colorhelpers.hints.guide import HintColorizer
from colorhelpers.hints.points import Hints, scribble_hints
from colorhelpers.hints.reference import Reference
from colorhelpers.hints.widget import mark_hints
from colorhelpers.lineart.kind import KIND_NAMES, Models, choose_kind
from colorhelpers.lineart.regions import LineArtGuide


@dataclass
class Session:
    """A picture being colored in one tab; `folder` (private, removed by `close`) holds its downloads."""

    name: str
    rgb: np.ndarray
    kind: str
    why: str
    colorizer: HintColorizer
    folder: Path
    saturation: float = 1.0
    points: list[dict] = field(default_factory=list)
    scribble: Hints = field(default_factory=Hints.none)
    reference_rgb: np.ndarray | None = None
    reference: Reference | None = None
    frame: int | None = None  # which frame of the tab's clip this picture is (colorhelpers.app.clips)

    @classmethod
    def open(cls, models: Models, name: str, rgb: np.ndarray, kind: str = "auto",
             saturation: float = 1.0, parent: Path | None = None) -> Session:
        """A new session on uint8 RGB `rgb`; `kind` as `colorize --kind`; downloads go under `parent`."""
        chosen, why = choose_kind(rgb, kind)
        colorizer = _hint_colorizer(models, chosen, rgb, saturation, None)
        folder = Path(tempfile.mkdtemp(prefix="colorgan-tab-", dir=parent))
        return cls(name, rgb, chosen, why, colorizer, folder, saturation)

    def reopen(self, models: Models, kind: str, saturation: float) -> Session:
        """The same picture, hints and reference with another kind or saturation (analysed again)."""
        chosen, why = choose_kind(self.rgb, kind)
        self.colorizer = _hint_colorizer(models, chosen, self.rgb, saturation, self.reference_rgb)
        self.kind, self.why, self.saturation = chosen, why, saturation
        self.set_reference(self.reference_rgb)
        return self

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) of the picture."""
        return self.rgb.shape[1], self.rgb.shape[0]

    def describe(self) -> str:
        """What the app chose for the picture, for the page."""
        height, width = self.rgb.shape[:2]
        return f"{self.name} ({width}x{height}): colored as {KIND_NAMES[self.kind]} ({self.why})"

    def hints(self) -> Hints:
        """Every hint: the clicked points, then the scribble's pixels."""
        return Hints.from_points(self.points) + self.scribble

    def add_point(self, x: int, y: int, color: str) -> None:
        width, height = self.size
        if 0 <= x < width and 0 <= y < height:
            self.points.append({"x": int(x), "y": int(y), "color": color.lower()})

    def undo(self) -> None:
        if self.points:
            self.points.pop()

    def clear(self) -> None:
        self.points.clear()
        self.scribble = Hints.none()

    def set_points(self, hints: Hints) -> None:
        """Replace the points by loaded ones (a hints file)."""
        self.points = hints.to_points()

    def set_scribble(self, rgba: np.ndarray | None) -> None:
        """The scribble layer, uint8 RGBA of the picture's size (None or empty: no scribble)."""
        if rgba is None or rgba.shape[:2] != self.rgb.shape[:2] or rgba.shape[-1] != 4:
            self.scribble = Hints.none()
        else:
            self.scribble = scribble_hints(rgba)

    def set_reference(self, rgb: np.ndarray | None) -> None:
        """A color picture of the same character whose colors guide the result (None: none)."""
        self.reference_rgb = rgb
        gray = rgb is not None and self.kind == "gray"
        self.reference = self.colorizer.reference(rgb) if gray else None
        if self.kind == "lineart":  # the line-art guide matches the reference itself
            self.colorizer.make_guide = _lineart_guide(rgb)

    def result(self) -> np.ndarray:
        """The picture colored with the current hints and reference: uint8 RGB at its own size."""
        return self.colorizer.colorize(self.hints(), self.reference)

    def marked(self) -> np.ndarray:
        """The gray picture with the clicked points drawn on it."""
        return mark_hints(self.rgb, self.points, radius=max(2, max(self.size) // 160))

    def hints_json(self) -> str:
        """The hints as the JSON list of points that `colorize --hints` reads."""
        return json.dumps(self.hints().to_points())

    def write_downloads(self, result: np.ndarray) -> tuple[Path, Path]:
        """The result as PNG and the hints as JSON, in this session's folder, named after the picture."""
        stem = Path(self.name).stem or "picture"
        png, hints = self.folder / f"{stem}-colored.png", self.folder / f"{stem}-hints.json"
        write_png(png, result)
        hints.write_text(self.hints_json(), encoding="utf-8")
        return png, hints

    def close(self) -> None:
        """Remove this session's files (when the tab goes, or another picture replaces this one)."""
        shutil.rmtree(self.folder, ignore_errors=True)


def _lineart_guide(reference_rgb: np.ndarray | None):
    return lambda hints: LineArtGuide(hints, reference_rgb)


def _hint_colorizer(models: Models, kind: str, rgb: np.ndarray, saturation: float,
                    reference_rgb: np.ndarray | None) -> HintColorizer:
    """The picture analysed by the shipped model of `kind` (loaded once, shared by every tab)."""
    colorizer = models.get(kind)[0]
    guide = _lineart_guide(reference_rgb) if kind == "lineart" else None
    return HintColorizer(colorizer.generator, colorizer.size, rgb, guide=guide, saturation=saturation)
