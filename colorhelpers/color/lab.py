"""sRGB <-> CIELAB conversion in TensorFlow ops, and the model's [-1, 1] scaling.

Taught in notebooks/01_lab_color_space.

The conversion follows the sRGB standard (IEC 61966-2-1) and CIE 1976 L*a*b* with the
D65 white point, the same definition scikit-image uses, so results agree with
`skimage.color.rgb2lab` to float32 rounding. Being TensorFlow ops, it runs inside a
`tf.data` pipeline or a compiled model without a trip through Python.
"""

from __future__ import annotations

import tensorflow as tf

# sRGB (linear) -> CIE XYZ, D65 (IEC 61966-2-1).
_XYZ_FROM_RGB = [
    [0.412453, 0.357580, 0.180423],
    [0.212671, 0.715160, 0.072169],
    [0.019334, 0.119193, 0.950227],
]
# Reference white D65, 2 degree observer.
_WHITE_D65 = [0.95047, 1.0, 1.08883]
# CIE constants: (6/29)^3 and the slope of the linear part of f(t).
_EPSILON = 0.008856
_KAPPA_SLOPE = 7.787

#: L is in [0, 100]; dividing by 50 and subtracting 1 maps it to [-1, 1].
L_SCALE = 50.0
#: a and b of sRGB colors stay within about [-108, 99]; dividing by 110 maps them into [-1, 1].
AB_SCALE = 110.0


def _srgb_to_linear(rgb: tf.Tensor) -> tf.Tensor:
    return tf.where(rgb > 0.04045, tf.pow((rgb + 0.055) / 1.055, 2.4), rgb / 12.92)


def _linear_to_srgb(linear: tf.Tensor) -> tf.Tensor:
    # Clamp before the power so that out-of-gamut negatives do not become NaN.
    linear = tf.maximum(linear, 0.0)
    return tf.where(
        linear > 0.0031308, 1.055 * tf.pow(linear, 1.0 / 2.4) - 0.055, linear * 12.92
    )


def rgb_to_lab(rgb: tf.Tensor) -> tf.Tensor:
    """Convert sRGB in [0, 1] (shape [..., 3]) to CIELAB: L in [0, 100], a and b about +-100.

    >>> import numpy as np
    >>> [round(float(v), 2) + 0.0 for v in rgb_to_lab([1.0, 1.0, 1.0])]  # white
    [100.0, 0.0, 0.0]
    """
    rgb = tf.convert_to_tensor(rgb, tf.float32)
    # One [pixels, 3] x [3, 3] matrix product (tensordot), with the white point folded in;
    # matvec would run one tiny 3x3 product per pixel.
    xyz_from_rgb = tf.constant(_XYZ_FROM_RGB) / tf.constant(_WHITE_D65)[:, None]
    xyz = tf.tensordot(_srgb_to_linear(rgb), tf.transpose(xyz_from_rgb), 1)
    f = tf.where(
        xyz > _EPSILON, tf.pow(tf.maximum(xyz, _EPSILON), 1.0 / 3.0), _KAPPA_SLOPE * xyz + 16.0 / 116.0
    )
    fx, fy, fz = tf.unstack(f, axis=-1)
    return tf.stack([116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)], axis=-1)


def lab_to_rgb(lab: tf.Tensor) -> tf.Tensor:
    """Convert CIELAB (shape [..., 3]) back to sRGB in [0, 1], clipping colors outside sRGB."""
    lab = tf.convert_to_tensor(lab, tf.float32)
    lightness, a, b = tf.unstack(lab, axis=-1)
    fy = (lightness + 16.0) / 116.0
    # Like scikit-image, a negative f(z) (an impossible color) is clamped to zero.
    f = tf.stack([fy + a / 500.0, fy, tf.maximum(fy - b / 200.0, 0.0)], axis=-1)
    xyz = tf.where(f > 0.2068966, tf.pow(f, 3.0), (f - 16.0 / 116.0) / _KAPPA_SLOPE)
    rgb_from_xyz = tf.linalg.inv(tf.constant(_XYZ_FROM_RGB, tf.float64))
    rgb_from_xyz = tf.cast(rgb_from_xyz, tf.float32) * tf.constant(_WHITE_D65)[None, :]
    linear = tf.tensordot(xyz, tf.transpose(rgb_from_xyz), 1)
    return tf.clip_by_value(_linear_to_srgb(linear), 0.0, 1.0)


def normalize_lab(lab: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """Split Lab into the model's input L and target ab, both scaled to [-1, 1].

    Returns (l, ab) with shapes [..., 1] and [..., 2].
    """
    l_norm = lab[..., :1] / L_SCALE - 1.0
    ab_norm = lab[..., 1:] / AB_SCALE
    return l_norm, ab_norm


def denormalize_lab(l_norm: tf.Tensor, ab_norm: tf.Tensor) -> tf.Tensor:
    """Inverse of `normalize_lab`: join scaled L [..., 1] and ab [..., 2] into Lab [..., 3]."""
    l_norm = tf.cast(l_norm, tf.float32)
    ab_norm = tf.cast(ab_norm, tf.float32)
    return tf.concat([(l_norm + 1.0) * L_SCALE, ab_norm * AB_SCALE], axis=-1)


def rgb_to_l_ab(rgb: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """sRGB in [0, 1] straight to the model's scaled (l, ab) pair."""
    return normalize_lab(rgb_to_lab(rgb))


def l_ab_to_rgb(l_norm: tf.Tensor, ab_norm: tf.Tensor) -> tf.Tensor:
    """The model's scaled (l, ab) pair straight back to sRGB in [0, 1]."""
    return lab_to_rgb(denormalize_lab(l_norm, ab_norm))
