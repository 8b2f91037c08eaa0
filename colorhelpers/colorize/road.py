"""One road for colorizing: frames in, guided colors on the working grid, frames out.

Taught in notebooks/05_evaluation (automatic colors at any size); notebooks 09 (hints and a
reference) and 10 (clips) add guides to the same road. The command line, the notebooks'
widgets and the benchmarks all go through it:

1. **Input**: a still image is a stream of one frame; a clip a stream of many, all of one size.
2. **Analysis** (`Colorizer.analyse`, traced once): each frame's full-resolution L and luma,
   its lightness on the working grid (`colorhelpers.colorize.grid`), and the network's
   automatic colors there (the prior), scaled by the saturation.
3. **Guidance**: a `Guide` turns a frame's prior into the colors to show: none (the automatic
   colors), hints or a reference (`colorhelpers.hints`), steady colors along the optical flow
   (`colorhelpers.clips`), in any combination the guides build themselves.
4. **Join** (`colorhelpers.color.join`): the grid's colors meet the input's own lightness, or
   for line art, the lightness the network predicts, never lighter than the drawing's own
   (notebooks/11_line_art), so lines stay where and as dark as they were drawn.
5. **Output**: one writer per output kind, PNG for a still and the same format for a clip
   (`colorhelpers.colorize.media`); a file appears under its name only when complete.
"""

from __future__ import annotations

import contextlib
import functools
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from colorhelpers.color.join import join_color, luma, with_luma
from colorhelpers.color.lab import L_SCALE, l_ab_to_rgb, normalize_lab, rgb_to_lab
from colorhelpers.colorize.grid import WorkingGrid, predict_on_grid
from colorhelpers.colorize.media import (
    ClipError,
    ClipInfo,
    ClipWriter,
    is_clip,
    probe,
    read_frames,
    write_png,
)
from colorhelpers.data.files import decode_rgb

#: Frames analysed together: the network is about twice as fast per frame in batches of 8...
BATCH = 8
#: ...unless a batch would hold more pixels than this (large frames go a few at a time).
BATCH_PIXELS = 8 * 512 * 512


