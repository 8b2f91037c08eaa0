"""Using a trained run: colorize images of any size and shape, score a run, compare its epochs.

Taught in notebooks/05_evaluation. The command line (`python -m colorhelpers`) calls
these same functions. `SHIPPED_RUN` is the model that comes with the package (trained by
`make train` on the bundled characters), used when no run is named.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from colorhelpers.config import TrainConfig
from colorhelpers.data import decode_rgb, eval_batches, find_images, split_dataset
from colorhelpers.lab import l_ab_to_rgb, normalize_lab, rgb_to_lab
from colorhelpers.metrics import evaluate_generator, predict_ab
from colorhelpers.plotting import gray_output_truth, show_images
from colorhelpers.recipe import generator_for
from colorhelpers.runs import RunDirectory, RunError, atomic_path, read_preview, write_atomically

#: The run that ships inside the package: its config, metrics and last generator only.
SHIPPED_RUN = Path(__file__).resolve().parent / "shipped"


def open_run(run_dir: Path | str) -> RunDirectory:
    """A run directory that holds a config and at least one trained epoch."""
    run = RunDirectory(Path(run_dir))
    if not run.config_file.exists() or not (run.saved_epochs() or run.previewed_epochs()):
        raise RunError(
            f"{run.root}: no trained run here (no config.json or no saved epoch); "
            "train one first with `python -m colorhelpers train --data DIR --out RUN_DIR`"
        )
    return run


def load_generator(run: RunDirectory, epoch: int | None = None) -> tuple[keras.Model, int]:
    """The generator of `epoch` (the last saved one by default) and that epoch's number.

    It is built for any image shape (see `colorize_rgb`). A missing or damaged weights file
    is a RunError naming the file and what to do.
    """
    epochs = run.saved_epochs()
    epoch = epochs[-1] if epoch is None else epoch
    kept = ", ".join(map(str, epochs))
    if epoch not in epochs:
        raise RunError(f"{run.root}: the generator of epoch {epoch} was not kept (kept: {kept}); "
                       "choose one of those, or train with --keep-every 1 to keep every epoch")
    path = run.generator_weights(epoch)
    generator = generator_for(run.read_config(), any_size=True)
    try:
        generator.load_weights(path)  # float16 on disk (float32 in older runs), cast on load
    # Keras and h5py report damaged or foreign files with many exception types.
    except Exception as err:  # noqa: BLE001
        raise RunError(f"{path}: damaged or not this run's model ({str(err).splitlines()[0][:120]}); "
                       f"use another --epoch (kept: {kept}) or retrain") from None
    return generator, epoch


#: Rec. 601 luma weights: what PIL, OpenCV and most programs mean by "convert to gray".
LUMA_WEIGHTS = (0.299, 0.587, 0.114)


def luma(rgb: tf.Tensor) -> tf.Tensor:
    """Rec. 601 luma of sRGB in [0, 1], shape [...]."""
    return tf.tensordot(tf.convert_to_tensor(rgb, tf.float32), tf.constant(LUMA_WEIGHTS), 1)


def with_luma(rgb: tf.Tensor, target_luma: tf.Tensor) -> tf.Tensor:
    """Give `rgb` exactly the luma `target_luma`, keeping its color where sRGB allows.

    Shifting all three channels by the same amount shifts luma by that amount (the weights
    sum to 1), so the color is kept as an offset from gray and put back on the target
    luma. Where that leaves the sRGB cube, the offset is shrunk (desaturated) just enough,
    instead of clipping channels, which would change the luma again.
    """
    offset = rgb - luma(rgb)[..., None]
    target = tf.convert_to_tensor(target_luma, tf.float32)[..., None]
    safe = tf.where(offset == 0.0, 1.0, offset)
    room = tf.where(offset > 0, (1.0 - target) / safe, tf.where(offset < 0, -target / safe, 1.0))
    scale = tf.clip_by_value(tf.reduce_min(room, axis=-1, keepdims=True), 0.0, 1.0)
    return tf.clip_by_value(target + scale * offset, 0.0, 1.0)


#: How an image meets the network: "aspect" keeps its proportions (the shorter side becomes
#: the model's size, the longer one is padded up to a multiple of it); "squash" resizes it
#: to the model's square, distorting non-square images (colorgan before release 0.3).
FITS = ("aspect", "squash")


def working_shape(height: tf.Tensor, width: tf.Tensor, size: int) -> tuple[tf.Tensor, tf.Tensor]:
    """The size the network sees an image at: the shorter side `size`, proportions kept."""
    scale = size / tf.cast(tf.minimum(height, width), tf.float32)
    return (tf.cast(tf.round(tf.cast(height, tf.float32) * scale), tf.int32),
            tf.cast(tf.round(tf.cast(width, tf.float32) * scale), tf.int32))


def predict_ab_at(generator: keras.Model, l_full: tf.Tensor, size: int, fit: str = "aspect") -> tf.Tensor:
    """The generator's ab [1, h', w', 2] for L [h, w, 1] at any size, fitted as `fit` says."""
    if fit == "squash" or generator.input_shape[1] is not None:  # a square-only network
        small = tf.image.resize(l_full[None], [size, size], method="area", antialias=True)
        return tf.cast(generator(small, training=False), tf.float32)
    height, width = working_shape(tf.shape(l_full)[0], tf.shape(l_full)[1], size)
    small = tf.image.resize(l_full[None], [height, width], method="area", antialias=True)
    # Every side must be a multiple of `size` for the U-Net's halvings: mirror the edges out.
    pad_h, pad_w = (-height) % size, (-width) % size
    padded = tf.pad(small, [[0, 0], [0, pad_h], [0, pad_w], [0, 0]], mode="SYMMETRIC")
    return tf.cast(generator(padded, training=False), tf.float32)[:, :height, :width]


