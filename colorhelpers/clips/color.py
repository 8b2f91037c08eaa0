"""A clip's keyframes and its two roads, for the command line and the web app alike.

Taught in notebooks/10_animation. `colorhelpers.lineart.inputs.color_clip` colors a clip as
`colorize --input CLIP` does (it picks the kind, which this part cannot know); here is what a
user gives for a clip (`read_keyframes`, `check_keyframe`, `check_keyframed`) and which road
it takes (`takes_keyframes`):

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

from colorhelpers.clips.keyframes import KeyframeColorizer, keyframe_anchor
from colorhelpers.colorize.grid import WorkingGrid
from colorhelpers.colorize.media import ClipError, ClipInfo
from colorhelpers.colorize.road import Colorizer, output_path, read_still
from colorhelpers.data.files import DataError, check_image
from colorhelpers.hints.points import Hints

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


def check_keyframed(keyframes: bool, one_clip: bool, reference: np.ndarray | None) -> None:
    """Refuse keyframes where they cannot work, before any work (a `DataError` in one line)."""
    if not keyframes:
        return
    if not one_clip:
        raise DataError("keyframes color one clip: give a GIF or a video as the input")
    if reference is not None:
        raise DataError("a reference with keyframes: give the reference as a keyframe instead")


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
