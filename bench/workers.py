"""One measurement per process: `python -m bench.workers NAME OPTIONS_JSON RESULT_FILE`.

bench/bench.py and bench/experiments.py start each measurement in a fresh process, so that
its peak memory is its own and no variant warms another's caches or thread pools. Each
worker returns its speeds in images/s (medians of timed repeats, after untimed warm-up),
to which the process's peak resident memory is added; the result is written as JSON.

The blog post's side comes from bench/blog_reference.py, colorgan's from the installed
colorhelpers package. Both are imported inside the workers that use them, so that neither
side's imports count in the other's peak memory.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before TensorFlow is imported

import json
import resource
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import keras
import numpy as np
import tensorflow as tf

if TYPE_CHECKING:
    from colorhelpers.training import TrainConfig

TRAIN_DIR = Path(__file__).resolve().parent.parent / "data" / "cartoons" / "train"

#: size, batch, steps, warmup, repeats, epochs, infer_images, and per-worker extras.
Options = dict[str, Any]


def median_images_per_s(run_once: Callable[[], int], repeats: int) -> float:
    """Median images/s over `repeats` calls of `run_once`, which returns how many images it did."""
    rates = []
    for _ in range(repeats):
        start = time.perf_counter()
        images = run_once()
        rates.append(images / (time.perf_counter() - start))
    return statistics.median(rates)


# --------------------------------------------------------------------------- training


class EpochTimes(keras.callbacks.Callback):
    """Wall time of each epoch of `fit`: one `fit` call times every repeat, without its setup."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds: list[float] = []

    def on_epoch_begin(self, epoch: int, logs: dict | None = None) -> None:
        self._start = time.perf_counter()

    def on_epoch_end(self, epoch: int, logs: dict | None = None) -> None:
        self.seconds.append(time.perf_counter() - self._start)


def train_blog(opts: Options) -> dict:
    """(a) The blog post's eager loop and networks, fed by its own pipeline."""
    from bench import blog_reference as blog

    trainer = blog.BlogTrainer(opts["size"])
    batches = blog.endless_batches(TRAIN_DIR, opts["size"], opts["batch"])

    def train_steps(count: int) -> int:
        images = 0
        for _ in range(count):
            lightness, ab = next(batches)
            trainer.step(lightness, ab)
            images += int(lightness.shape[0])
        return images

    train_steps(opts["warmup"])
    return {"images_per_s": median_images_per_s(lambda: train_steps(opts["steps"]), opts["repeats"])}


def blog_nets_gan(config: TrainConfig) -> keras.Model:
    """The blog post's two networks inside colorgan's compiled `ColorGAN` step."""
    from bench import blog_reference as blog
    from colorhelpers.training import ColorGAN
    from colorhelpers.training.recipe import optimizer_for

    size = config.image_size
    critic = blog.get_discriminator(size)
    l_input, ab_input = keras.Input((size, size, 1)), keras.Input((size, size, 2))
    # ColorGAN hands its discriminator [L, ab]; the blog post's judges ab alone.
    discriminator = keras.Model([l_input, ab_input], critic(ab_input))
    gan = ColorGAN(blog.get_generator(size), discriminator, config.l1_weight)
    gan.compile(optimizer_for(config), optimizer_for(config), jit_compile=config.jit_compile)
    return gan


def train_colorgan(opts: Options) -> dict:
    """(b) `build_gan` + `ColorGAN.fit` on `training_batches`, the default recipe.

    Extras: `blog_nets` runs (c), the blog post's networks in the same step; `config`
    overrides TrainConfig fields and `feed="constant"` feeds one fixed batch (experiments.py).
    """
    from colorhelpers.data import find_images, training_batches
    from colorhelpers.training import TrainConfig, build_gan

    config = TrainConfig(image_size=opts["size"], batch_size=opts["batch"], **opts.get("config", {}))
    keras.utils.set_random_seed(config.seed)
    gan = blog_nets_gan(config) if opts.get("blog_nets") else build_gan(config)
    if opts.get("feed") == "constant":
        shape = (config.batch_size, config.image_size, config.image_size)
        batch = (tf.random.uniform((*shape, 1), -1, 1), tf.random.uniform((*shape, 2), -0.5, 0.5))
        data = tf.data.Dataset.from_tensors(batch).repeat()
    else:
        data = training_batches(find_images(TRAIN_DIR), config.image_size, config.batch_size,
                                config.seed, flip=config.flip)
    start = time.perf_counter()
    # The first call traces (or, with jit_compile, compiles) the step: timed apart.
    gan.fit(data, epochs=1, steps_per_epoch=opts["warmup"], verbose=0, shuffle=False)
    first_fit_s = time.perf_counter() - start
    timer = EpochTimes()
    gan.fit(data, epochs=opts["repeats"], steps_per_epoch=opts["steps"], verbose=0, shuffle=False,
            callbacks=[timer])
    rates = [opts["steps"] * config.batch_size / seconds for seconds in timer.seconds]
    return {"images_per_s": statistics.median(rates), "first_fit_s": first_fit_s}


