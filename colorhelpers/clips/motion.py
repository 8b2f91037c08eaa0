"""Test clips with known motion, made from one color picture, and the two scores of a clip.

Taught in notebooks/10_animation; `bench/clips.py` measures with it.

A camera window pans (`pan` source pixels a frame) and zooms (`zoom`, its scale a frame)
over the picture; half-way, a disc of the picture may change (`change`: another picture's
pixels there, as when a character's expression changes). The truth of every frame is known,
and so is where each pixel of a frame was in the one before. Two scores:

- **warping error**: the mean ab distance between consecutive frames after undoing the known
  motion, over the pixels both frames show (Lai et al. 2018 measure the same); 0 for the truth
  of a clip without a change;
- **CIEDE2000** of every frame against its truth, averaged.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image
from skimage.color import rgb2lab

from colorhelpers.scoring.metrics import ciede2000


@dataclass(frozen=True)
class MovingClip:
    """Gray frames and truth (uint8 RGB [h, w, 3] each) and the window of every frame:
    `centers` [n, 2] (x, y) and `scales` [n] (source pixels per frame pixel)."""

    gray: list[np.ndarray]
    truth: list[np.ndarray]
    centers: np.ndarray
    scales: np.ndarray

    def previous_position(self, t: int) -> tuple[np.ndarray, np.ndarray]:
        """(x, y) [h, w]: where each pixel of frame t (t >= 1) was in frame t - 1."""
        h, w = self.gray[0].shape[:2]
        xs, ys = np.meshgrid(np.arange(w, dtype=np.float64), np.arange(h, dtype=np.float64))
        mid = np.array([(w - 1) / 2, (h - 1) / 2])
        sx = self.scales[t] * (xs - mid[0]) + self.centers[t, 0]
        sy = self.scales[t] * (ys - mid[1]) + self.centers[t, 1]
        back = self.scales[t - 1]
        return (sx - self.centers[t - 1, 0]) / back + mid[0], (sy - self.centers[t - 1, 1]) / back + mid[1]


def moving_clip(rgb: np.ndarray, frames: int = 24, height: int = 128, width: int = 96,
                pan: tuple[float, float] = (1.0, 2.0), zoom: float = 1.0,
                change: np.ndarray | None = None, change_radius: float | None = 0.25) -> MovingClip:
    """A clip over the uint8 RGB picture `rgb`, enlarged first if the windows need more room.

    With `zoom=1` and whole-pixel `pan`, frames are exact crops, as make_clip.py cuts them.
    `change` (uint8 RGB, any size) replaces a disc in the middle of the view from frame
    `frames // 2` on, its radius `change_radius` times the view's smaller side; with
    `change_radius=None` the whole picture switches, as a visual novel swaps one expression's
    sprite for another's.
    """
    pan_xy = np.asarray(pan, np.float64)
    need = np.array([width, height]) + np.abs(pan_xy) * frames
    grow = max(1.0, *(need / np.array(rgb.shape[1::-1])))
    source = rgb if grow == 1.0 else np.asarray(Image.fromarray(rgb).resize(
        (int(rgb.shape[1] * grow) + 1, int(rgb.shape[0] * grow) + 1), Image.LANCZOS))
    mid = np.array([(width - 1) / 2, (height - 1) / 2])
    centers = mid + np.arange(frames)[:, None] * pan_xy
    scales = zoom ** np.arange(frames, dtype=np.float64)
    changed = source
    if change is not None:
        other = cv2.resize(change, source.shape[1::-1], interpolation=cv2.INTER_AREA)
        changed = other
        if change_radius is not None:
            changed = source.copy()
            cx, cy = centers[frames // 2]
            ys, xs = np.mgrid[0:source.shape[0], 0:source.shape[1]]
            disc = (xs - cx) ** 2 + (ys - cy) ** 2 <= (change_radius * min(width, height)) ** 2
            changed[disc] = other[disc]
    gray, truth = [], []
    for t in range(frames):
        k, (cx, cy) = scales[t], centers[t]
        to_source = np.array([[k, 0.0, cx - k * mid[0]], [0.0, k, cy - k * mid[1]]])
        frame = cv2.warpAffine(changed if t >= frames // 2 else source, to_source, (width, height),
                               flags=cv2.INTER_LINEAR | cv2.WARP_INVERSE_MAP, borderMode=cv2.BORDER_REFLECT)
        truth.append(frame)
        luma = cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)  # Rec. 601, as PIL's convert("L")
        gray.append(np.repeat(luma[..., None], 3, axis=-1))
    return MovingClip(gray, truth, centers, scales)


def warping_error(frames: list[np.ndarray], clip: MovingClip) -> float:
    """Mean ab distance between consecutive frames after undoing the known motion."""
    errors = []
    ab = [rgb2lab(f / 255.0)[..., 1:].astype(np.float32) for f in frames]
    h, w = ab[0].shape[:2]
    for t in range(1, len(ab)):
        x, y = clip.previous_position(t)
        inside = (x >= 0) & (x <= w - 1) & (y >= 0) & (y <= h - 1)
        before = cv2.remap(ab[t - 1], x.astype(np.float32), y.astype(np.float32), cv2.INTER_LINEAR)
        errors.append(np.linalg.norm(ab[t] - before, axis=-1)[inside].mean())
    return float(np.mean(errors))


def mean_ciede2000(frames: list[np.ndarray], truth: list[np.ndarray]) -> float:
    """CIEDE2000 of each frame against its truth, averaged over pixels and frames."""
    return float(np.mean([ciede2000(rgb2lab(f[None] / 255.0), rgb2lab(t[None] / 255.0))[0]
                          for f, t in zip(frames, truth)]))


@dataclass
class FrameBrowser:
    """Frame t of several versions of one clip side by side, under a slider over frames.

    `widget()` is notebook 10's slider: moving it replaces the picture of an `Image` widget
    (no output captured from a callback: nbconvert sometimes hangs on `interact`'s output
    widget, jupyter/nbconvert#1921).
    """

    versions: dict[str, list[np.ndarray]]

    def strip(self, frame: int) -> np.ndarray:
        """uint8 RGB: frame `frame` of every version, left to right in the order given."""
        return np.concatenate([v[frame] for v in self.versions.values()], axis=1)

    def png(self, frame: int) -> bytes:
        import io

        buffer = io.BytesIO()
        Image.fromarray(self.strip(frame)).save(buffer, "PNG")
        return buffer.getvalue()

    def widget(self, frame: int = 0):
        """A slider over frames above the strip of the chosen frame (ipywidgets)."""
        import ipywidgets as widgets

        count = len(next(iter(self.versions.values())))
        slider = widgets.IntSlider(value=frame, min=0, max=count - 1, description="frame")
        picture = widgets.Image(value=self.png(frame), format="png")
        slider.observe(lambda change: setattr(picture, "value", self.png(change["new"])), names="value")
        return widgets.VBox([slider, widgets.Label(" | ".join(self.versions)), picture])
