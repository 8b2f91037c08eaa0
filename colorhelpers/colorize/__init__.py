"""The one road for colorizing (notebooks/05_evaluation; 09 and 10 add guides to it): frames in
(a still is one frame), the network's colors on one working grid (`grid`), a guide, the join
with the input's own lightness, one writer per output kind (`media`)."""

from colorhelpers.colorize.grid import FITS, WorkingGrid, working_shape
from colorhelpers.colorize.media import ClipError, is_clip, probe
from colorhelpers.colorize.road import (
    Colorizer,
    Colors,
    Frame,
    Guide,
    automatic,
    colorize_path,
    colorize_rgb,
    output_path,
)

__all__ = ["FITS", "ClipError", "Colorizer", "Colors", "Frame", "Guide", "WorkingGrid", "automatic",
           "colorize_path", "colorize_rgb", "is_clip", "output_path", "probe", "working_shape"]
