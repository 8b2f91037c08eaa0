"""Line-art clips colored the paint-bucket way: keyframes' flat colors, region by region.

Taught in notebooks/11_line_art. `colorize --kind lineart --keyframes DIR` (or `--keyframe
N:IMAGE`) comes here, down the one road (`colorhelpers.colorize.road`) as a `Guide`:

- a keyframe's regions take their colors from the keyframe (its most common color in each);
- every other frame's regions are matched (`colorhelpers.lineart.matching`) to the frame
  before's and to every keyframe's; each takes the color of its most trusted match;
- a region that holds a hint on its frame takes the hint's color (and passes it on);
- a region with no trustworthy match takes the line-art model's color there, flat (its
  mean over the region), and is reported: `unmatched` keeps a mask of them for every frame,
  which `color_paintbucket` writes beside the output, so an artist knows where to look;
- the lines stay exactly as drawn: the flat colors are multiplied by the drawing, as a
  lines layer over a flats layer is in a paint program (`colorhelpers.lineart.layers`).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
import tensorflow as tf
from skimage.color import lab2rgb

from colorhelpers.clips.color import ClipResult, Progress
from colorhelpers.color.lab import AB_SCALE, L_SCALE, l_ab_to_rgb
from colorhelpers.colorize.media import ClipError, ClipInfo, ClipWriter
from colorhelpers.colorize.road import Colorizer, Colors, Frame, clip_frames, colorize_path, full_resolution
from colorhelpers.hints.points import Hints
from colorhelpers.lineart.matching import TRUST, Regions, match, region_colors

#: A match to the frame before counts this much more than one to a keyframe (it is a smaller step).
PREVIOUS_WEIGHT = 1.1


@dataclass(frozen=True)
class Painting(Colors):
    """A guide's answer that is the finished frame: `full_rgb`, uint8 RGB [h, w, 3]."""

    full_rgb: np.ndarray | None = None


class PaintingColorizer(Colorizer):
    """The road's colorizer for guides that paint whole frames (`Painting`): the frame a
    guide painted is written as it is; other frames are joined as usual."""

    @classmethod
    def of(cls, colorizer: Colorizer) -> PaintingColorizer:
        """The same model, size, saturation and fit as `colorizer`."""
        painter = cls(colorizer.generator, colorizer.size, colorizer.saturation, colorizer.fit)
        painter._analyse = colorizer._analyse  # the same traced analysis (and ink keeping)
        return painter

    def join(self, frames: list[Frame], colors: list[Colors]) -> np.ndarray:
        if all(isinstance(color, Painting) for color in colors):  # nothing left to join
            return np.stack([color.full_rgb for color in colors])
        out = super().join(frames, colors)
        for i, color in enumerate(colors):
            if isinstance(color, Painting):
                out[i] = color.full_rgb
        return out


@dataclass
class Painted:
    """A colored frame as the source of matches: its regions, each region's uint8 RGB
    `colors` [count + 1, 3], and whether each is `known` (a keyframe's, a hint's or matched)."""

    regions: Regions
    colors: np.ndarray
    known: np.ndarray

    @classmethod
    def keyframe(cls, drawing_l: np.ndarray, rgb: np.ndarray) -> Painted:
        """A keyframe: the regions of its drawing, colored as the keyframe colors them."""
        regions = Regions.of(drawing_l)
        return cls(regions, region_colors(regions, rgb), np.ones(regions.count + 1, bool))


@functools.lru_cache(maxsize=1)
def _gray_ramp() -> tuple[np.ndarray, np.ndarray]:
    """Scaled L from -1 to 1 in 4096 steps, and the sRGB gray of each (neutral: ab 0)."""
    l_ramp = np.linspace(-1.0, 1.0, 4096, dtype=np.float32)
    l_full = tf.constant(l_ramp[:, None, None])
    return l_ramp, l_ab_to_rgb(l_full, tf.zeros_like(tf.concat([l_full, l_full], -1)))[:, 0, 0].numpy()


def drawing_gray(drawing_l: np.ndarray) -> np.ndarray:
    """A drawing's scaled L [h, w] as uint8 gray [h, w]: the lines layer. Gray depends on L
    alone, so a ramp converted once is interpolated (a full conversion per frame is slower)."""
    l_ramp, gray_ramp = _gray_ramp()
    gray = np.interp(np.asarray(drawing_l, np.float32), l_ramp, gray_ramp)
    return np.round(gray * 255.0).astype(np.uint8)


def model_colors(regions: Regions, frame: Frame) -> np.ndarray:
    """The line-art model's color of each region, flat: its mean Lab over the region's paper
    as uint8 RGB [count + 1, 3]."""
    height, width = regions.labels.shape
    ab = cv2.resize(frame.prior_ab.astype(np.float32), (width, height), interpolation=cv2.INTER_LINEAR)
    lab = np.concatenate([(frame.l_full.numpy()[..., :1] + 1.0) * L_SCALE, ab * AB_SCALE], -1)
    counts = np.maximum(regions.area, 1)[:, None]
    means = np.stack([np.bincount(regions.labels.ravel(), lab[..., c].ravel(), regions.count + 1)
                      for c in range(3)], 1) / counts
    return np.round(lab2rgb(means[None])[0] * 255.0).clip(0, 255).astype(np.uint8)


