"""A clip in the web app: dropped, given keyframes, colored with a progress bar (README, "In the browser").

A `ClipSession` lives in the tab's `gr.State` beside the picture's `Session`. It keeps the
checked clip and the keyframes the visitor made: a frame opened as the picture (`frame`), colored
there with the picture's own hint tools, and kept (`keep_keyframe`), or a colored image
uploaded for frame N (`upload_keyframe`): `--keyframe N:IMAGE` either way. `color` sends the
clip down `colorhelpers.lineart.inputs.color_clip`, the function `colorize --input CLIP` calls,
so the result is what the command line makes of the same clip, keyframes and reference.
Handlers return a `ClipView`; refusals become one line, as in `colorhelpers.app.handlers`.
"""

from __future__ import annotations

import html
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import numpy as np

from colorhelpers.app import handlers
from colorhelpers.app.handlers import KEEP, error_line, guarded_as
from colorhelpers.app.session import Session
from colorhelpers.app.uploads import check_clip, check_picture
from colorhelpers.clips.color import Progress, check_keyframe
from colorhelpers.colorize.road import Colorizer, clip_frames
from colorhelpers.data.files import DataError
from colorhelpers.lineart.inputs import color_clip
from colorhelpers.lineart.kind import Models


class Saturated:
    """`Models` whose colorizers use the page's saturation (the generators stay the shared ones)."""

    def __init__(self, models: Models, saturation: float) -> None:
        self.models, self.saturation = models, saturation

    def get(self, kind: str) -> tuple[Colorizer, int, Path]:
        colorizer, epoch, run_root = self.models.get(kind)
        return Colorizer(colorizer.generator, colorizer.size, self.saturation), epoch, run_root


@dataclass
class ClipSession:
    """A clip being colored in one tab; `folder` (private, removed by `close`) holds it and its result."""

    name: str
    path: Path
    frames: int
    size: tuple[int, int]  # (width, height)
    folder: Path
    keyframes: dict[int, np.ndarray] = field(default_factory=dict)

    @classmethod
    def open(cls, path: str | Path, parent: Path | None = None) -> ClipSession:
        """The uploaded clip at `path`, checked (`uploads.check_clip`) and copied to a new folder."""
        folder = Path(tempfile.mkdtemp(prefix="colorgan-clip-", dir=parent))
        try:
            clip = check_clip(path, folder)
        except BaseException:
            shutil.rmtree(folder, ignore_errors=True)
            raise
        return cls(clip.name, clip.info.path, clip.info.frames, (clip.info.width, clip.info.height), folder)

    def frame(self, number: int) -> np.ndarray:
        """Frame `number` (from 0) as uint8 RGB, as the road reads it."""
        if not 0 <= number < self.frames:
            raise DataError(f"{self.name} has frames 0 to {self.frames - 1}, not {number}")
        from colorhelpers.colorize.media import probe

        for index, (rgb, _) in enumerate(clip_frames(probe(self.path))):
            if index == number:
                return rgb
        raise DataError(f"{self.name}: frame {number} could not be read")

    def set_keyframe(self, number: int, rgb: np.ndarray, name: str) -> None:
        """Frame `number` is to have the colors of `rgb` (uint8 RGB of the clip's size)."""
        if not 0 <= number < self.frames:
            raise DataError(f"{self.name} has frames 0 to {self.frames - 1}, not {number}")
        from colorhelpers.colorize.media import probe

        self.keyframes[number] = check_keyframe(rgb, probe(self.path), name)

    def color(self, models: Models, kind: str, saturation: float, reference: np.ndarray | None,
              progress: Progress | None = None):
        """The clip colored as `colorize` colors it, into this session's folder (a `ClipResult`)."""
        out = self.folder / "colored"
        out.mkdir(exist_ok=True)
        return color_clip(Saturated(models, saturation), self.path, out, kind, {}, reference,
                          self.keyframes, progress)

    def describe(self) -> str:
        width, height = self.size
        keys = ", ".join(map(str, sorted(self.keyframes))) or "none yet"
        return f"{self.name} ({width}x{height}, {self.frames} frames); keyframes: {keys}"

    def close(self) -> None:
        shutil.rmtree(self.folder, ignore_errors=True)


class ClipView(NamedTuple):
    """What a clip handler hands back: the clip session, the clip's status line (HTML), the
    colored clip (a path, for the download and, for a GIF, the preview)."""

    clip: ClipSession | None
    status: str
    result: str | None


def _refused(message: str) -> ClipView:
    return ClipView(KEEP, error_line(message), KEEP)


guarded = guarded_as(_refused)


def _needs(clip: ClipSession | None) -> ClipSession:
    if clip is None:
        raise DataError("Drop a clip (GIF or MP4) first.")
    return clip


@guarded
def open_clip(parent: Path, clip: ClipSession | None, path: str | None) -> ClipView:
    """A dropped clip: checked and kept (not colored yet: keyframes may come first)."""
    if path is None:
        raise DataError("No file was received.")
    new = ClipSession.open(path, parent)
    if clip is not None:
        clip.close()
    return ClipView(new, html.escape(f"{new.describe()}. Color it, or make keyframes first."), None)


@guarded
def keep_keyframe(clip: ClipSession | None, session: Session | None) -> ClipView:
    """The picture's result, when it is a frame of this clip, becomes that frame's keyframe."""
    clip = _needs(clip)
    if session is None or session.frame is None or session.size != clip.size:
        raise DataError("Open a frame of the clip above first (Show frame), then color it there.")
    clip.set_keyframe(session.frame, session.result(), f"frame {session.frame}")
    return ClipView(clip, html.escape(f"Frame {session.frame} is a keyframe. {clip.describe()}."), KEEP)


@guarded
def upload_keyframe(clip: ClipSession | None, number: int, path: str | None) -> ClipView:
    """A colored picture uploaded as the keyframe of frame `number`."""
    clip = _needs(clip)
    if path is None:
        raise DataError("No keyframe picture was received.")
    picture = check_picture(path)
    clip.set_keyframe(int(number), picture.rgb, picture.name)
    return ClipView(clip, html.escape(f"{picture.name} is keyframe {int(number)}. {clip.describe()}."), KEEP)


@guarded
def clear_keyframes(clip: ClipSession | None) -> ClipView:
    clip = _needs(clip)
    clip.keyframes.clear()
    return ClipView(clip, html.escape(f"{clip.describe()}."), KEEP)


@guarded
def color(models: Models, clip: ClipSession | None, kind: str, saturation: float,
          reference_path: str | None, progress: Progress | None = None) -> ClipView:
    """Color the clip (with its keyframes and the page's reference); the result to download."""
    clip = _needs(clip)
    reference = None if reference_path is None else check_picture(reference_path).rgb
    result = clip.color(models, kind, saturation, reference, progress)
    return ClipView(clip, html.escape(f"{result.describe()}."), str(result.path))


@handlers.guarded
def open_frame(models: Models, parent: Path, session: Session | None, clip: ClipSession | None,
               number: float, kind: str, saturation: float) -> handlers.View:
    """Frame `number` of the clip opened as the picture, to color with the picture's hint tools."""
    clip = _needs(clip)
    number = int(number)
    new = Session.open(models, f"{Path(clip.name).stem}-frame-{number}.png", clip.frame(number), kind,
                       saturation, parent)
    new.frame = number
    if session is not None:
        session.close()
    return handlers.show(new, f"Frame {number} of the clip: color it, then Use as keyframe.")