@functools.lru_cache(maxsize=8)
def _colorizer(generator: keras.Model, size: int, saturation: float = 1.0,
               fit: str = "aspect") -> tf.types.experimental.PolymorphicFunction:
    """`colorize_rgb`'s steps traced once into a graph that takes any image size.

    Run eagerly, the few dozen small TensorFlow ops cost as much as the network itself.
    """
    if fit not in FITS:
        raise ValueError(f"fit must be one of {FITS}, got {fit!r}")

    @tf.function(input_signature=[tf.TensorSpec([None, None, 3], tf.float32)])
    def colorize(rgb: tf.Tensor) -> tf.Tensor:
        l_full, _ = normalize_lab(rgb_to_lab(rgb))
        ab_small = tf.clip_by_value(predict_ab_at(generator, l_full, size, fit) * saturation, -1.0, 1.0)
        return join_color(l_full, luma(rgb), ab_small)

    return colorize


def join_color(l_full: tf.Tensor, target_luma: tf.Tensor, ab_small: tf.Tensor) -> tf.Tensor:
    """ab at the model's size [1, h', w', 2], upsampled and joined with the full-resolution L
    [h, w, 1] and luma [h, w]: uint8 RGB [h, w, 3] (colorizing and the hints share it)."""
    ab_full = tf.image.resize(ab_small, tf.shape(l_full)[:2], method="bilinear")[0]
    color = with_luma(l_ab_to_rgb(l_full, ab_full), target_luma)
    return tf.cast(tf.round(color * 255.0), tf.uint8)


def colorize_rgb(generator: keras.Model, rgb: tf.Tensor, size: int, saturation: float = 1.0,
                 fit: str = "aspect") -> np.ndarray:
    """Colorize one image of any size and shape: float RGB [h, w, 3] in, uint8 RGB [h, w, 3] out.

    Only the color is predicted at the model's size; it is upsampled and joined with the
    full-resolution L of the input, so edges stay as sharp as the input. (The blog post
    resized the whole RGB result instead, which blurred everything.) Finally the input's
    own luma is put back, so converting the output to gray gives the input's gray exactly.
    Color inputs are treated as gray: only their lightness is used. A tall or wide image
    keeps its proportions (`fit="aspect"`, see FITS). `saturation` scales the predicted a and
    b: below 1 duller and safer, above 1 more colorful and riskier (notebook 05 plots it).
    """
    return _colorizer(generator, size, float(saturation), fit)(tf.convert_to_tensor(rgb, tf.float32)).numpy()


def colorize_file(generator: keras.Model, path: Path, output_dir: Path, size: int,
                  saturation: float = 1.0) -> Path:
    """Colorize one image file into `output_dir/<name>.png`; returns the written path."""
    rgb = decode_rgb(str(path))
    out = Path(output_dir) / f"{Path(path).stem}.png"
    out.parent.mkdir(parents=True, exist_ok=True)
    tf.io.write_file(str(out), tf.io.encode_png(colorize_rgb(generator, rgb, size, saturation)))
    return out


