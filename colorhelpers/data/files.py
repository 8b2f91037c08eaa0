"""Image files in, checked and decoded: what to use, what to skip and why, RGB tensors out.

Taught in notebooks/02_data_pipeline (the first of its two steps).

`find_images` looks at every file once, in Python, and decides what to do with it: use it, or
skip it with a one-line warning naming the file and the reason. That way a corrupt JPEG or a
text file called `.jpg` is reported clearly instead of failing deep inside a TensorFlow graph
in the middle of an epoch. `decode_rgb` and `load_rgb` then read a file as TensorFlow ops, so
that `colorhelpers.data.pipeline` can run them in parallel inside `tf.data`.
"""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import tensorflow as tf
from PIL import Image, UnidentifiedImageError

#: Formats TensorFlow's `decode_image` reads (PIL's names for them).
TF_DECODABLE_FORMATS = frozenset({"JPEG", "PNG", "GIF", "BMP", "MPO"})
#: Images smaller than this on either side carry no usable texture.
MIN_SIDE = 8
#: An RGB image whose channels never differ by more than this (0-255) counts as gray.
GRAY_TOLERANCE = 4
#: Subfolder names that mark a dataset already split into training and held-out images.
SPLIT_DIRS = ("train", "heldout")
#: The EXIF tag saying how a camera held the picture; viewers turn the image upright by it.
EXIF_ORIENTATION_TAG = 0x0112


class DataError(ValueError):
    """A dataset folder that cannot be used at all (missing, empty, nothing usable)."""


class SkippedImageWarning(UserWarning):
    """An image file that was skipped; the message names the file and the reason."""


@dataclass(frozen=True)
class ImageCheck:
    """What `check_image` found out about one file."""

    path: Path
    problem: str | None  # None when the file can be used
    is_gray: bool = False


def check_image(path: Path) -> ImageCheck:
    """Open one file fully with PIL and say whether TensorFlow can use it, and why not.

    Truncated and corrupt files are found here because `load()` decodes every pixel, and
    TensorFlow decodes the file too, since a few damaged files that PIL tolerates it does not.
    """
    try:
        with warnings.catch_warnings():
            # PIL warns about some odd files (palette transparency, EXIF it cannot parse)
            # without naming the file; what matters is whether the image can be decoded.
            warnings.simplefilter("ignore")
            image = Image.open(path)
        with image:
            image.draft("RGB", (256, 256))  # JPEGs decode at reduced size: a fast, full check
            image.load()
            fmt, mode, size = image.format, image.mode, image.size
            thumb = image.convert("RGB") if mode not in ("L", "LA", "I", "I;16") else None
    except Image.DecompressionBombError as err:
        return ImageCheck(path, f"too large to decode safely ({err})")
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        reason = "not an image" if isinstance(err, UnidentifiedImageError) else "corrupt or truncated"
        return ImageCheck(path, f"{reason} ({err})")
    if fmt not in TF_DECODABLE_FORMATS:
        return ImageCheck(path, f"{fmt} images are not supported; convert it to PNG or JPEG")
    try:
        decode_rgb(str(path), orientation=1)
    except (tf.errors.InvalidArgumentError, tf.errors.OutOfRangeError, tf.errors.DataLossError) as err:
        return ImageCheck(path, f"corrupt ({err.message.splitlines()[0]})")
    if min(size) < MIN_SIDE:
        return ImageCheck(path, f"too small ({size[0]}x{size[1]} px, need at least {MIN_SIDE})")
    if thumb is None:
        return ImageCheck(path, None, is_gray=True)
    pixels = np.asarray(thumb, dtype=np.int16)
    spread = int((pixels.max(axis=-1) - pixels.min(axis=-1)).max())
    return ImageCheck(path, None, is_gray=spread <= GRAY_TOLERANCE)