def multiply(flats: np.ndarray, lines: np.ndarray) -> np.ndarray:
    """uint8 RGB flats [h, w, 3] under uint8 gray lines [h, w], multiplied: black lines stay black."""
    return np.round(flats.astype(np.float32) * (lines[..., None] / 255.0)).astype(np.uint8)


@dataclass
class PaintBucketGuide:
    """A guide (`colorhelpers.colorize.road.Guide`) for a line-art clip from keyframes, on a
    `PaintingColorizer`.

    `keyframes` are `Painted.keyframe`s by frame number; `hints` by frame number. Called on
    the frames in order (a line-art model's, `Frame.drawing`). After each frame, `unmatched`
    holds its mask (bool [h, w], packed; `unmatched_mask` unpacks it).
    """

    keyframes: dict[int, Painted]
    hints: dict[int, Hints] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.previous: Painted | None = None
        self.unmatched: list[np.ndarray] = []

    def paint(self, drawing_l: np.ndarray, index: int) -> tuple[Painted, np.ndarray]:
        """The frame's regions colored from the keyframes and the frame before: (painted, the
        score of each region's match [count + 1], 0 or below where none of its pixels voted);
        a keyframe's own frame is its keyframe."""
        if index in self.keyframes:
            painted = self.keyframes[index]
            return painted, painted.known.astype(np.float64)
        regions = Regions.of(drawing_l)
        sources = [(p, 1.0) for p in self.keyframes.values()]
        if self.previous is not None:
            sources.append((self.previous, PREVIOUS_WEIGHT))
        colors = np.zeros((regions.count + 1, 3), np.uint8)
        trust = np.full(regions.count + 1, -1.0)
        known = np.zeros(regions.count + 1, bool)
        for source, weight in sources:
            best, share = match(regions, source.regions)
            score = share * weight
            better = score > trust
            colors[better], trust[better] = source.colors[best[better]], score[better]
            known[better] = source.known[best[better]] & (share[better] >= TRUST)
        return Painted(regions, colors, known), trust

    def __call__(self, frame: Frame) -> Colors:
        if frame.drawing is None:
            raise ValueError("PaintBucketGuide needs the frames of a line-art model")
        drawing_l = frame.drawing.numpy()[..., 0]
        painted, trust = self.paint(drawing_l, frame.index)
        regions, colors, known = painted.regions, painted.colors.copy(), painted.known.copy()
        hints = self.hints.get(frame.index)
        if hints is not None and len(hints) and frame.index not in self.keyframes:
            hinted = regions.filled[hints.ys, hints.xs]
            colors[hinted], known[hinted] = hints.rgb, True
        # Unknown regions matched to a frame before keep its color, steady; new ones take the model's.
        new = ~known & (trust <= 0)
        if new.any():  # the model's colors are only needed where no frame showed the region
            colors[new] = model_colors(regions, frame)[new]
        self.previous = Painted(regions, colors, known)
        lines, flats = drawing_gray(drawing_l), colors[regions.filled]
        self.unmatched.append(np.packbits(~known[regions.labels] & (regions.labels > 0)))
        return Painting(frame.prior_ab, full_rgb=multiply(flats, lines))

    def unmatched_mask(self, t: int, shape: tuple[int, int]) -> np.ndarray:
        """Frame t's regions without a trustworthy match: bool [h, w]."""
        return np.unpackbits(self.unmatched[t], count=shape[0] * shape[1]).reshape(shape).astype(bool)


def unmatched_path(out: Path) -> Path:
    """Where the mask of a colored clip's unmatched regions goes: beside it, `<stem>.unmatched<ext>`."""
    return out.with_name(f"{out.stem}.unmatched{out.suffix}")


def color_paintbucket(colorizer: Colorizer, info: ClipInfo, output_dir: Path,
                      keyframes: dict[int, np.ndarray], hints: dict[int, Hints],
                      progress: Progress | None = None) -> ClipResult:
    """One line-art clip colored from its keyframes (uint8 RGB by frame number, the clip's
    size) and hinted frames, down the road; the mask of its unmatched regions (white) is
    written beside it in the same format."""
    wanted, drawings = set(keyframes), {}
    for index, (rgb, _) in enumerate(clip_frames(info)):
        if index in wanted:
            drawings[index] = full_resolution(rgb[None])[0][0, ..., 0].numpy()
        if len(drawings) == len(wanted):
            break
    past = sorted(wanted - set(drawings))
    if past:
        raise ClipError(f"{info.path}: a keyframe for frame {past[0]}, but the clip has fewer frames")
    guide = PaintBucketGuide({n: Painted.keyframe(drawings[n], rgb) for n, rgb in keyframes.items()}, hints)

    def frame_done(done: int, total: int | None) -> None:
        progress(done / total if total else None, f"coloring frame {done}")

    out = colorize_path(PaintingColorizer.of(colorizer), info.path, output_dir, guide,
                        progress=True if progress is None else frame_done)
    shape = (info.height, info.width)
    with ClipWriter(unmatched_path(out), info) as writer:
        for t in range(len(guide.unmatched)):
            writer.write(np.repeat(guide.unmatched_mask(t, shape)[..., None] * np.uint8(255), 3, -1))
    hinted = {n for n, h in hints.items() if len(h)} - set(keyframes)
    return ClipResult(out, len(guide.unmatched), "lineart", len(keyframes) + len(hinted))
