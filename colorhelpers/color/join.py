"""The one place where predicted color meets the input's own lightness.

Taught in notebooks/05_evaluation (colorizing at full size). Every way of colorizing (the
automatic colors, hints, a reference, clips) ends here: color predicted on a small working
grid is upsampled to the input's size, joined with the input's full-resolution L, and the
input's own luma is put back exactly, so that converting the output to gray gives the input's
gray and edges stay as sharp as the input's. (The blog post resized the whole RGB result
instead, which blurred everything.)
"""

from __future__ import annotations

import tensorflow as tf

from colorhelpers.color.lab import l_ab_to_rgb

#: Rec. 601 luma weights: what PIL, OpenCV and most programs mean by "convert to gray".
LUMA_WEIGHTS = (0.299, 0.587, 0.114)


def luma(rgb: tf.Tensor) -> tf.Tensor:
    """Rec. 601 luma of sRGB in [0, 1], shape [...].

    >>> round(float(luma([1.0, 0.0, 0.0])), 3)
    0.299
    """
    return tf.tensordot(tf.convert_to_tensor(rgb, tf.float32), tf.constant(LUMA_WEIGHTS), 1)


def with_luma(rgb: tf.Tensor, target_luma: tf.Tensor) -> tf.Tensor:
    """Give `rgb` exactly the luma `target_luma`, keeping its color where sRGB allows.

    Shifting all three channels by the same amount shifts luma by that amount (the weights
    sum to 1), so the color is kept as an offset from gray and put back on the target
    luma. Where that leaves the sRGB cube, the offset is shrunk (desaturated) just enough,
    instead of clipping channels, which would change the luma again.
    """
    offset = rgb - luma(rgb)[..., None]
    target = tf.convert_to_tensor(target_luma, tf.float32)[..., None]
    safe = tf.where(offset == 0.0, 1.0, offset)
    room = tf.where(offset > 0, (1.0 - target) / safe, tf.where(offset < 0, -target / safe, 1.0))
    scale = tf.clip_by_value(tf.reduce_min(room, axis=-1, keepdims=True), 0.0, 1.0)
    return tf.clip_by_value(target + scale * offset, 0.0, 1.0)


def join_color(l_full: tf.Tensor, target_luma: tf.Tensor, ab_grid: tf.Tensor) -> tf.Tensor:
    """Scaled ab on the working grid [n, h', w', 2], upsampled and joined with the full-resolution
    scaled L [n, h, w, 1] and luma [n, h, w]: uint8 RGB [n, h, w, 3]."""
    ab_full = tf.image.resize(tf.convert_to_tensor(ab_grid, tf.float32), tf.shape(l_full)[1:3],
                              method="bilinear")
    color = with_luma(l_ab_to_rgb(l_full, ab_full), target_luma)
    return tf.cast(tf.round(color * 255.0), tf.uint8)
