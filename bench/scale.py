"""Scale: peak memory of `train` on N and 10 N images, and the streamed cache's speed.

    python -m bench.scale [--images 2000] [--size 128] [--steps 16] [--repeats 5] [--keep DIR]

1. Memory. N and 10 N color images (128 px JPEGs made from data/characters/train: copies
   mirrored, cropped and with their channels permuted, so no two are equal) are written to a
   temporary folder; `python -m colorhelpers train` then trains each for one warm-up epoch
   with small networks (a config.json with 8 filters, as a resumed run's settings), in its
   own process, whose peak resident memory (getrusage of that one child) is reported:
   with the automatic memory budget (N in memory, 10 N streamed from the decoded cache at
   128 px on a machine of 8 GB or more) and with `--memory-budget-mb 0` (both streamed).
   Target: peak(10 N) <= 1.25 x peak(N), and under 3 GB.
2. Speed. `ColorGAN.fit` (default recipe, adversarial step) on N images from memory
   (`data.training_batches`) and from the decoded cache (`cache.streamed_batches`), timed
   alternately in one process; images/s are medians. Target: streamed >= 0.9 x in memory.
3. GPU. With a GPU, images/s at 128 and 256 px in float32, mixed_float16, and
   mixed_float16 with XLA (streamed). Without one, that part says so and is skipped.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before TensorFlow is imported

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
SOURCE = REPO / "data" / "characters" / "train"
HELDOUT = REPO / "data" / "characters" / "heldout"


def synthesize(folder: Path, count: int) -> None:
    """`count` distinct 128 px color JPEGs in `folder/train`, 64 held-out ones in `folder/heldout`."""
    (folder / "train").mkdir(parents=True, exist_ok=True)
    (folder / "heldout").mkdir(exist_ok=True)
    for path in sorted(HELDOUT.iterdir())[:64]:
        Image.open(path).convert("RGB").save(folder / "heldout" / f"{path.stem}.jpg", quality=90)
    sources = sorted(SOURCE.glob("*.png"))
    permutations = [(0, 1, 2), (1, 2, 0), (2, 0, 1), (0, 2, 1), (2, 1, 0), (1, 0, 2)]
    loaded: dict[Path, np.ndarray] = {}
    for i in range(count):
        source = sources[i % len(sources)]
        if source not in loaded:
            loaded[source] = np.asarray(Image.open(source).convert("RGB"))
        variant = i // len(sources)  # which copy of this source: flip, channel order, crop
        image = loaded[source][..., list(permutations[variant % 6])]
        if variant // 6 % 2:
            image = image[:, ::-1]
        crop = variant // 12 % 8
        image = image[crop:, crop:] if crop else image
        Image.fromarray(np.ascontiguousarray(image)).resize((128, 128)).save(
            folder / "train" / f"img_{i:06d}.jpg", quality=90)


def peak_memory_of_train(data: Path, work: Path, size: int, budget: float | None) -> tuple[float, float]:
    """(peak resident MB, seconds) of one `train` process: one warm-up epoch, 8 filters."""
    from colorhelpers.training import TrainConfig

    run = Path(tempfile.mkdtemp(dir=work, prefix="run-"))
    config = TrainConfig(image_size=size, epochs=1, warmup_epochs=1, generator_filters=8,
                         discriminator_filters=8, sample_count=2)
    (run / "config.json").write_text(config.to_json())
    command = [sys.executable, "-m", "colorhelpers", "train", "--data", str(data), "--out", str(run),
               "--cache-dir", str(work / "cache")]
    if budget is not None:
        command += ["--memory-budget-mb", str(budget)]
    # A fresh parent per measurement, so that RUSAGE_CHILDREN is this one child's peak.
    probe = ("import resource, subprocess, sys, time; start = time.time(); "
             "done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL); "
             "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, time.time() - start, "
             "done.returncode)")
    out = subprocess.run([sys.executable, "-c", probe, *command], capture_output=True, text=True,
                         check=True).stdout.split()
    if out[2] != "0":
        raise RuntimeError(f"train failed: {' '.join(command)}")
    shutil.rmtree(run)
    return int(out[0]) / 1024, float(out[1])


class LastEpochTimer:
    """Seconds of the last epoch of a `fit` call (the first one traces and fills buffers)."""

    def __new__(cls):
        import keras

        class Timer(keras.callbacks.Callback):
            def on_epoch_begin(self, epoch, logs=None):
                self.start = time.perf_counter()

            def on_epoch_end(self, epoch, logs=None):
                self.seconds = time.perf_counter() - self.start

        return Timer()


def fit_images_per_s(gan, batches, batch_size: int, steps: int) -> float:
    """images/s of one timed epoch of `steps` steps of `fit`, after an untimed one."""
    timer = LastEpochTimer()
    gan.fit(batches, epochs=2, steps_per_epoch=steps, verbose=0, callbacks=[timer])
    return steps * batch_size / timer.seconds


def speed(paths: list[Path], work: Path, size: int, steps: int, repeats: int) -> dict[str, float]:
    """images/s from memory and from the decoded cache, measured in turns (median of each)."""
    from colorhelpers.data import training_batches
    from colorhelpers.data.cache import open_or_build, streamed_batches
    from colorhelpers.training import TrainConfig, build_gan

    config = TrainConfig(image_size=size, warmup_epochs=0)
    cache = open_or_build(paths, size, work / "cache", progress=False)
    feeds = {"in memory": training_batches(paths, size, config.batch_size, seed=0),
             "streamed": streamed_batches(cache, config.batch_size, seed=0)}
    gans = {name: build_gan(config) for name in feeds}
    rates: dict[str, list[float]] = {name: [] for name in feeds}
    for _ in range(repeats):  # alternate, so that other jobs on the machine weigh on both alike
        for name, batches in feeds.items():
            rates[name].append(fit_images_per_s(gans[name], batches, config.batch_size, steps))
    return {name: statistics.median(values) for name, values in rates.items()}


def gpu_figures(paths: list[Path], work: Path, steps: int, repeats: int) -> None:
    import tensorflow as tf

    from colorhelpers.data.cache import open_or_build, streamed_batches
    from colorhelpers.training import TrainConfig, build_gan

    gpus = tf.config.list_physical_devices("GPU")
    if not gpus:
        print("\nGPU: none found on this machine; the GPU figures (128 and 256 px, float32 / "
              "mixed_float16 / + XLA) were not measured")
        return
    name = tf.config.experimental.get_device_details(gpus[0]).get("device_name", gpus[0].name)
    print(f"\nGPU: {name}; training images/s, streamed, batch 16, default networks")
    print("| size | float32 | mixed_float16 | mixed_float16 + XLA |\n| ---: | ---: | ---: | ---: |")
    for size in (128, 256):
        cache = open_or_build(paths, size, work / "cache", progress=False)
        cells = []
        for precision, xla in (("float32", False), ("mixed_float16", False), ("mixed_float16", True)):
            config = TrainConfig(image_size=size, warmup_epochs=0, precision=precision, jit_compile=xla)
            gan, batches = build_gan(config), streamed_batches(cache, config.batch_size, seed=0)
            cells.append(statistics.median(fit_images_per_s(gan, batches, config.batch_size, steps)
                                           for _ in range(repeats)))
        print(f"| {size} | " + " | ".join(f"{c:.0f}" for c in cells) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--images", type=int, default=2000, help="N: the small set (default 2000)")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--steps", type=int, default=16, help="timed steps per repeat (default 16)")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", type=Path, help="make the images in this folder and keep them")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="colorgan-scale-"))
    try:
        small, big = work / f"n{args.images}", work / f"n{10 * args.images}"
        for folder, count in ((big, 10 * args.images), (small, args.images)):
            if not (folder / "train").is_dir() or len(list((folder / "train").iterdir())) != count:
                started = time.perf_counter()
                synthesize(folder, count)
                print(f"wrote {count} images to {folder} in {time.perf_counter() - started:.0f} s")

        from colorhelpers import import_tensorflow_quietly
        from colorhelpers.data.cache import default_memory_budget

        import_tensorflow_quietly()
        print(f"\npeak memory of one `train` epoch at {args.size} px (8 filters), automatic budget "
              f"{default_memory_budget() / 1e6:,.0f} MB")
        print("| images | automatic budget: MB (s) | --memory-budget-mb 0: MB (s) |\n| ---: | ---: | ---: |")
        peaks = {}
        for folder, count in ((small, args.images), (big, 10 * args.images)):
            peaks[count] = [peak_memory_of_train(folder, work, args.size, budget) for budget in (None, 0)]
            print(f"| {count} | " + " | ".join(f"{mb:,.0f} ({s:.0f})" for mb, s in peaks[count]) + " |")
        for column, label in ((0, "automatic budget"), (1, "always streamed")):
            ratio = peaks[10 * args.images][column][0] / peaks[args.images][column][0]
            print(f"{label}: peak({10 * args.images}) / peak({args.images}) = {ratio:.2f} "
                  f"(target <= 1.25: {'PASS' if ratio <= 1.25 else 'MISS'}); "
                  f"peak({10 * args.images}) {peaks[10 * args.images][column][0] / 1024:.2f} GB "
                  f"(target < 3: {'PASS' if peaks[10 * args.images][column][0] < 3072 else 'MISS'})")

        from colorhelpers.data import find_images

        paths = find_images(small / "train")
        rates = speed(paths, work, args.size, args.steps, args.repeats)
        ratio = rates["streamed"] / rates["in memory"]
        print(f"\ntraining images/s at {args.size} px, default recipe, {len(paths)} images: "
              + json.dumps({k: round(v, 2) for k, v in rates.items()}))
        print(f"streamed / in memory = {ratio:.2f} (target >= 0.90: {'PASS' if ratio >= 0.9 else 'MISS'})")
        gpu_figures(paths, work, args.steps, args.repeats)
    finally:
        if args.keep is None:
            shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