def batch_size(height: int, width: int) -> int:
    """How many frames of `height` x `width` the road analyses together."""
    return max(1, min(BATCH, BATCH_PIXELS // (height * width)))


def clip_frames(info: ClipInfo) -> Iterator[tuple[np.ndarray, int | None]]:
    """A clip's (uint8 RGB frame, duration) pairs, each checked to have the first frame's size."""
    for number, (rgb, duration) in enumerate(read_frames(info), 1):
        if rgb.shape[:2] != (info.height, info.width):
            raise ClipError(f"{info.path}: frame {number} is {rgb.shape[1]}x{rgb.shape[0]}, "
                            f"not {info.width}x{info.height} like the first")
        yield rgb, duration


@dataclass
class Frame:
    """One frame on the road: where it is in its stream, and what the analysis found.

    `l_full` [h, w, 1] (scaled L) and `luma` [h, w] are full resolution; `lightness` [rows,
    columns] (L in 0-100) and `prior_ab` [rows, columns, 2] (the network's scaled ab, with the
    saturation applied) are on the working `grid`. For line art, `drawing` is the input's own
    scaled L [h, w, 1], and `l_full`, `luma` and `lightness` are the lightness to show.
    """

    index: int
    grid: WorkingGrid
    l_full: tf.Tensor
    luma: tf.Tensor
    lightness: np.ndarray
    prior_ab: np.ndarray
    drawing: tf.Tensor | None = None

    @property
    def gray(self) -> np.ndarray:
        """The grid's lightness as uint8 (what optical flow reads)."""
        return np.round(self.lightness * (255.0 / (2 * L_SCALE))).clip(0, 255).astype(np.uint8)


@dataclass(frozen=True)
class Colors:
    """A guide's answer: scaled ab on the working grid, and full-resolution pixels whose color
    is given exactly (`pinned`: rows, columns, scaled ab [n, 2]), such as hint points; or
    `full_ab`, scaled ab at the input's own size, which replaces the grid's (a keyframe), and
    `full_l`, scaled L [h, w, 1] replacing the frame's (line-art regions filled from hints)."""

    ab: np.ndarray
    pinned: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    full_ab: np.ndarray | None = None
    full_l: np.ndarray | None = None


#: A guide: called on the frames of one stream in order, returns the colors to show.
Guide = Callable[[Frame], Colors]


def automatic(frame: Frame) -> Colors:
    """The guide of no guidance: the network's own colors."""
    return Colors(frame.prior_ab)


@tf.function(input_signature=[tf.TensorSpec([None, None, None, 3], tf.uint8)])
def full_resolution(frames: tf.Tensor) -> tuple[tf.Tensor, tf.Tensor]:
    """uint8 frames [n, h, w, 3] -> (scaled L [n, h, w, 1], luma [n, h, w]): what the join keeps."""
    rgb = tf.image.convert_image_dtype(frames, tf.float32)
    return normalize_lab(rgb_to_lab(rgb))[0], luma(rgb)


def predicts_lightness(generator) -> bool:
    """Whether a generator predicts L as well as ab (a line-art model: three channels out)."""
    return (getattr(generator, "output_shape", None) or (2,))[-1] == 3


def gray_luma(l_full: tf.Tensor) -> tf.Tensor:
    """The luma [n, h, w] of neutral grays of scaled L [n, h, w, 1]."""
    return luma(l_ab_to_rgb(l_full, tf.zeros_like(tf.concat([l_full, l_full], -1))))


@functools.lru_cache(maxsize=8)
def _analyser(generator: keras.Model, size: int, fit: str, keep_ink: bool):
    """Traced once per model: (scaled L [n, h, w, 1], luma [n, h, w]) -> (the L and luma to
    show, grid lightness [n, rows, columns] in 0-100, the network's scaled ab [n, rows, columns, 2]).
    A gray model keeps the input's L and luma; a line-art model (Lab out) brings its own L."""
    lineart = predicts_lightness(generator)

    @tf.function(input_signature=[tf.TensorSpec([None, None, None, 1], tf.float32),
                                  tf.TensorSpec([None, None, None], tf.float32)])
    def analyse(l_full: tf.Tensor, target_luma: tf.Tensor):
        colors = predict_on_grid(generator, l_full, size, fit, keep_ink)
        if lineart:
            # The network's lightness, never lighter than the drawing: the lines stay as drawn.
            l_pred = tf.image.resize(colors[..., :1], tf.shape(l_full)[1:3], method="bilinear")
            l_full = tf.minimum(l_pred, l_full)
            target_luma = gray_luma(l_full)
        l_grid = tf.image.resize(l_full, tf.shape(colors)[1:3], method="area", antialias=True)[..., 0]
        return l_full, target_luma, (l_grid + 1.0) * L_SCALE, colors[..., -2:]

    return analyse


@tf.function(input_signature=[tf.TensorSpec([None, None, None, 1], tf.float32),
                              tf.TensorSpec([None, None, None], tf.float32),
                              tf.TensorSpec([None, None, None, 2], tf.float32)])
def _join(l_full: tf.Tensor, target_luma: tf.Tensor, ab_grid: tf.Tensor) -> tf.Tensor:
    return join_color(l_full, target_luma, ab_grid)


def _pin(out: np.ndarray, frame: Frame, pinned: tuple[np.ndarray, np.ndarray, np.ndarray]) -> None:
    """Give the pinned pixels of `out` (uint8 [h, w, 3]) their exact color on the input's luma,
    not the blend of grid cells that upsampling gives them."""
    ys, xs, ab = pinned
    where = np.stack([ys, xs], 1)
    color = l_ab_to_rgb(tf.gather_nd(frame.l_full, where), ab)
    color = with_luma(color, tf.gather_nd(frame.luma, where))
    out[ys, xs] = np.round(color.numpy() * 255.0).astype(np.uint8)


class Colorizer:
    """A trained generator on the road: `still` for one image, `frames` for a stream.

    `size` is the model's training size; `saturation` scales the automatic colors (below 1
    duller and safer, above 1 more colorful and riskier; notebook 05 plots it); `fit` is how
    an image meets the network (`colorhelpers.colorize.grid.FITS`); `keep_ink` shrinks a larger
    input keeping its darkest pixels (`grid.shrink`), by default for a line-art model only.
    """

    def __init__(self, generator: keras.Model, size: int, saturation: float = 1.0,
                 fit: str = "aspect", keep_ink: bool | None = None) -> None:
        self.generator, self.size, self.saturation, self.fit = generator, size, float(saturation), fit
        #: A line-art model predicts L as well as ab (notebooks/11_line_art).
        self.lineart = predicts_lightness(generator)
        self._analyse = _analyser(generator, size, fit, self.lineart if keep_ink is None else keep_ink)

    def analyse(self, frames: np.ndarray, first_index: int = 0) -> list[Frame]:
        """uint8 RGB frames [n, h, w, 3] of one size -> their `Frame`s."""
        frames = np.asarray(frames)
        drawing, drawing_luma = full_resolution(frames)
        l_full, target_luma, lightness, ab = self._analyse(drawing, drawing_luma)
        grid = WorkingGrid.of(frames.shape[1], frames.shape[2], self.size, self.fit)
        prior = np.clip(ab.numpy() * self.saturation, -1.0, 1.0)
        return [Frame(first_index + i, grid, l_full[i], target_luma[i], lightness[i].numpy(), prior[i],
                      drawing[i] if self.lineart else None) for i in range(len(frames))]

    def join(self, frames: list[Frame], colors: list[Colors]) -> np.ndarray:
        """The frames' colors joined with their own lightness: uint8 RGB [n, h, w, 3]."""
        out = _join(tf.stack([f.l_full for f in frames]), tf.stack([f.luma for f in frames]),
                    tf.constant(np.stack([c.ab for c in colors]), tf.float32)).numpy()
        for i, (frame, color) in enumerate(zip(frames, colors)):
            if color.full_l is not None:
                l_full = tf.constant(color.full_l[None], tf.float32)
                ab = color.ab if color.full_ab is None else color.full_ab
                out[i] = _join(l_full, gray_luma(l_full), tf.constant(ab[None], tf.float32))[0].numpy()
            elif color.full_ab is not None:
                out[i] = _join(frame.l_full[None], frame.luma[None],
                               tf.constant(color.full_ab[None], tf.float32))[0].numpy()
            if color.pinned is not None and len(color.pinned[0]):
                _pin(out[i], frame, color.pinned)
        return out

    def frames(self, frames: Iterable[np.ndarray], guide: Guide | None = None) -> Iterator[np.ndarray]:
        """Each uint8 RGB frame of a stream colored, in order, reading at most a batch ahead."""
        guide = guide or automatic
        batch: list[np.ndarray] = []
        done = 0
        for frame in frames:
            batch.append(np.asarray(frame, np.uint8))
            if len(batch) >= batch_size(*batch[0].shape[:2]):
                yield from self._batch(batch, done, guide)
                done, batch = done + len(batch), []
        if batch:
            yield from self._batch(batch, done, guide)

    def _batch(self, batch: list[np.ndarray], first_index: int, guide: Guide) -> np.ndarray:
        analysed = self.analyse(np.stack(batch), first_index)
        return self.join(analysed, [guide(frame) for frame in analysed])

    def still(self, rgb, guide: Guide | None = None) -> np.ndarray:
        """One image of any size and shape: RGB [h, w, 3] (uint8, or floats in [0, 1]) in,
        uint8 RGB [h, w, 3] out. Color inputs are treated as gray: only their lightness is used."""
        rgb = np.asarray(rgb)
        if rgb.dtype != np.uint8:
            rgb = np.round(np.clip(rgb, 0.0, 1.0) * 255.0).astype(np.uint8)
        return next(self.frames([rgb], guide))


def colorize_rgb(generator: keras.Model, rgb, size: int, saturation: float = 1.0,
                 fit: str = "aspect") -> np.ndarray:
    """The automatic colors of one image: `Colorizer(generator, size, saturation, fit).still(rgb)`."""
    return Colorizer(generator, size, saturation, fit).still(rgb)


def read_still(path: Path | str) -> np.ndarray:
    """A still image file as uint8 RGB, upright by its EXIF orientation, transparency on white."""
    return tf.image.convert_image_dtype(decode_rgb(str(path)), tf.uint8, saturate=True).numpy()


def output_path(path: Path | str, output_dir: Path | str) -> Path:
    """Where `colorize_path` writes: `<stem>.png` for a still, the same format for a clip."""
    path = Path(path)
    return Path(output_dir) / (path.name if is_clip(path) else f"{path.stem}.png")


@contextlib.contextmanager
def output_folder(path: Path) -> Iterator[Path]:
    """Make the folder `path` first (an unwritable one fails before any work); if the block
    fails, a folder made here and still empty is removed, so a refused command writes nothing."""
    made = not path.exists()
    path.mkdir(parents=True, exist_ok=True)
    try:
        yield path
    except BaseException:
        if made and not any(path.iterdir()):
            path.rmdir()
        raise


def colorize_path(colorizer: Colorizer, path: Path | str, output_dir: Path | str, guide: Guide | None = None,
                  progress: bool | Callable[[int, int | None], None] = False) -> Path:
    """Colorize one image or clip file into `output_dir` (see `output_path`); returns the path.

    A clip keeps its frame count, size and timing (`media.ClipWriter`); `progress` True shows a
    bar over its frames, a callable hears (frames written, frames in the file or None) after each
    (the web app's bar). A frame of another size than the first is a ClipError.
    """
    out = output_path(path, output_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    if not is_clip(path):
        write_png(out, colorizer.still(read_still(path), guide))
        return out
    info = probe(path)
    durations: deque[int | None] = deque()  # of the frames read but not yet written

    def frames() -> Iterator[np.ndarray]:
        for rgb, duration in clip_frames(info):
            durations.append(duration)
            yield rgb

    bar = keras.utils.Progbar(info.frames, unit_name="frame") if progress is True else None
    with ClipWriter(out, info) as writer:
        for rgb in colorizer.frames(frames(), guide):
            writer.write(rgb, durations.popleft())
            if bar:
                bar.update(writer.count)
            elif progress:
                progress(writer.count, info.frames)
    if bar and info.frames != writer.count:
        bar.update(writer.count, finalize=True)
    return out
