"""User hints: a few colors at points, or scribbled, that the colorized result must follow.

Taught in notebooks/09_hints.

- `read_hints` reads a JSON list of points `[{"x": 12, "y": 40, "color": "#d04a3a"}, ...]`
  (pixels of the input image, origin top-left) or an RGBA scribble PNG of the input's size
  whose opaque pixels are hints; anything wrong raises `HintsError` naming file and problem.
- `simulate_hints`: Zhang et al. (2017)'s protocol for measuring: k points at colored pixels
  of the truth, drawn with probability proportional to chroma, each with the truth's mean
  color over its 3x3 patch.
- `read_all_hints`: the command line's --hints, a file for one input or a folder of
  `<stem>.json` / `<stem>.png`, read and checked for every input before any work.

`colorhelpers.hints.guide` turns hints into colors on the working grid.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError
from skimage.color import rgb2lab

from colorhelpers.data.files import DataError, exif_orientation

#: A hint color: "#" and six hex digits.
COLOR_PATTERN = re.compile(r"#[0-9a-fA-F]{6}")
#: Scribble pixels with at least this alpha (0-255) are hints.
OPAQUE = 128


class HintsError(DataError):
    """A hints file that cannot be used; the message names the file and the problem."""


@dataclass(frozen=True)
class Hints:
    """Hint pixels of one image: rows `ys`, columns `xs` and uint8 colors `rgb` [n, 3]."""

    ys: np.ndarray
    xs: np.ndarray
    rgb: np.ndarray

    @classmethod
    def none(cls) -> Hints:
        return cls(np.zeros(0, int), np.zeros(0, int), np.zeros((0, 3), np.uint8))

    @classmethod
    def from_points(cls, points: list[dict]) -> Hints:
        """From `[{"x":..., "y":..., "color": "#rrggbb"}, ...]` (assumed valid)."""
        if not points:
            return cls.none()
        rgb = [[int(p["color"][i:i + 2], 16) for i in (1, 3, 5)] for p in points]
        return cls(np.array([p["y"] for p in points]), np.array([p["x"] for p in points]),
                   np.array(rgb, np.uint8))

    def to_points(self) -> list[dict]:
        return [{"x": int(x), "y": int(y), "color": "#{:02x}{:02x}{:02x}".format(*(int(v) for v in c))}
                for y, x, c in zip(self.ys, self.xs, self.rgb)]

    def __len__(self) -> int:
        return len(self.ys)

    def __add__(self, other: Hints) -> Hints:
        return Hints(np.r_[self.ys, other.ys], np.r_[self.xs, other.xs], np.r_[self.rgb, other.rgb])


def parse_points(text: str, name: str, width: int, height: int) -> Hints:
    """Validate JSON hint points for a `width` x `height` image; `name` goes in messages."""
    try:
        points = json.loads(text)
    except json.JSONDecodeError as err:
        raise HintsError(f"{name}: not JSON ({err.msg}, line {err.lineno} column {err.colno})") from None
    if not isinstance(points, list):
        raise HintsError(f'{name}: expected a JSON list of {{"x": X, "y": Y, "color": "#rrggbb"}} points')
    for i, p in enumerate(points):
        if not isinstance(p, dict) or not {"x", "y", "color"} <= set(p):
            raise HintsError(f'{name}: point {i} is not {{"x": X, "y": Y, "color": "#rrggbb"}}: {p!r}')
        x, y, color = p["x"], p["y"], p["color"]
        if not all(isinstance(v, int) and not isinstance(v, bool) for v in (x, y)):
            raise HintsError(f"{name}: point {i}: x and y must be whole pixel numbers, got {x!r}, {y!r}")
        if not (0 <= x < width and 0 <= y < height):
            raise HintsError(f"{name}: point {i} at x={x}, y={y} is outside the {width}x{height} image")
        if not isinstance(color, str) or not COLOR_PATTERN.fullmatch(color):
            raise HintsError(f"{name}: point {i}: color {color!r} is not #rrggbb")
        frame = p.get("frame", 0)
        if not isinstance(frame, int) or isinstance(frame, bool) or frame < 0:
            raise HintsError(f"{name}: point {i}: frame must be a frame number (0 or more), got {frame!r}")
    return Hints.from_points(points)


def clip_hints(path: Path, width: int, height: int, clip: Path) -> dict[int, Hints]:
    """A clip's hints by frame number: a JSON file whose points may name their `frame` (0 by
    default), a PNG scribble (frame 0), or a folder of `<frame>.json` / `<frame>.png` (or of
    `<clip stem>.json` / `.png`, the rule for folders of inputs)."""
    if path.is_dir():
        own = hints_file_for(path, clip)
        if own is not None:
            return clip_hints(own, width, height, clip)
        numbered = (f for f in path.iterdir() if f.stem.isdigit() and f.suffix.lower() in (".json", ".png"))
        files = sorted(numbered, key=lambda f: int(f.stem))
        return {int(f.stem): read_hints(f, width, height) for f in files}
    hints = read_hints(path, width, height)
    if path.suffix.lower() != ".json":
        return {0: hints}
    frames = [p.get("frame", 0) for p in json.loads(path.read_text(encoding="utf-8"))]
    return {f: Hints(hints.ys[mask], hints.xs[mask], hints.rgb[mask])
            for f in sorted(set(frames)) for mask in [np.array(frames) == f]}


def read_hints(path: Path | str, width: int, height: int) -> Hints:
    """The hints in a .json points file or a .png scribble, for a `width` x `height` input."""
    path = Path(path)
    if not path.is_file():
        raise HintsError(f"{path}: no such hints file")
    if path.suffix.lower() == ".json":
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:
            raise HintsError(f"{path}: not JSON (not UTF-8 text)") from None
        return parse_points(text, str(path), width, height)
    if path.suffix.lower() != ".png":
        raise HintsError(f"{path}: hints must be a .json list of points or a .png scribble")
    try:
        with Image.open(path) as image:
            scribble = np.asarray(image.convert("RGBA"))
    except (UnidentifiedImageError, OSError) as err:
        raise HintsError(f"{path}: not a readable PNG scribble ({err})") from None
    if scribble.shape[:2] != (height, width):
        raise HintsError(f"{path}: scribble is {scribble.shape[1]}x{scribble.shape[0]}, "
                         f"the input image is {width}x{height}; draw it on a canvas of the input's size")
    return scribble_hints(scribble)


def scribble_hints(rgba: np.ndarray) -> Hints:
    """The hints of a uint8 RGBA scribble [h, w, 4]: its opaque pixels (alpha >= `OPAQUE`)."""
    ys, xs = np.nonzero(rgba[..., 3] >= OPAQUE)
    return Hints(ys, xs, rgba[ys, xs, :3])


def simulate_hints(truth: np.ndarray, k: int, rng: np.random.Generator) -> Hints:
    """k hints from a uint8 RGB truth [h, w, 3], Zhang et al. 2017's protocol (make_hints.py).

    Points at pixels away from the border, drawn without replacement with probability
    proportional to chroma (+1e-3, so gray images work too), each with the truth's mean
    color over its 3x3 patch, rounded.
    """
    rgb = np.asarray(truth)
    h, w = rgb.shape[:2]
    if k == 0:
        return Hints.none()
    chroma = np.linalg.norm(rgb2lab(rgb / 255.0)[1:h - 1, 1:w - 1, 1:], axis=-1).ravel() + 1e-3
    points = []
    for i in rng.choice(chroma.size, size=k, replace=False, p=chroma / chroma.sum()):
        y, x = divmod(int(i), w - 2)
        y, x = y + 1, x + 1
        color = rgb[y - 1:y + 2, x - 1:x + 2].reshape(-1, 3).mean(0).round().astype(int)
        points.append({"x": x, "y": y, "color": "#{:02x}{:02x}{:02x}".format(*color)})
    return Hints.from_points(points)


def upright_size(path: Path) -> tuple[int, int]:
    """(width, height) of an image file as shown upright (EXIF orientation applied)."""
    with Image.open(path) as image:
        width, height = image.size
    return (height, width) if exif_orientation(path) in (5, 6, 7, 8) else (width, height)


def hints_file_for(hints_path: Path | None, image: Path) -> Path | None:
    """The CLI's rule: --hints names a file for one image, or a folder of `<stem>.json`/`<stem>.png`."""
    if hints_path is None or not hints_path.is_dir():
        return hints_path
    found = [hints_path / f"{image.stem}{ext}" for ext in (".json", ".png")]
    return next((p for p in found if p.is_file()), None)


def read_all_hints(hints_path: Path | None, images: list[Path], single_input: bool,
                   size_of: Callable[[Path], tuple[int, int]] = upright_size) -> dict[Path, Hints]:
    """Every input's hints, read and checked before any work (the CLI's --hints).

    `size_of(path)` is an input's (width, height) as shown (a clip's frame size for clips)."""
    if hints_path is None:
        return {}
    if not hints_path.exists():
        raise HintsError(f"{hints_path}: no such hints file or folder")
    if not single_input and not hints_path.is_dir():
        raise HintsError(f"{hints_path}: for a folder of images, --hints must be a folder "
                         "holding <stem>.json or <stem>.png per image")
    found = {}
    for image in images:
        path = hints_file_for(hints_path, image)
        if path is not None:
            found[image] = read_hints(path, *size_of(image))
    return found
