"""What each input is colored with, by its kind: a still's or first frame's guide, and a clip's road.

Taught in notebooks/11_line_art (line art takes hints and a reference on its own regions) and
notebooks/10_animation (clips). The command line (`colorize`) and the web app both call these,
so a clip dropped in the app is colored by the same functions as `colorize --input CLIP`:
`color_clip` sends it down the keyframe road or the steady one (`colorhelpers.clips.color`),
or line art with keyframes region by region (`colorhelpers.lineart.paintbucket`), with the
model of its kind (`colorhelpers.lineart.kind`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from colorhelpers.clips.color import (
    ClipResult,
    Progress,
    check_keyframe,
    check_keyframed,
    color_keyframed,
    takes_keyframes,
)
from colorhelpers.clips.flow import SteadyGuide
from colorhelpers.colorize.media import probe
from colorhelpers.colorize.road import colorize_path
from colorhelpers.data.files import DataError
from colorhelpers.hints.guide import HintGuide
from colorhelpers.hints.points import Hints
from colorhelpers.hints.reference import ReferenceRegions
from colorhelpers.lineart.kind import Models, kind_of
from colorhelpers.lineart.paintbucket import color_paintbucket
from colorhelpers.lineart.regions import LineArtGuide


def first_frame_guide(kind: str, hints: Hints | None, reference: np.ndarray | None,
                      palette: ReferenceRegions | None = None):
    """The guide of a still or of a clip's first frame: hints, a reference and palettes
    (`colorhelpers.hints.palette.merged`), or None (automatic)."""
    if hints is None and reference is None and palette is None:
        return None
    kind_guide = LineArtGuide if kind == "lineart" else HintGuide
    return kind_guide(hints if hints is not None else Hints.none(), reference, palette=palette)


def color_clip(models: Models, path: Path, output_dir: Path, kind: str = "gray",
               hints: dict[int, Hints] | None = None, reference: np.ndarray | None = None,
               keyframes: dict[int, np.ndarray] | None = None, progress: Progress | None = None
               ) -> ClipResult:
    """Color the clip at `path` into `output_dir` in its own format, as `colorize` does.

    `kind` is as `--kind`; `hints` by frame number; `reference` uint8 RGB; `keyframes` uint8
    RGB of the clip's size by frame number. Problems are `DataError`s in one line.
    """
    hints, keyframes = hints or {}, keyframes or {}
    check_keyframed(bool(keyframes), True, reference)
    info = probe(path)
    if keyframes:
        kind = kind_of(path, kind)
    if takes_keyframes(kind, hints, reference, keyframes):
        keyframes = {n: check_keyframe(rgb, info, f"keyframe {n}") for n, rgb in keyframes.items()}
        if kind == "lineart":  # filled region by region, the paint-bucket way
            return color_paintbucket(models.get("lineart")[0], info, output_dir, keyframes, hints, progress)
        return color_keyframed(models.get("gray")[0], info, output_dir, keyframes, hints, progress)
    later = sorted(n for n, h in hints.items() if n and len(h))
    if later:
        raise DataError(f"hints on frame {later[0]}: with a reference, or for line art, hints guide the "
                        "first frame (0) only")
    kind = kind_of(path, kind)
    steady = SteadyGuide(first=first_frame_guide(kind, hints.get(0), reference))

    def frame_done(done: int, total: int | None) -> None:
        progress(done / total if total else None, f"coloring frame {done}")

    out = colorize_path(models.get(kind)[0], path, output_dir, steady,
                        progress=True if progress is None else frame_done)
    return ClipResult(out, probe(out).frames or 0, kind, 0, steady.cuts)
