"""The working grid: the one size at which colors are predicted and guided for an input.

Taught in notebooks/05_evaluation (colorizing any size and shape). The generator is all
convolutions, so it runs at an image's own aspect ratio: the shorter side becomes the model's
training size, and the longer one keeps its proportion (mirror-padded up to a multiple of the
size for the U-Net's halvings, and cropped back). The working grid is that shape, or the
input's own size when the input is smaller (an upsampled grid would hold no more than the
input, and optical flow and propagation would work on made-up pixels). Hints, a reference
image and optical flow all work on this same grid, and only color lives there:
`colorhelpers.color.join` brings it back to the input's full resolution.
"""

from __future__ import annotations

from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

#: How an image meets the network: "aspect" keeps its proportions (the default); "squash"
#: resizes it to the model's square, distorting non-square images (colorgan before release 0.3).
FITS = ("aspect", "squash")
#: The working grid is never coarser than the input brought to this many pixels on its longer side.
FINE_SIDE = 128


def network_shape(height, width, size: int, fit: str = "aspect"):
    """(rows, columns) at which the network sees a `height` x `width` input: the shorter side
    `size`, proportions kept (or `size` x `size` for `fit="squash"`). Works on ints and tensors.

    >>> [tuple(int(v) for v in network_shape(h, w, 128)) for h, w in ((512, 512), (150, 100), (720, 1280))]
    [(128, 128), (192, 128), (128, 228)]
    """
    if fit not in FITS:
        raise ValueError(f"fit must be one of {FITS}, got {fit!r}")
    if fit == "squash":
        return size, size
    if isinstance(height, int) and isinstance(width, int):
        scale = size / min(height, width)
        return round(height * scale), round(width * scale)
    scale = size / tf.cast(tf.minimum(height, width), tf.float32)
    return (tf.cast(tf.round(tf.cast(height, tf.float32) * scale), tf.int32),
            tf.cast(tf.round(tf.cast(width, tf.float32) * scale), tf.int32))


def working_shape(height, width, size: int, fit: str = "aspect"):
    """(rows, columns) of the working grid: `network_shape`, or the input's own size where that
    is smaller; and never coarser than the input brought to `FINE_SIDE` px on its longer side
    (a model smaller than that would otherwise track motion and spread hints on a coarse grid).
    Works on ints and tensors.

    >>> [tuple(int(v) for v in working_shape(h, w, 128)) for h, w in ((512, 512), (150, 100), (96, 96))]
    [(128, 128), (150, 100), (96, 96)]
    >>> tuple(int(v) for v in working_shape(64, 48, 32))  # a 32 px model: the clip's own size
    (64, 48)
    """
    rows, columns = network_shape(height, width, size, fit)
    if isinstance(height, int) and isinstance(width, int):
        rows, columns = (rows, columns) if rows <= height and columns <= width else (height, width)
        scale = min(1.0, FINE_SIDE / max(height, width))
        fine = round(height * scale), round(width * scale)
        return fine if fit == "aspect" and fine[0] * fine[1] > rows * columns else (rows, columns)
    smaller = tf.logical_and(rows <= height, columns <= width)
    rows, columns = tf.where(smaller, rows, height), tf.where(smaller, columns, width)
    if fit != "aspect":
        return rows, columns
    scale = tf.minimum(1.0, FINE_SIDE / tf.cast(tf.maximum(height, width), tf.float32))
    fine_rows = tf.cast(tf.round(tf.cast(height, tf.float32) * scale), tf.int32)
    fine_columns = tf.cast(tf.round(tf.cast(width, tf.float32) * scale), tf.int32)
    finer = fine_rows * fine_columns > rows * columns
    return tf.where(finer, fine_rows, rows), tf.where(finer, fine_columns, columns)


@dataclass(frozen=True)
class WorkingGrid:
    """The working grid of one input: its full size, the grid's, and the mapping between them."""

    height: int
    width: int
    rows: int
    columns: int

    @classmethod
    def of(cls, height: int, width: int, size: int, fit: str = "aspect") -> WorkingGrid:
        rows, columns = working_shape(int(height), int(width), size, fit)
        return cls(int(height), int(width), int(rows), int(columns))

    @property
    def shape(self) -> tuple[int, int]:
        return self.rows, self.columns

    def cells(self, ys: np.ndarray, xs: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The grid cell (row, column) of input pixels (`ys`, `xs`)."""
        return (np.minimum(np.asarray(ys) * self.rows // self.height, self.rows - 1),
                np.minimum(np.asarray(xs) * self.columns // self.width, self.columns - 1))


def shrink(l_full: tf.Tensor, rows, columns, keep_ink: bool = False) -> tf.Tensor:
    """Scaled L [n, h, w, 1] resized to [n, rows, columns, 1] by area averaging.

    With `keep_ink` (line art), every block of k x k pixels first becomes its darkest pixel, k
    the whole number nearest to how many times larger the input is: averaged, a 1 px line of a
    256 px drawing would reach a 128 px network as a faint gray, half as dark as the lines it
    learned from.

    >>> line = np.ones([1, 8, 8, 1], np.float32); line[0, :, 3] = -1.0  # a 1 px black line
    >>> [float(tf.reduce_min(shrink(line, 4, 4, keep_ink))) for keep_ink in (False, True)]
    [0.0, -1.0]
    """
    if keep_ink:
        count, height, width = tf.shape(l_full)[0], tf.shape(l_full)[1], tf.shape(l_full)[2]
        k = tf.maximum(1, tf.cast(tf.round(tf.minimum(height / rows, width / columns)), tf.int32))
        pad_rows, pad_columns = (-height) % k, (-width) % k
        paper = tf.pad(l_full, [[0, 0], [0, pad_rows], [0, pad_columns], [0, 0]], constant_values=1.0)
        blocks = tf.reshape(paper, [count, (height + pad_rows) // k, k, (width + pad_columns) // k, k, 1])
        l_full = tf.reduce_min(blocks, axis=[2, 4])
    return tf.image.resize(l_full, [rows, columns], method="area", antialias=True)


def predict_on_grid(generator: keras.Model, l_full: tf.Tensor, size: int, fit: str = "aspect",
                    keep_ink: bool = False) -> tf.Tensor:
    """The generator's colors [n, rows, columns, channels] for scaled L [n, h, w, 1] (frames of
    one size): scaled ab, or a line-art model's L and ab, its drawing shrunk with `keep_ink`.

    A square-only network (one built for `size` x `size`) always sees the squashed square."""
    height, width = tf.shape(l_full)[1], tf.shape(l_full)[2]
    rows, columns = network_shape(height, width, size, fit)
    if generator.input_shape[1] is not None:  # a square-only network
        rows, columns = size, size
    small = shrink(l_full, rows, columns, keep_ink)
    # Every side must be a multiple of `size` for the U-Net's halvings: mirror the edges out.
    padded = tf.pad(small, [[0, 0], [0, (-rows) % size], [0, (-columns) % size], [0, 0]], mode="SYMMETRIC")
    ab = tf.cast(generator(padded, training=False), tf.float32)[:, :rows, :columns]
    grid = working_shape(height, width, size, fit)
    return tf.image.resize(ab, tf.stack(grid), method="area", antialias=True)
