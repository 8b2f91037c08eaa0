"""Line art from color images, in several styles: the training pairs of the line-art mode.

Taught in notebooks/11_line_art. A line-art run learns from (line art, Lab) pairs, and the line
art is drawn here from each image's lightness on the fly, as TensorFlow ops, in one of
`LINE_STYLES` picked at random per image and step (seeded, so a resumed run sees the same
pairs). Several styles keep the model from learning one extractor's quirks instead of drawings:

- `xdog`: the eXtended Difference of Gaussians (Winnemoeller et al. 2012), soft inked lines;
- `edges`: thresholded Sobel gradients, hard one-pixel-ish lines;
- `thick`: XDoG lines thickened by a 3x3 minimum (a broad pen);
- `thin`: XDoG with a smaller scale and a stricter threshold (a fine pen);
- `pencil`: XDoG lines made gray and uneven, as a pencil sketch on white paper.

Everything works on scaled L in [-1, 1] (white paper = 1, ink = -1), the generator's input.
`looks_like_line_art` tells a drawing from a gray render by its histogram (`--kind auto`), and
`unseen_line_art` draws lines a way training never does (Canny on the color picture), to
measure the model on drawings that are not its own styles (notebook 11, bench/lineart.py).
"""

from __future__ import annotations

import cv2
import numpy as np
import tensorflow as tf

#: The styles training draws from (notebook 11 shows one image in each).
LINE_STYLES = ("xdog", "edges", "thick", "thin", "pencil")
#: The style held-out images are scored in during training (fixed, so epochs compare).
EVAL_STYLE = "xdog"


def _gaussian_blur(x: tf.Tensor, sigma: float) -> tf.Tensor:
    """Separable Gaussian blur of [n, h, w, 1], edges mirrored."""
    radius = max(1, int(np.ceil(3 * sigma)))
    taps = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
    taps = tf.constant(taps / taps.sum(), tf.float32)
    x = tf.pad(x, [[0, 0], [radius, radius], [radius, radius], [0, 0]], mode="SYMMETRIC")
    x = tf.nn.conv2d(x, tf.reshape(taps, [-1, 1, 1, 1]), 1, "VALID")
    return tf.nn.conv2d(x, tf.reshape(taps, [1, -1, 1, 1]), 1, "VALID")


def xdog(l_norm: tf.Tensor, sigma: float = 0.8, k: float = 1.6, threshold: float = 0.02,
         softness: float = 60.0) -> tf.Tensor:
    """XDoG line art of scaled L [n, h, w, 1]: white where the image is flat, ink along edges.

    The difference of two blurs, `G(sigma) - G(k sigma)`, is zero on flat areas whatever their
    lightness and dips below zero on the dark side of every edge; a soft threshold (tanh) turns
    dips deeper than `threshold` (L in [0, 1]) into ink, so dark hair gives an outline, not a blot.
    """
    light = (l_norm + 1.0) / 2.0
    dog = _gaussian_blur(light, sigma) - _gaussian_blur(light, sigma * k)
    ink = tf.where(dog >= -threshold, 1.0, 1.0 + tf.tanh(softness * (dog + threshold)))
    return tf.clip_by_value(ink, 0.0, 1.0) * 2.0 - 1.0


def sobel_edges(l_norm: tf.Tensor, threshold: float = 0.25) -> tf.Tensor:
    """Hard lines where the lightness gradient (Sobel, L in [0, 1]) is steeper than `threshold`."""
    gradients = tf.image.sobel_edges((l_norm + 1.0) / 2.0)[..., 0, :]
    magnitude = tf.norm(gradients, axis=-1, keepdims=True)
    return tf.where(magnitude > threshold, -1.0, 1.0)


def thicken(lines: tf.Tensor) -> tf.Tensor:
    """Dark lines one pixel wider on each side (a 3x3 minimum)."""
    return -tf.nn.max_pool2d(-lines, 3, 1, "SAME")


def pencil(lines: tf.Tensor, seed: tf.Tensor) -> tf.Tensor:
    """Lines made gray (40-80 % of full ink) and uneven along their length, on white paper."""
    n = tf.shape(lines)[0]
    strength = tf.random.stateless_uniform([n, 1, 1, 1], seed, 0.4, 0.8)
    grain = tf.random.stateless_uniform(tf.shape(lines), seed + [0, 1], 0.7, 1.0)
    grain = _gaussian_blur(grain, 1.0)
    ink = (1.0 - lines) / 2.0  # 0 on paper, 1 on full ink
    return 1.0 - 2.0 * ink * strength * grain


