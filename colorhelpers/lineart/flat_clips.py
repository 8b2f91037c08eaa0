"""Line-art clips with known motion and flat ground-truth colors (notebooks/11_line_art,
`bench/paintbucket.py`).

BasicPBC's flat-color setting: every region closed by lines has one color. Two sources:

- **held-out characters** (`from_keys`): the region keys of `data/anime/keys` (how
  `data/build_anime.py` reads them) say which part each pixel is (clothes, skin, hair, eyes,
  lips, drawn gray); each part gets one flat color, the drawn outlines and the borders between
  parts are the lines (black on white);
- **a never-tuned folder** (`from_picture`): a picture of `data/testsets` quantized to a few
  flat colors (k-means in Lab); the borders between colors and its dark ink are the lines.

A camera window then pans over the enlarged picture (`colorhelpers.clips.motion.moving_clip`,
exact crops), so where every pixel of a frame was in any other frame is known.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from skimage.color import lab2rgb, rgb2lab

from colorhelpers.clips.motion import moving_clip

#: The region keys `data/build_anime.py` saves (in the repository, whatever the working folder).
KEYS = Path(__file__).resolve().parents[2] / "data" / "anime" / "keys"
PANELS = ("alpha", "gray", "clothes", "skin", "hair", "face")  # as data/build_anime.py saves them
FACE_EYE, FACE_LIP = 128, 255
SRC_W = 100
#: Key pixels whose parts sum to less than this (0-255 each) are drawn ink.
INK = 120
#: The flat colors of the parts (background, drawn gray, clothes, skin, hair, eyes, lips).
PART_COLORS = np.array([[255, 255, 255], [196, 200, 210], [70, 96, 168], [246, 214, 190], [122, 74, 52],
                        [52, 140, 96], [214, 110, 120]], np.uint8)


@dataclass(frozen=True)
class FlatClip:
    """Line-art frames (uint8 RGB, black lines on white), their flat truth (uint8 RGB), the
    lines (bool [h, w] each), the background color, and the pan (x, y px a frame)."""

    name: str
    frames: list[np.ndarray]
    truth: list[np.ndarray]
    lines: list[np.ndarray]
    background: tuple[int, int, int]
    pan: tuple[int, int]

    def true_paste(self, key: int, t: int) -> np.ndarray:
        """The keyframe `key`'s truth moved along the known motion to frame t: what the keyframe
        alone can tell (white where frame t shows what the keyframe did not)."""
        dx, dy = (t - key) * self.pan[0], (t - key) * self.pan[1]
        shifted = cv2.warpAffine(self.truth[key], np.float32([[1, 0, -dx], [0, 1, -dy]]),
                                 self.truth[key].shape[1::-1], flags=cv2.INTER_NEAREST,
                                 borderMode=cv2.BORDER_CONSTANT, borderValue=(255, 255, 255))
        return np.where(self.lines[t][..., None], self.frames[t], shifted)


def heldout_characters() -> list[str]:
    """The identities `data/build_anime.py` holds out (SHA-1 of the identity 0 mod 8)."""
    names = sorted(p.name.removesuffix(".components.png") for p in KEYS.glob("*.components.png"))
    return [n for n in names if int(hashlib.sha1(n.encode()).hexdigest(), 16) % 8 == 0]


def _lined(parts: np.ndarray, ink: np.ndarray, colors: np.ndarray
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(line art RGB, flat truth RGB, lines) of a part map [h, w] and its drawn ink: the lines
    are the ink and the borders between parts, one pixel wide."""
    border = cv2.morphologyEx(parts.astype(np.uint8), cv2.MORPH_GRADIENT, np.ones((2, 2), np.uint8)) > 0
    lines = ink | border
    flat = colors[parts]
    flat[lines] = 0
    art = np.repeat(np.where(lines, 0, 255).astype(np.uint8)[..., None], 3, -1)
    return art, flat, lines


def from_keys(name: str, scale: int = 4, margin: int = 48) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(line art, flat truth, lines) of a character of `data/anime/keys`, enlarged `scale` times."""
    strip = np.asarray(Image.open(KEYS / f"{name}.components.png"))
    comp = {n: strip[:, i * SRC_W:(i + 1) * SRC_W] for i, n in enumerate(PANELS)}
    size = (SRC_W * scale, strip.shape[0] * scale)
    big = {n: cv2.resize(comp[n].astype(np.float32), size, interpolation=cv2.INTER_CUBIC)
           for n in PANELS if n != "face"}
    face = cv2.resize(comp["face"], size, interpolation=cv2.INTER_NEAREST)
    keyed = np.stack([big["gray"], big["clothes"], big["skin"], big["hair"]])
    parts = 1 + keyed.argmax(0)  # 1 gray, 2 clothes, 3 skin, 4 hair
    parts[(parts == 2) & (face == FACE_EYE)] = 5
    parts[(parts == 2) & (face == FACE_LIP)] = 6
    figure = big["alpha"] > 128
    parts[~figure] = 0
    drawn = sum(comp[n].astype(np.float32) for n in ("gray", "clothes", "skin", "hair"))
    inkness = np.clip((INK - drawn) / INK, 0, 1) * (comp["alpha"] > 128)
    ink = figure & (cv2.resize(inkness, size, interpolation=cv2.INTER_LINEAR) > 0.5)
    parts = np.pad(parts, margin)
    return _lined(parts, np.pad(ink, margin), PART_COLORS)


def from_picture(rgb: np.ndarray, colors: int = 10, scale: int = 2, margin: int = 48, seed: int = 0
                 ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(line art, flat truth, lines) of a picture on white: its figure quantized to `colors`
    flat colors (k-means in Lab, small specks merged away), enlarged `scale` times."""
    rgb = cv2.resize(rgb, (rgb.shape[1] * scale, rgb.shape[0] * scale), interpolation=cv2.INTER_CUBIC)
    rgb = np.pad(rgb, ((margin, margin), (margin, margin), (0, 0)), constant_values=255)
    lab = rgb2lab(rgb / 255.0).astype(np.float32)
    figure = np.abs(rgb.astype(int) - 255).max(-1) > 12
    cv2.setRNGSeed(seed)
    criteria = (cv2.TERM_CRITERIA_EPS | cv2.TERM_CRITERIA_MAX_ITER, 20, 0.5)
    _, labels, centers = cv2.kmeans(lab[figure], colors, None, criteria, 2, cv2.KMEANS_PP_CENTERS)
    parts = np.zeros(figure.shape, np.uint8)
    parts[figure] = labels[:, 0] + 1
    parts = cv2.medianBlur(parts, 5)
    palette = np.concatenate([[[255, 255, 255]], np.round(lab2rgb(centers[None])[0] * 255)]).astype(np.uint8)
    return _lined(parts, lab[..., 0] < 25, palette)


def flat_clip(name: str, art: np.ndarray, flat: np.ndarray, lines: np.ndarray, frames: int = 24,
              size: tuple[int, int] = (320, 384), pan: tuple[int, int] = (2, 6)) -> FlatClip:
    """A pan of `frames` frames of `size` (width, height) over the picture, `pan` px a frame."""
    width, height = size
    art_clip = moving_clip(art, frames, height, width, pan)
    flat_clip_ = moving_clip(flat, frames, height, width, pan)
    line_picture = np.repeat(lines[..., None].astype(np.uint8) * 255, 3, -1)
    line_clip = moving_clip(line_picture, frames, height, width, pan)
    return FlatClip(name, art_clip.truth, flat_clip_.truth, [f[..., 0] > 127 for f in line_clip.truth],
                    (255, 255, 255), pan)