def find_images(folder: Path | str, *, require_color: bool = True,
                also: Callable[[Path], bool] | None = None) -> list[Path]:
    """List the usable images in `folder` (not recursive), sorted by name.

    Unusable files are skipped with a `SkippedImageWarning` naming the file and the reason;
    with `require_color`, so are images that are already gray (there is no color to learn
    from them). Raises `DataError` if the folder is missing or holds no usable image.
    Files for which `also(path)` is true are listed unchecked (`colorize` passes
    `clips.is_clip`: GIFs and videos are checked frame by frame as they are read).
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise DataError(f"{folder}: no such folder")
    usable = []
    for path in sorted(p for p in folder.iterdir() if p.is_file() and not p.name.startswith(".")):
        if also is not None and also(path):
            usable.append(path)
            continue
        check = check_image(path)
        problem = check.problem
        if problem is None and require_color and check.is_gray:
            problem = "already grayscale, nothing to learn color from"
        if problem:
            warnings.warn(f"skipping {path}: {problem}", SkippedImageWarning, stacklevel=2)
        else:
            usable.append(path)
    if not usable:
        raise DataError(f"{folder}: no usable {'color ' if require_color else ''}images found")
    return usable


def split_dataset(folder: Path | str, heldout_fraction: float = 0.1) -> tuple[list[Path], list[Path]]:
    """The training and held-out images of a dataset folder.

    A folder with `train/` and `heldout/` subfolders (like `data/cartoons`) is split already.
    Any other folder is split here by a hash of each file name, so the split is stable
    when images are added or removed. At least one image is always held out.
    """
    folder = Path(folder)
    if all((folder / name).is_dir() for name in SPLIT_DIRS):
        return find_images(folder / "train"), find_images(folder / "heldout")
    paths = find_images(folder)
    if len(paths) < 2:
        raise DataError(f"{folder}: need at least 2 usable images (one to train, one held out)")

    def bucket(path: Path) -> float:
        return int(hashlib.sha1(path.name.encode()).hexdigest()[:8], 16) / 16**8

    heldout = [p for p in paths if bucket(p) < heldout_fraction] or [min(paths, key=bucket)]
    return [p for p in paths if p not in heldout], heldout


def _rgb_on_white(image: tf.Tensor) -> tf.Tensor:
    """Any decoded image (gray, gray+alpha, RGB, RGBA) as RGB, transparency flattened on white."""
    channels = tf.shape(image)[-1]
    gray = image[..., :1]
    rgba = tf.switch_case(
        channels - 1,
        [
            lambda: tf.concat([gray, gray, gray, tf.ones_like(gray)], -1),
            lambda: tf.concat([gray, gray, gray, image[..., 1:2]], -1),
            lambda: tf.concat([image[..., :3], tf.ones_like(gray)], -1),
            lambda: image[..., :4],
        ],
    )
    alpha = rgba[..., 3:]
    return rgba[..., :3] * alpha + (1.0 - alpha)


def exif_orientation(path: Path | str) -> int:
    """The file's EXIF orientation code, 1 (upright) to 8; 1 when it has none or is unreadable."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as image:
                code = image.getexif().get(EXIF_ORIENTATION_TAG, 1)
    except (OSError, SyntaxError, ValueError):
        return 1
    return code if code in range(1, 9) else 1


def orient(image: tf.Tensor, orientation: tf.Tensor | int) -> tf.Tensor:
    """Turn an image [h, w, c] upright by its EXIF orientation code, as viewers show it.

    The eight codes are the four rotations, with and without a mirror image (what PIL's
    `ImageOps.exif_transpose` does, in TensorFlow ops so it runs inside `tf.data`).
    """
    # Each branch is a function, so only the transform the code asks for runs.
    upright = [
        lambda: image,  # 1: upright already
        lambda: tf.image.flip_left_right(image),  # 2: mirrored
        lambda: tf.image.rot90(image, 2),  # 3: upside down
        lambda: tf.image.flip_up_down(image),  # 4: mirrored upside down
        lambda: tf.image.transpose(image),  # 5: mirrored, turned 90 degrees
        lambda: tf.image.rot90(image, 3),  # 6: turned 90 degrees counter-clockwise: turn it clockwise
        lambda: tf.image.rot90(tf.image.transpose(image), 2),  # 7: mirrored, turned the other way
        lambda: tf.image.rot90(image, 1),  # 8: turned 90 degrees clockwise
    ]
    index = tf.clip_by_value(tf.cast(orientation, tf.int32) - 1, 0, 7)
    return tf.switch_case(index, upright)


def decode_rgb(path: tf.Tensor | str, orientation: tf.Tensor | int | None = None) -> tf.Tensor:
    """Read and decode any supported image file at full size as float32 RGB in [0, 1].

    Gray images are repeated over three channels; transparency is flattened on white; the
    image is turned upright by its EXIF `orientation`, read from the file when None (a
    Python path only: inside `tf.data`, pass the code, see `image_dataset`).
    16-bit PNGs keep their precision until this float conversion.
    """
    if orientation is None:
        if isinstance(path, tf.Tensor):
            raise TypeError("decode_rgb of a path tensor needs its orientation (exif_orientation)")
        orientation = exif_orientation(path)
    contents = tf.io.read_file(path)
    image = tf.cond(
        tf.io.is_jpeg(contents),
        # The accurate DCT decodes JPEGs as PIL and OpenCV do; the default fast one can be
        # off by several levels, which would shift the luma that colorizing must keep.
        lambda: tf.image.convert_image_dtype(
            tf.io.decode_jpeg(contents, channels=0, dct_method="INTEGER_ACCURATE"), tf.float32
        ),
        lambda: tf.io.decode_image(contents, channels=0, dtype=tf.float32, expand_animations=False),
    )
    return orient(_rgb_on_white(image), orientation)


def load_rgb(path: tf.Tensor | str, size: int, orientation: tf.Tensor | int | None = None) -> tf.Tensor:
    """Decode, turn upright, crop the central square and resize to `size` x `size`.

    Returns float32 RGB in [0, 1] of shape [size, size, 3]: a training example. Pure
    TensorFlow ops once the orientation is known (see `decode_rgb`).
    """
    image = decode_rgb(path, orientation)
    height, width = tf.shape(image)[0], tf.shape(image)[1]
    side = tf.minimum(height, width)
    image = tf.image.crop_to_bounding_box(image, (height - side) // 2, (width - side) // 2, side, side)
    image = tf.image.resize(image, [size, size], method="area", antialias=True)
    return tf.ensure_shape(tf.clip_by_value(image, 0.0, 1.0), [size, size, 3])
