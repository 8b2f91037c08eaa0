"""Reading and writing what the road colors: still images as PNG, animated GIFs and videos.

Taught in notebooks/10_animation (clips); `colorhelpers.colorize.road` calls it for every file.

- `is_clip` tells a clip (a video file by its extension, or an animated GIF) from a still.
- `probe` opens a clip and checks it before any work: that it decodes, has a first frame,
  and that one frame fits `MAX_FRAME_PIXELS`; a problem is a `ClipError` naming the file.
- `read_frames` streams uint8 RGB frames with their durations (GIF), and `ClipWriter` writes
  them: GIF via PIL, a frame at a time, each with its palette stored beside it (a local
  color table), which is the previous frame's palette while that fits it (`PALETTE_ERROR`)
  and a new median cut when it does not or when the frame has at most 256 colors; video via
  OpenCV at the input's frame rate. Neither holds more than a frame, so a clip's length
  costs no memory.
- `write_png` writes a still. Every output is written under a temporary name and renamed
  into place when complete.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import GifImagePlugin, Image, ImageSequence

from colorhelpers.data.files import DataError

# FFmpeg's own log ("moov atom not found") would add lines to our one-line errors.
os.environ.setdefault("OPENCV_FFMPEG_LOGLEVEL", "-8")
import cv2  # noqa: E402  (after the log level, which OpenCV reads when it first opens a video)

#: Video containers OpenCV reads and writes, and the codec each is written with.
VIDEO_CODECS = {".mp4": "mp4v", ".m4v": "mp4v", ".mov": "mp4v", ".avi": "MJPG", ".mkv": "MJPG",
                ".webm": "VP80"}
#: One frame may hold at most this many pixels (PIL's decompression-bomb limit for images).
MAX_FRAME_PIXELS = Image.MAX_IMAGE_PIXELS or 89_478_485
#: Frame rate assumed for a video whose container does not say.
DEFAULT_FPS = 25.0
#: A GIF frame keeps the previous frame's palette while that costs at most this (0-255, mean).
PALETTE_ERROR = 3.0


class ClipError(DataError):
    """A clip that cannot be colored; the message names the file and the problem."""


@dataclass(frozen=True)
class ClipInfo:
    """What `probe` found: `frames` as the file says (None if unknown), fps (video), loop (GIF)."""

    path: Path
    width: int
    height: int
    frames: int | None
    fps: float | None = None
    loop: int | None = None

    @property
    def is_gif(self) -> bool:
        return self.fps is None


def is_clip(path: Path | str) -> bool:
    """A video file (by extension) or an animated GIF (by content, whatever its name)."""
    path = Path(path)
    if path.suffix.lower() in VIDEO_CODECS:
        return True
    try:
        with Image.open(path) as image:
            return image.format == "GIF" and bool(getattr(image, "is_animated", False))
    except Exception:  # noqa: BLE001  (not an image, or a damaged one: a still's checks judge it)
        return False


def _check_size(path: Path, width: int, height: int) -> None:
    if width * height > MAX_FRAME_PIXELS:
        raise ClipError(f"{path}: frames of {width}x{height} are too large to color safely "
                        f"(over {MAX_FRAME_PIXELS:,} pixels each)")


def probe(path: Path | str) -> ClipInfo:
    """Open a clip, decode its first frame and say what it is; ClipError if it cannot be used."""
    path = Path(path)
    if path.suffix.lower() in VIDEO_CODECS:
        capture = cv2.VideoCapture(str(path))
        try:
            if not capture.isOpened():
                raise ClipError(f"{path}: not an image, nor a video OpenCV can read")
            width = int(capture.get(cv2.CAP_PROP_FRAME_WIDTH))
            height = int(capture.get(cv2.CAP_PROP_FRAME_HEIGHT))
            _check_size(path, width, height)
            if not capture.read()[0]:
                raise ClipError(f"{path}: a video with no frames (or none OpenCV can decode)")
            count = int(capture.get(cv2.CAP_PROP_FRAME_COUNT))
            fps = capture.get(cv2.CAP_PROP_FPS)
        finally:
            capture.release()
        return ClipInfo(path, width, height, count if count > 0 else None, fps if fps > 0 else DEFAULT_FPS)
    try:
        with Image.open(path) as image:
            _check_size(path, *image.size)
            image.seek(0)
            image.load()
            return ClipInfo(path, *image.size, image.n_frames, loop=image.info.get("loop"))
    except ClipError:
        raise
    except Exception as err:  # noqa: BLE001  (PIL reports damaged files with many types)
        raise ClipError(f"{path}: not a readable animated GIF ({err})") from None


def read_frames(info: ClipInfo) -> Iterator[tuple[np.ndarray, int | None]]:
    """Every frame as uint8 RGB [h, w, 3] with its duration in ms (None for video), in order.

    GIF frames are composited as a viewer shows them, transparency flattened on white.
    A frame that fails to decode is a ClipError naming the file and the frame.
    """
    if not info.is_gif:
        capture = cv2.VideoCapture(str(info.path))
        try:
            while True:
                ok, bgr = capture.read()
                if not ok:
                    return
                yield cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), None
        finally:
            capture.release()
    number = 0
    try:
        with Image.open(info.path) as image:
            for frame in ImageSequence.Iterator(image):
                number += 1
                rgba = np.asarray(frame.convert("RGBA"), np.float32)
                alpha = rgba[..., 3:] / 255.0
                rgb = rgba[..., :3] * alpha + 255.0 * (1.0 - alpha)
                yield np.round(rgb).astype(np.uint8), frame.info.get("duration")
    except Exception as err:  # noqa: BLE001
        raise ClipError(f"{info.path}: frame {number} is damaged ({err})") from None


class ClipWriter:
    """Writes frames one at a time to `path` (a temporary name until `close`).

    Used as a context manager: on an exception the partial file is removed.
    """

    def __init__(self, path: Path | str, info: ClipInfo) -> None:
        self.path, self.info = Path(path), info
        self.partial = self.path.with_name(f".{self.path.stem}.partial{self.path.suffix}")
        self.count = 0
        self._palette: Image.Image | None = None
        if info.is_gif:
            self._file = open(self.partial, "wb")  # noqa: SIM115  (closed in close/abort)
        else:
            fourcc = cv2.VideoWriter_fourcc(*VIDEO_CODECS[self.path.suffix.lower()])
            self._video = cv2.VideoWriter(str(self.partial), fourcc, info.fps, (info.width, info.height))
            if not self._video.isOpened():
                raise ClipError(f"{self.path}: OpenCV cannot write {self.path.suffix} video here")

    def write(self, rgb: np.ndarray, duration: int | None = None) -> None:
        if not self.info.is_gif:
            self._video.write(cv2.cvtColor(np.ascontiguousarray(rgb), cv2.COLOR_RGB2BGR))
        else:
            frame = self._quantize(rgb)
            timing = {} if duration is None else {"duration": duration}
            if self.count == 0:  # the header: size, first palette, loop count
                loop = {} if self.info.loop is None else {"loop": self.info.loop}
                header, _ = GifImagePlugin.getheader(frame, None, {"duration": duration or 0, **loop})
                self._file.write(b"".join(header))
            for chunk in GifImagePlugin.getdata(frame, include_color_table=True, **timing):
                self._file.write(chunk)
        self.count += 1

    def _quantize(self, rgb: np.ndarray) -> Image.Image:
        """The frame on a 256-color palette, undithered (dither would flicker): the previous
        frame's palette while it fits (steady colors change little; a median cut costs
        100x more than mapping), a new median cut when it no longer does. A frame of at most
        256 colors (a gray one) always gets its own palette, so it comes back exactly."""
        image = Image.fromarray(rgb)
        if self._palette is not None and image.getcolors(256) is None:
            frame = image.quantize(palette=self._palette, dither=Image.Dither.NONE)
            if np.abs(np.asarray(frame.convert("RGB"), np.int16) - rgb).mean() <= PALETTE_ERROR:
                return frame
        frame = image.quantize(256, Image.Quantize.MEDIANCUT, dither=Image.Dither.NONE)
        self._palette = frame
        return frame

    def close(self) -> None:
        if self.info.is_gif:
            self._file.write(b";")
            self._file.close()
        else:
            self._video.release()
        os.replace(self.partial, self.path)

    def abort(self) -> None:
        if self.info.is_gif:
            self._file.close()
        else:
            self._video.release()
        self.partial.unlink(missing_ok=True)

    def __enter__(self) -> ClipWriter:
        return self

    def __exit__(self, kind, value, traceback) -> None:
        self.abort() if kind else self.close()


def write_png(path: Path, rgb: np.ndarray) -> None:
    """Write a still's colors as PNG under a temporary name, renamed into place when complete."""
    partial = path.with_name(f".{path.stem}.partial.png")
    try:
        Image.fromarray(np.asarray(rgb, np.uint8)).save(partial, format="PNG")
        os.replace(partial, path)
    finally:
        partial.unlink(missing_ok=True)