def line_art(l_norm: tf.Tensor, style: str, seed: tf.Tensor | None = None) -> tf.Tensor:
    """Line art of scaled L [n, h, w, 1] in one of `LINE_STYLES`, as scaled L."""
    if style == "xdog":
        return xdog(l_norm)
    if style == "edges":
        return sobel_edges(l_norm)
    if style == "thick":
        return thicken(xdog(l_norm))
    if style == "thin":
        return xdog(l_norm, sigma=0.5, threshold=0.035)
    if style == "pencil":
        return pencil(xdog(l_norm), tf.zeros([2], tf.int64) if seed is None else seed)
    raise ValueError(f"style must be one of {LINE_STYLES}, got {style!r}")


def training_pairs(l_norm: tf.Tensor, ab: tf.Tensor, seed: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """A batch of (L, ab) made into (line art, Lab): each image in a style drawn with `seed`
    (a [2] int64 stateless seed, for example (run seed, step))."""
    seed = tf.cast(seed, tf.int64)
    styles = tf.stack([line_art(l_norm, s, seed) for s in LINE_STYLES])  # [styles, n, h, w, 1]
    pick = tf.random.stateless_uniform([tf.shape(l_norm)[0]], seed + [0, 2], 0, len(LINE_STYLES), tf.int32)
    lines = tf.gather_nd(tf.transpose(styles, [1, 0, 2, 3, 4]),
                         tf.stack([tf.range(tf.shape(pick)[0]), pick], 1))
    return lines, tf.concat([l_norm, ab], -1)


def eval_pairs(l_norm: tf.Tensor, ab: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """(line art in `EVAL_STYLE`, Lab) for held-out scoring."""
    return line_art(l_norm, EVAL_STYLE), tf.concat([l_norm, ab], -1)


#: Pixels at least this light (luma in [0, 1]) count as paper...
PAPER = 0.85
#: ...a drawing is at least this share paper, and what is not paper is strokes: at most
#: `SOLID` of the picture is left of it after an opening that wipes out lines thinner than
#: about 1 % of the shorter side, or what is left is ink, at most `SOLID_GRAY` of it mid-gray
#: (a gray render's skin, hair and clothes are broad and mid-gray).
PAPER_SHARE = 0.5
SOLID = 0.06
SOLID_GRAY = 0.25


def looks_like_line_art(rgb: np.ndarray) -> tuple[bool, str]:
    """Whether a uint8 RGB image is line art (mostly paper, the rest thin strokes or solid ink,
    hardly any color), and the figures that decided it, to say to the user."""
    rgb = np.asarray(rgb, np.float32) / 255.0
    gray = rgb @ np.array([0.299, 0.587, 0.114], np.float32)
    paper = gray >= PAPER
    side = max(5, round(min(gray.shape) / 100) | 1)
    kernel = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (side, side))
    solid = cv2.morphologyEx((~paper).astype(np.uint8), cv2.MORPH_OPEN, kernel) > 0
    solid_gray = float(np.mean(gray[solid] > 0.3)) if solid.any() else 0.0
    chroma = float(np.mean(rgb.max(-1) - rgb.min(-1) > 0.15))
    lineart = (paper.mean() >= PAPER_SHARE and chroma <= 0.05
               and (solid.mean() <= SOLID or solid_gray <= SOLID_GRAY))
    return lineart, (f"{paper.mean():.0%} paper, {solid.mean():.0%} broad areas ({solid_gray:.0%} of them "
                     f"gray), {chroma:.0%} colored pixels")


#: Canny's hysteresis thresholds and blur (at 256 px) for `unseen_line_art`.
CANNY_LOW, CANNY_HIGH, CANNY_SIGMA = 40, 100, 0.8


def unseen_line_art(rgb: np.ndarray) -> np.ndarray:
    """uint8 RGB line art of a uint8 RGB picture by a method no training style uses: Canny edges
    of the color picture (R, G, B gradients, not the lightness), black on white, 1 px wide up to
    256 px a side and 2 px above, the blur growing with the square root of the size."""
    rgb = np.ascontiguousarray(rgb, np.uint8)
    side = max(rgb.shape[:2])
    sigma = CANNY_SIGMA * max(1.0, side / 256) ** 0.5
    edges = cv2.Canny(cv2.GaussianBlur(rgb, (0, 0), sigma), CANNY_LOW, CANNY_HIGH, L2gradient=True) > 0
    if side > 256:
        edges = cv2.dilate(edges.astype(np.uint8), np.ones((2, 2), np.uint8)) > 0
    return np.repeat(np.where(edges, 0, 255).astype(np.uint8)[..., None], 3, -1)
