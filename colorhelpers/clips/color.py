"""One clip colored as `colorize --input CLIP` colors it: the command line and the web app call this.

Taught in notebooks/10_animation. What a user gives for a clip picks one of two roads:

- **Keyframes** (`colorhelpers.clips.keyframes`): color frames made by hand (`--keyframes`,
  `--keyframe N:IMAGE`, or a frame colored in the web app), or, for a gray clip without a
  reference, hints on any frame. Their colors are carried forward and backward.
- **Steady colors** (`colorhelpers.clips.flow.SteadyGuide`) otherwise: the first frame guided
  by its hints and a reference (line art, or a gray clip with a reference), or by nothing,
  and its colors kept along the optical flow.

Both report progress through one callable, `progress(fraction, description)`, which is what
Gradio's `gr.Progress` takes; `fraction` is None when the clip's length is unknown (some videos).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from colorhelpers.clips.flow import SteadyGuide
from colorhelpers.clips.keyframes import KeyframeColorizer, keyframe_anchor
from colorhelpers.colorize.grid import WorkingGrid
from colorhelpers.colorize.media import ClipError, ClipInfo, probe
from colorhelpers.colorize.road import Colorizer, colorize_path, output_path, read_still
from colorhelpers.data.files import DataError, check_image
from colorhelpers.hints.guide import HintGuide
from colorhelpers.hints.points import Hints
from colorhelpers.lineart.kind import Models, kind_of
from colorhelpers.lineart.regions import LineArtGuide

#: `progress(fraction done or None, what is being done)`, as `gr.Progress` is called.
Progress = Callable[[float | None, str], None]
#: The keyframe road's three passes over the clip, and the share of the time each takes.
PASSES = {"analysing": (0.0, 0.5), "deciding": (0.5, 0.3), "writing": (0.8, 0.2)}


@dataclass(frozen=True)
class ClipResult:
    """A colored clip: where it was written, its length, and what guided it."""

    path: Path
    frames: int
    kind: str
    keyframes: int = 0  # keyframes and hinted frames (the keyframe road only)
    cuts: list[int] = field(default_factory=list)

    def describe(self) -> str:
        """One line for the user."""
        guided = f" from {self.keyframes} keyframe(s) or hinted frame(s)" if self.keyframes else ""
        cuts = ", ".join(map(str, self.cuts)) or "none"
        return f"colored {self.frames} frames of {self.path.name}{guided}; cuts found at frames: {cuts}"


def takes_keyframes(kind: str, hints: dict[int, Hints], reference: np.ndarray | None,
                    keyframes: dict[int, np.ndarray]) -> bool:
    """Whether a clip goes the keyframe road: keyframes, or hints on a gray clip without a reference."""
    return bool(keyframes) or (any(len(h) for h in hints.values()) and reference is None and kind == "gray")


def check_keyframed(keyframes: bool, one_clip: bool, reference: np.ndarray | None, kind: str) -> None:
    """Refuse keyframes where they cannot work, before any work (a `DataError` in one line)."""
    if not keyframes:
        return
    if not one_clip:
        raise DataError("keyframes color one clip: give a GIF or a video as the input")
    if reference is not None:
        raise DataError("a reference with keyframes: give the reference as a keyframe instead")
    if kind == "lineart":
        raise DataError("keyframes color gray clips; line art takes hints and a reference")


def first_frame_guide(kind: str, hints: Hints | None, reference: np.ndarray | None):
    """The guide of a still or of a clip's first frame: hints and a reference, or None (automatic)."""
    if hints is None and reference is None:
        return None
    kind_guide = LineArtGuide if kind == "lineart" else HintGuide
    return kind_guide(hints if hints is not None else Hints.none(), reference)


def read_keyframes(folder: Path | None, specs: list[str], info: ClipInfo) -> dict[int, np.ndarray]:
    """The command line's keyframes as uint8 RGB by frame number: `folder` of color images named
    by frame number (`0.png`, `57.png`, ...) and `specs` of the form `N:IMAGE`, each checked to
    be readable and of the clip's size before any work; a problem is a ClipError naming the file."""
    named: list[tuple[str, Path]] = []
    if folder is not None:
        if not folder.is_dir():
            raise ClipError(f"--keyframes {folder}: no such folder")
        named += [(f.stem, f) for f in sorted(folder.iterdir()) if f.is_file() and not f.name.startswith(".")]
    for spec in specs:
        number, sep, image = spec.partition(":")
        if not sep:
            raise ClipError(f"--keyframe {spec}: expected FRAME:IMAGE, for example 0:first.png")
        named.append((number, Path(image)))
    keyframes = {}
    for number, path in named:
        if not number.isdigit():
            raise ClipError(f"{path}: a keyframe must be named by its frame number (0.png, 57.png, ...)")
        problem = check_image(path).problem if path.is_file() else "no such file"
        if problem:
            raise ClipError(f"{path}: {problem}")
        keyframes[int(number)] = check_keyframe(read_still(path), info, path.name)
    return keyframes


def check_keyframe(rgb: np.ndarray, info: ClipInfo, name: str) -> np.ndarray:
    """A keyframe's uint8 RGB, checked to be of the clip's size (else a ClipError naming it)."""
    if rgb.shape[:2] != (info.height, info.width):
        raise ClipError(f"{name}: the keyframe is {rgb.shape[1]}x{rgb.shape[0]}, the clip "
                        f"{info.path.name} is {info.width}x{info.height}")
    return rgb


def color_keyframed(colorizer: Colorizer, info: ClipInfo, output_dir: Path, keyframes: dict[int, np.ndarray],
                    hints: dict[int, Hints], progress: Progress | None = None) -> ClipResult:
    """One gray clip colored from its keyframes and hinted frames (hints on a keyframe are
    dropped: the keyframe's colors are the truth there)."""
    grid = WorkingGrid.of(info.height, info.width, colorizer.size).shape
    anchors: dict = {n: keyframe_anchor(n, rgb, grid) for n, rgb in keyframes.items()}
    anchors.update({n: h for n, h in hints.items() if n not in anchors and len(h)})
    keyed = KeyframeColorizer(colorizer, anchors)
    if progress is not None:
        def report(stage: str, done: int) -> None:
            start, share = PASSES[stage]
            progress(start + share * done / info.frames if info.frames else None, f"{stage} frame {done}")
        keyed.progress = report
    out = keyed.colorize(info, output_path(info.path, output_dir))
    return ClipResult(out, keyed.frames, "gray", len(anchors), keyed.cuts)


def color_clip(models: Models, path: Path, output_dir: Path, kind: str = "gray",
               hints: dict[int, Hints] | None = None, reference: np.ndarray | None = None,
               keyframes: dict[int, np.ndarray] | None = None, progress: Progress | None = None
               ) -> ClipResult:
    """Color the clip at `path` into `output_dir` in its own format, as `colorize` does.

    `kind` is as `--kind`; `hints` by frame number; `reference` uint8 RGB; `keyframes` uint8
    RGB of the clip's size by frame number. Problems are `DataError`s in one line.
    """
    hints, keyframes = hints or {}, keyframes or {}
    check_keyframed(bool(keyframes), True, reference, kind)
    info = probe(path)
    if takes_keyframes(kind, hints, reference, keyframes):
        keyframes = {n: check_keyframe(rgb, info, f"keyframe {n}") for n, rgb in keyframes.items()}
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
