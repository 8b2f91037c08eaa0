"""What a visitor of the web app may upload, checked by content, not by name (README, "In the browser").

A file is judged by what its bytes are: its size first (`MAX_BYTES`), then what PIL finds in
it (a picture in a format the road decodes, at most `MAX_PIXELS` pixels and `MAX_FRAMES`
frames), then `colorhelpers.data.check_image`'s full decode, the same check `colorize`
makes. A clip (`check_clip`) is an animated GIF or an MP4 by its content, whatever its name,
opened by `colorhelpers.colorize.probe` as `colorize` opens it, with at most `MAX_FRAMES`
frames of at most `MAX_CLIP_PIXELS` each. A refused file raises `UploadError`, whose message
names the file and the problem in one line, for the page to show.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from colorhelpers.colorize.media import ClipInfo, probe
from colorhelpers.colorize.road import read_still
from colorhelpers.data.files import TF_DECODABLE_FORMATS, DataError, check_image
from colorhelpers.hints.points import Hints, HintsError, parse_points

#: Largest upload, in bytes (Gradio refuses larger ones before they reach the app, too).
MAX_BYTES = 20 * 2**20
#: Largest picture, in pixels: 16 megapixels, twice a 4K frame.
MAX_PIXELS = 4096 * 4096
#: Most frames of an animated picture.
MAX_FRAMES = 500
#: Largest frame of a clip, in pixels: a Full HD frame (every frame is colored, so clips cost more).
MAX_CLIP_PIXELS = 1920 * 1080
#: Largest hints file, in bytes: ample for thousands of points.
MAX_HINTS_BYTES = 2 * 2**20
#: The first bytes of the video containers `colorize` reads (MP4/MOV, WebM/MKV, AVI).
VIDEO_MAGIC = ((4, b"ftyp"), (0, b"\x1a\x45\xdf\xa3"), (8, b"AVI "))
#: The clips the app takes: an MP4's first bytes (the app writes the result in the same format).
MP4_MAGIC = (4, b"ftyp")
#: What the page says of a clip dropped where pictures go, and the other way round.
TO_CLIPS = "drop it under Clip (GIF or MP4)"
TO_PICTURES = "drop it under the picture, or under Several pictures"


class UploadError(DataError):
    """An upload the app refuses; the message names the file and the problem."""


@dataclass(frozen=True)
class Picture:
    """A checked still picture: its name as uploaded and its pixels, uint8 RGB [h, w, 3]."""

    name: str
    rgb: np.ndarray


def _sized(path: Path, name: str, max_bytes: int) -> bytes:
    """The file's first bytes, after checking that it is not empty nor too large."""
    size = path.stat().st_size
    if size == 0:
        raise UploadError(f"{name}: the file is empty")
    if size > max_bytes:
        raise UploadError(f"{name}: {size / 2**20:.1f} MB is more than the app takes "
                          f"({max_bytes / 2**20:.0f} MB)")
    with path.open("rb") as file:
        return file.read(16)


def check_picture(path: Path | str, name: str | None = None, max_bytes: int = MAX_BYTES,
                  max_pixels: int = MAX_PIXELS, max_frames: int = MAX_FRAMES) -> Picture:
    """The uploaded file at `path` (shown as `name`) as a `Picture`, or an `UploadError`."""
    path = Path(path)
    name = name or path.name
    head = _sized(path, name, max_bytes)
    if any(head[at:at + len(magic)] == magic for at, magic in VIDEO_MAGIC):
        raise UploadError(f"{name}: a video, not a picture; {TO_CLIPS}")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # PIL's warnings name no file; the checks below do
            with Image.open(path) as image:
                fmt, (width, height) = image.format, image.size
                frames = getattr(image, "n_frames", 1)
    except Image.DecompressionBombError:
        raise UploadError(f"{name}: too many pixels to decode safely (at most {max_pixels:,})") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise UploadError(f"{name}: not a picture (its content is not PNG, JPEG, GIF or BMP, "
                          "whatever its name says)") from None
    if fmt not in TF_DECODABLE_FORMATS:
        raise UploadError(f"{name}: {fmt} pictures are not supported; convert it to PNG or JPEG")
    if width * height > max_pixels:
        raise UploadError(f"{name}: {width}x{height} is {width * height:,} pixels, more than the app "
                          f"takes ({max_pixels:,})")
    if frames > max_frames:
        raise UploadError(f"{name}: {frames} frames, more than the app takes ({max_frames})")
    if frames > 1:
        raise UploadError(f"{name}: an animated GIF, not a still picture; {TO_CLIPS}")
    problem = check_image(path).problem
    if problem:
        raise UploadError(f"{name}: {problem}")
    return Picture(name, read_still(path))


def check_hints(path: Path | str, width: int, height: int, name: str | None = None,
                max_bytes: int = MAX_HINTS_BYTES) -> Hints:
    """An uploaded hints file: the JSON list of points `--hints` reads, for a `width` x `height` picture."""
    path = Path(path)
    name = name or path.name
    _sized(path, name, max_bytes)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise HintsError(f"{name}: not JSON (not UTF-8 text)") from None
    return parse_points(text, name, width, height)


@dataclass(frozen=True)
class Clip:
    """A checked clip: its name as uploaded and what `probe` found (`info.path` has the suffix
    of its content, .gif or .mp4, so the road reads and writes it in that format)."""

    name: str
    info: ClipInfo


def check_clip(path: Path | str, folder: Path, name: str | None = None, max_bytes: int = MAX_BYTES,
               max_pixels: int = MAX_CLIP_PIXELS, max_frames: int = MAX_FRAMES) -> Clip:
    """The uploaded clip at `path` (shown as `name`), copied into `folder` under a name that
    says its format, as a `Clip`; or an `UploadError`."""
    path = Path(path)
    name = name or path.name
    head = _sized(path, name, max_bytes)
    at, magic = MP4_MAGIC
    if head[at:at + len(magic)] == magic:
        suffix = ".mp4"
    elif head[:6] in (b"GIF87a", b"GIF89a"):
        suffix = ".gif"
    elif any(head[at:at + len(magic)] == magic for at, magic in VIDEO_MAGIC):
        raise UploadError(f"{name}: the app takes GIF and MP4 clips; "
                          "`python -m colorhelpers colorize --input` colors this one")
    else:
        raise UploadError(f"{name}: not a clip (its content is not an animated GIF nor an MP4, "
                          "whatever its name says)")
    copy = Path(folder) / f"{Path(name).stem or 'clip'}{suffix}"
    made = copy.resolve() != path.resolve()  # never remove the upload itself
    if made:
        copy.write_bytes(path.read_bytes())
    try:
        info = probe(copy)
    except DataError as err:
        if made:
            copy.unlink(missing_ok=True)
        raise UploadError(f"{name}: {str(err).split(': ', 1)[-1]}") from None
    problem = None
    if info.width * info.height > max_pixels:
        problem = (f"frames of {info.width}x{info.height} are {info.width * info.height:,} pixels, "
                   f"more than the app takes ({max_pixels:,})")
    elif info.frames is None or info.frames > max_frames:
        problem = f"{info.frames or 'an unknown number of'} frames, more than the app takes ({max_frames})"
    elif info.is_gif and info.frames < 2:
        problem = f"a still GIF, not a clip; {TO_PICTURES}"
    if problem:
        if made:
            copy.unlink(missing_ok=True)
        raise UploadError(f"{name}: {problem}")
    return Clip(name, info)