def ship_run(run: RunDirectory, destination: Path = SHIPPED_RUN) -> Path:
    """Copy a run's config, metrics and last generator into `destination` (a small run
    directory, by default the one inside the package); returns the weights file written."""
    epoch = run.saved_epochs()[-1]
    shipped = RunDirectory(destination)
    target = shipped.generator_weights(epoch)
    weights = run.generator_weights(epoch).read_bytes()
    with atomic_path(target, len(weights)) as partial:
        partial.write_bytes(weights)
    for old in shipped.saved_epochs():  # only once the new file is complete
        if old != epoch:
            shipped.generator_weights(old).unlink()
    write_atomically(shipped.config_file, run.config_file.read_text())
    write_atomically(shipped.metrics_csv, run.metrics_csv.read_text())
    return target


def evaluation_images(data_dir: Path | str) -> list[Path]:
    """The images to score: a split dataset's held-out folder, or every usable image."""
    data_dir = Path(data_dir)
    if (data_dir / "heldout").is_dir():
        return split_dataset(data_dir)[1]
    return find_images(data_dir)


def evaluate_run(run: RunDirectory, data_dir: Path | str, epoch: int | None = None,
                 saturation: float = 1.0) -> dict[str, float]:
    """The metrics of one epoch on the images in `data_dir` (see `colorhelpers.metrics`).

    Images are scored at the run's training size, the way metrics.csv scores them.
    """
    generator, epoch = load_generator(run, epoch)
    paths = evaluation_images(data_dir)
    size = run.read_config().image_size
    scores = evaluate_generator(generator, eval_batches(paths, size), saturation)
    return {"epoch": epoch, "images": len(paths), **scores}


@dataclass
class EpochBrowser:
    """Gray input, output and truth of held-out images, for every saved epoch of a run.

    The notebook's widgets call `show` and `compare`; predictions are computed once per
    epoch and kept, so moving a slider back is instant.
    """

    run: RunDirectory
    image_paths: list[Path]
    _l: np.ndarray = field(init=False, repr=False)
    _ab: np.ndarray = field(init=False, repr=False)
    _outputs: dict[int, np.ndarray] = field(default_factory=dict, init=False, repr=False)

    def __post_init__(self) -> None:
        config: TrainConfig = self.run.read_config()
        batches = list(eval_batches(self.image_paths, config.image_size))
        self._l = np.concatenate([b[0] for b in batches])
        self._ab = np.concatenate([b[1] for b in batches])

    @property
    def epochs(self) -> list[int]:
        """Every epoch with kept weights, or with previews of all the browsed images."""
        return sorted(set(self.run.saved_epochs()) | set(self._previewed()))

    def _previewed(self) -> list[int]:
        """Epochs whose previews hold every browsed image (the run's held-out images)."""
        previewed = self.run.previewed_epochs()
        if not previewed:
            return []
        _, names = read_preview(self.run.preview(previewed[-1]))
        return previewed if set(self.names) <= set(names) else []

    def _predict(self, epoch: int) -> np.ndarray:
        """ab of the browsed images at `epoch`: from the epoch's preview, else its generator."""
        if epoch in self.run.previewed_epochs() and epoch in self._previewed():
            ab, names = read_preview(self.run.preview(epoch))
            return ab[[names.index(name) for name in self.names]]
        generator, _ = load_generator(self.run, epoch)
        return predict_ab(generator, self._l)

    @property
    def names(self) -> list[str]:
        return [p.name for p in self.image_paths]

    def triple(self, epoch: int, image: int, saturation: float = 1.0) -> list[np.ndarray]:
        """[gray input, output at `epoch`, ground truth] of held-out image number `image`."""
        if epoch not in self._outputs:
            self._outputs[epoch] = self._predict(epoch)
        sl = slice(image, image + 1)
        ab = np.clip(self._outputs[epoch][sl] * saturation, -1.0, 1.0)
        return [x[0] for x in gray_output_truth(self._l[sl], ab, self._ab[sl])]

    def show(self, epoch: int, image: int, saturation: float = 1.0) -> None:
        """Widget callback: gray input, the output of `epoch`, and the truth, side by side."""
        import matplotlib.pyplot as plt

        title = f"epoch {epoch}" + (f", saturation {saturation:g}" if saturation != 1.0 else "")
        show_images(self.triple(epoch, image, saturation), ["gray input", title, "ground truth"])
        plt.show()

    def compare(self, epoch_a: int, epoch_b: int, image: int) -> None:
        """Widget callback: the outputs of two epochs side by side, with the truth."""
        import matplotlib.pyplot as plt

        _, first, truth = self.triple(epoch_a, image)
        second = self.triple(epoch_b, image)[1]
        show_images([first, second, truth], [f"epoch {epoch_a}", f"epoch {epoch_b}", "ground truth"])
        plt.show()
