"""Part 1, the color space (notebooks/01_lab_color_space): sRGB <-> CIELAB in TensorFlow ops, the
model's [-1, 1] scaling, and the one place where predicted color meets an input's lightness."""

from colorhelpers.color.join import LUMA_WEIGHTS, join_color, luma, with_luma
from colorhelpers.color.lab import (
    AB_SCALE,
    L_SCALE,
    denormalize_lab,
    l_ab_to_rgb,
    lab_to_rgb,
    normalize_lab,
    rgb_to_l_ab,
    rgb_to_lab,
)

__all__ = ["AB_SCALE", "L_SCALE", "LUMA_WEIGHTS", "denormalize_lab", "join_color", "l_ab_to_rgb",
           "lab_to_rgb",
           "luma", "normalize_lab", "rgb_to_l_ab", "rgb_to_lab", "with_luma"]
