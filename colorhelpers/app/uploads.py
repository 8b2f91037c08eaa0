"""What a visitor of the web app may upload, checked by content, not by name (README, "In the browser").

A file is judged by what its bytes are: its size first (`MAX_BYTES`), then what PIL finds in
it (a picture in a format the road decodes, at most `MAX_PIXELS` pixels and `MAX_FRAMES`
frames), then `colorhelpers.data.check_image`'s full decode, the same check `colorize`
makes. A refused file raises `UploadError`, whose message names the file and the problem in
one line, for the page to show.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from colorhelpers.colorize.road import read_still
from colorhelpers.data.files import TF_DECODABLE_FORMATS, DataError, check_image
from colorhelpers.hints.points import Hints, HintsError, parse_points

#: Largest upload, in bytes (Gradio refuses larger ones before they reach the app, too).
MAX_BYTES = 20 * 2**20
#: Largest picture, in pixels: 16 megapixels, twice a 4K frame.
MAX_PIXELS = 4096 * 4096
#: Most frames of an animated picture.
MAX_FRAMES = 500
#: Largest hints file, in bytes: ample for thousands of points.
MAX_HINTS_BYTES = 2 * 2**20
#: The first bytes of the video containers `colorize` reads (MP4/MOV, WebM/MKV, AVI).
VIDEO_MAGIC = ((4, b"ftyp"), (0, b"\x1a\x45\xdf\xa3"), (8, b"AVI "))


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
        raise UploadError(f"{name}: a video; the app colors still pictures, and "
                          "`python -m colorhelpers colorize --input` colors clips")
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
        raise UploadError(f"{name}: an animated GIF; the app colors still pictures, and "
                          "`python -m colorhelpers colorize --input` colors clips")
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
