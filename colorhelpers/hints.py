"""User hints: a few colors at points, or scribbled, that the colorized result must follow.

Taught in notebooks/09_hints.

- `read_hints` reads a JSON list of points `[{"x": 12, "y": 40, "color": "#d04a3a"}, ...]`
  (pixels of the input image, origin top-left) or an RGBA scribble PNG of the input's size
  whose opaque pixels are hints; anything wrong raises `HintsError` naming file and problem.
- `simulate_hints`: Zhang et al. (2017)'s protocol for measuring, as in
  shared/checks/make_hints.py: k points at colored pixels of the truth, drawn with
  probability proportional to chroma, each with the truth's mean color over its 3x3 patch.
- `HintColorizer`: the network colors the image as usual (its prediction is the prior);
  hints are constraints spread edge-aware over their regions (`colorhelpers.propagation`),
  all at the model's size; ab is upsampled and joined with the full-resolution L and the
  input's own luma, exactly as `evaluation.colorize_rgb` does. With no hints and no
  reference the result *is* `colorize_rgb`'s.
"""

from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf
from PIL import Image, UnidentifiedImageError
from skimage.color import rgb2lab

from colorhelpers.data import DataError, decode_rgb, exif_orientation
from colorhelpers.evaluation import colorize_rgb, join_color, luma, with_luma
from colorhelpers.lab import AB_SCALE, L_SCALE, l_ab_to_rgb, normalize_lab, rgb_to_lab
from colorhelpers.propagation import Propagator
from colorhelpers.reference import Reference, reference_hints

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
    return Hints.from_points(points)


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
    ys, xs = np.nonzero(scribble[..., 3] >= OPAQUE)
    return Hints(ys, xs, scribble[ys, xs, :3])


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