# --------------------------------------------------------------------------- input pipeline


def pipeline_blog(opts: Options) -> dict:
    """The blog post's pipeline: every epoch reads, decodes and converts every file again."""
    from bench import blog_reference as blog

    def one_epoch() -> int:
        batches = blog.data_generator(TRAIN_DIR, opts["size"], opts["batch"])
        return sum(int(lightness.shape[0]) for lightness, _ in batches)

    return {"images_per_s": median_images_per_s(one_epoch, opts["epochs"])}


def pipeline_colorgan(opts: Options) -> dict:
    """`training_batches`: building it decodes every file once; later epochs gather from memory."""
    from colorhelpers.data import find_images, training_batches

    paths = find_images(TRAIN_DIR)  # checks every file once; not part of either figure
    per_epoch = len(paths) // opts["batch"]
    batches: Any = None

    def one_epoch() -> int:
        return sum(int(next(batches)[0].shape[0]) for _ in range(per_epoch))

    def first_epoch() -> int:
        nonlocal batches
        batches = iter(training_batches(paths, opts["size"], opts["batch"], seed=0))
        return one_epoch()

    return {"from_files": median_images_per_s(first_epoch, 1),
            "from_cache": median_images_per_s(one_epoch, opts["epochs"])}


# --------------------------------------------------------------------------- inference


def inference_paths(opts: Options) -> list[Path]:
    """The training files the inference workers colorize (128 px JPEGs)."""
    return sorted(TRAIN_DIR.glob("*.jpg"))[: opts["infer_images"]]


def colorgan_generator(size: int) -> keras.Model:
    """An untrained generator of the default recipe: speed does not depend on the weights."""
    from colorhelpers.training import TrainConfig
    from colorhelpers.training.recipe import generator_for

    return generator_for(TrainConfig(image_size=size))


def per_image(colorize_path: Callable[[Path], object], opts: Options) -> dict:
    """Images/s of `colorize_path` called on one file at a time."""
    paths = inference_paths(opts)
    for path in paths[:3]:  # warm-up: first calls trace or build
        colorize_path(path)

    def every_file() -> int:
        for path in paths:
            colorize_path(path)
        return len(paths)

    return {"images_per_s": median_images_per_s(every_file, opts["repeats"])}


def infer_blog(opts: Options) -> dict:
    """The blog post's inference per image: cv2, skimage Lab, `predict` on one image, resize back."""
    from bench import blog_reference as blog

    # skimage warns about clipped out-of-gamut colors on most images; printing that is not the work.
    warnings.filterwarnings("ignore", message="Conversion from CIE-LAB")
    generator = blog.get_generator(opts["size"])
    return per_image(lambda path: blog.colorize_file(generator, path, opts["size"]), opts)


def infer_colorgan(opts: Options) -> dict:
    """colorgan per image: `decode_rgb` of the file, then `evaluation.colorize_rgb`."""
    from colorhelpers.colorize import colorize_rgb
    from colorhelpers.data import decode_rgb

    generator = colorgan_generator(opts["size"])
    return per_image(lambda path: colorize_rgb(generator, decode_rgb(str(path)), opts["size"]), opts)


def infer_batched(opts: Options) -> dict:
    """The generator alone on batches of L already in memory (`metrics.predict_ab`).

    With `blog_nets`, the blog post's generator batched the same way: it separates the cost
    of its per-image steps from the cost of its larger network.
    """
    from colorhelpers.data import eval_batches
    from colorhelpers.scoring import predict_ab

    if opts.get("blog_nets"):
        from bench import blog_reference as blog

        generator = blog.get_generator(opts["size"])
    else:
        generator = colorgan_generator(opts["size"])
    batches = [np.asarray(l_norm) for l_norm, _ in eval_batches(inference_paths(opts), opts["size"],
                                                                  opts["batch"])]
    predict_ab(generator, batches[0])  # warm-up

    def every_batch() -> int:
        return sum(len(predict_ab(generator, batch)) for batch in batches)

    return {"images_per_s": median_images_per_s(every_batch, opts["repeats"])}


WORKERS: dict[str, Callable[[Options], dict]] = {
    worker.__name__: worker
    for worker in (train_blog, train_colorgan, pipeline_blog, pipeline_colorgan,
                   infer_blog, infer_colorgan, infer_batched)
}


def main() -> None:
    """Run the worker named on the command line and write its result file."""
    name, opts, result_file = sys.argv[1], json.loads(sys.argv[2]), Path(sys.argv[3])
    if opts.get("threads"):  # experiments.py: [intra-op, inter-op] instead of TF's choice
        tf.config.threading.set_intra_op_parallelism_threads(opts["threads"][0])
        tf.config.threading.set_inter_op_parallelism_threads(opts["threads"][1])
    result = WORKERS[name](opts)
    # ru_maxrss is the peak resident set in KiB on Linux (VmHWM): TF and the models included.
    result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    result["tensorflow"] = tf.__version__
    result_file.write_text(json.dumps(result))


if __name__ == "__main__":
    main()