def hint_grid(hints: Hints, height: int, width: int, size: int) -> tuple[np.ndarray, np.ndarray]:
    """Hints of an input `height` x `width` on the `size` x `size` working grid.

    Returns (coverage [size, size], 1 where a hint falls, else 0; mean scaled ab [size, size, 2]):
    several hint pixels in one working pixel are averaged.
    """
    coverage, ab = np.zeros((size, size)), np.zeros((size, size, 2))
    if not len(hints):
        return coverage, ab
    gy = np.minimum(hints.ys * size // height, size - 1)
    gx = np.minimum(hints.xs * size // width, size - 1)
    hint_ab = rgb2lab(hints.rgb[None] / 255.0)[0, :, 1:] / AB_SCALE
    count = np.zeros((size, size))
    np.add.at(count, (gy, gx), 1.0)
    np.add.at(ab, (gy, gx), hint_ab)
    filled = count > 0
    ab[filled] /= count[filled][:, None]
    coverage = filled.astype(np.float64)
    return coverage, ab


@functools.lru_cache(maxsize=4)
def _analyser(generator, size: int):
    """Traced once: full-res RGB -> (working L in 0-100 [size, size], prior ab [size, size, 2])."""

    @tf.function(input_signature=[tf.TensorSpec([None, None, 3], tf.float32)])
    def analyse(rgb: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
        l_full, _ = normalize_lab(rgb_to_lab(rgb))
        small = tf.image.resize(l_full[None], [size, size], method="area", antialias=True)
        ab_small = tf.cast(generator(small, training=False), tf.float32)
        return (small[0, ..., 0] + 1.0) * L_SCALE, ab_small[0]

    return analyse


@tf.function(input_signature=[tf.TensorSpec([None, None, 3], tf.float32)])
def full_resolution(rgb: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """The parts of `compose` that do not depend on ab: scaled L [h, w, 1] and luma [h, w]."""
    return normalize_lab(rgb_to_lab(rgb))[0], luma(rgb)


@tf.function(input_signature=[tf.TensorSpec([None, None, 1], tf.float32),
                              tf.TensorSpec([None, None], tf.float32),
                              tf.TensorSpec([None, None, 2], tf.float32)])
def join(l_full: tf.Tensor, target_luma: tf.Tensor, ab_small: tf.Tensor) -> tf.Tensor:
    """Scaled ab at the working size + full-res L and luma -> uint8 RGB, as colorize_rgb joins them."""
    return join_color(l_full, target_luma, ab_small[None])


def compose(rgb: tf.Tensor, ab_small: tf.Tensor) -> tf.Tensor:
    """Scaled ab at the working size + the full-res input -> uint8 RGB [h, w, 3]."""
    return join(*full_resolution(tf.convert_to_tensor(rgb, tf.float32)), tf.convert_to_tensor(ab_small))


class HintColorizer:
    """Colorize one image again and again as hints change (the widget, the CLI, the sweep).

    `prior` chooses what fills the unhinted regions: "network" (the generator's automatic
    colors: the default) or "gray" (ab = 0: propagation alone). A `hint_generator`
    (`colorhelpers.hint_network`) instead takes the hints as inputs, without propagation.
    """

    def __init__(self, generator, size: int, rgb, prior: str = "network", hint_generator=None,
                 **weights: float) -> None:
        self.generator, self.size, self.prior, self.hint_generator = generator, size, prior, hint_generator
        self.rgb = tf.convert_to_tensor(rgb, tf.float32)
        self.height, self.width = (int(v) for v in self.rgb.shape[:2])
        l_small, ab_prior = _analyser(generator, size)(self.rgb)
        self.l_small = l_small.numpy()
        self.prior_ab = ab_prior.numpy() if prior == "network" else np.zeros((size, size, 2), np.float32)
        self.propagator = Propagator(self.l_small, **weights)
        self._l_full, self._luma = full_resolution(self.rgb)  # the same after every click
        self._automatic: np.ndarray | None = None

    def ab(self, hints: Hints, reference: Reference | None = None) -> np.ndarray:
        """Scaled ab [size, size, 2] at the working size; `reference` adds soft hints."""
        coverage, hint_ab = hint_grid(hints, self.height, self.width, self.size)
        if self.hint_generator is not None:
            channels = np.concatenate([hint_ab * coverage[..., None], coverage[..., None]], -1)[None]
            l_norm = self.l_small[None, ..., None] / L_SCALE - 1.0
            return np.asarray(self.hint_generator([l_norm, channels.astype(np.float32)], training=False))[0]
        weight = coverage * self.propagator.hint_weight
        if reference is not None:
            # Local hints win: regions holding one take no color from the reference.
            hinted = np.unique(reference.labels[coverage > 0])
            soft = (weight == 0) & (reference.weight > 0) & ~np.isin(reference.labels, hinted[hinted > 0])
            weight = np.where(soft, reference.weight, weight)
            hint_ab = np.where(soft[..., None], reference.ab, hint_ab)
        if not weight.any():
            return self.prior_ab
        return self.propagator.solve(weight, hint_ab, self.prior_ab)

    def colorize(self, hints: Hints | None = None, reference: Reference | None = None) -> np.ndarray:
        """uint8 RGB [h, w, 3] at the input's size."""
        hints = hints or Hints.none()
        if not len(hints) and reference is None and self.prior == "network" and self.hint_generator is None:
            if self._automatic is None:
                self._automatic = colorize_rgb(self.generator, self.rgb, self.size)
            return self._automatic
        out = join(self._l_full, self._luma, tf.convert_to_tensor(self.ab(hints, reference))).numpy()
        if len(hints) and self.hint_generator is None:
            # The hint pixels themselves take their color exactly (on the input's own luma),
            # not the blend of working-grid cells that upsampling gives them.
            where = np.stack([hints.ys, hints.xs], 1)
            ab = rgb2lab(hints.rgb[None] / 255.0)[0, :, 1:] / AB_SCALE
            color = l_ab_to_rgb(tf.gather_nd(self._l_full, where), ab)
            color = with_luma(color, tf.gather_nd(self._luma, where))
            out[hints.ys, hints.xs] = np.round(color.numpy() * 255.0).astype(np.uint8)
        return out


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


def read_all_hints(hints_path: Path | None, images: list[Path], single_input: bool) -> dict[Path, Hints]:
    """Every image's hints, read and checked before any work (the CLI's --hints)."""
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
            found[image] = read_hints(path, *upright_size(image))
    return found


def colorize_file_with_hints(generator, path: Path, output_dir: Path, size: int, hints: Hints,
                             reference_rgb: np.ndarray | None = None) -> Path:
    """`evaluation.colorize_file` with hints and an optional reference (uint8 RGB) image."""
    colorizer = HintColorizer(generator, size, decode_rgb(str(path)))
    reference = None if reference_rgb is None else reference_hints(colorizer.l_small, reference_rgb)
    out = Path(output_dir) / f"{Path(path).stem}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    tf.io.write_file(str(out), tf.io.encode_png(colorizer.colorize(hints, reference)))
    return out

