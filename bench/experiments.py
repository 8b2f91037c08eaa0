"""What-if experiments behind the suggestions in bench/README.md (not part of the default run).

    python bench/experiments.py pipeline    # Lab via matvec vs tensordot; Lab cached once
    python bench/experiments.py inference   # colorize_rgb vs the same steps in one tf.function
    python bench/experiments.py train       # threads, oneDNN, batch size, input feed, XLA

Nothing here changes colorhelpers: each alternative is written anew in this file (or in a
subprocess with a different environment) and timed next to colorhelpers as it is, in the
same command. Each training variant runs in its own subprocess.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
sys.path[:0] = [str(REPO), str(BENCH_DIR)]
TRAIN_DIR = REPO / "data" / "cartoons" / "train"
MARK = "@@EXP@@ "


# --------------------------------------------------------------------------- fast Lab (own code)


def _lab_constants():
    import numpy as np

    from colorhelpers import lab

    rgb_to_xyz = np.array(lab._XYZ_FROM_RGB, np.float64)
    white = np.array(lab._WHITE_D65, np.float64)
    # linear RGB (row vector) @ to_xyz_n == XYZ / white: the white point folded into the matrix.
    to_xyz_n = (rgb_to_xyz / white[:, None]).T
    # [fx, fy, fz] @ to_lab_n + offset == (L / 50 - 1, a / 110, b / 110): Lab and its scaling at once.
    to_lab = np.array([[0.0, 500.0, 0.0], [116.0, -500.0, 200.0], [0.0, 0.0, -200.0]])
    scale = np.array([1 / lab.L_SCALE, 1 / lab.AB_SCALE, 1 / lab.AB_SCALE])
    to_lab_n = to_lab * scale[None, :]
    offset = np.array([-16.0 / lab.L_SCALE - 1.0, 0.0, 0.0])
    from_xyz_n = np.linalg.inv(rgb_to_xyz * 1.0).T * white[:, None]  # XYZ/white (row) -> linear RGB
    return to_xyz_n, to_lab_n, offset, from_xyz_n


def fast_rgb_to_lab_scaled(rgb):
    """sRGB in [0, 1] [..., 3] -> scaled (L, a, b) in [-1, 1], with two tensordots instead of matvec."""
    import tensorflow as tf

    to_xyz_n, to_lab_n, offset, _ = _lab_constants()
    rgb = tf.convert_to_tensor(rgb, tf.float32)
    linear = tf.where(rgb > 0.04045, tf.pow((rgb + 0.055) / 1.055, 2.4), rgb / 12.92)
    xyz = tf.tensordot(linear, tf.constant(to_xyz_n, tf.float32), 1)
    f = tf.where(xyz > 0.008856, tf.pow(tf.maximum(xyz, 0.008856), 1.0 / 3.0), 7.787 * xyz + 16.0 / 116.0)
    return tf.tensordot(f, tf.constant(to_lab_n, tf.float32), 1) + tf.constant(offset, tf.float32)


def fast_lab_scaled_to_rgb(lab_scaled):
    """Inverse of `fast_rgb_to_lab_scaled`, clipped to [0, 1] (same rules as colorhelpers.lab)."""
    import tensorflow as tf

    from colorhelpers import lab

    *_, from_xyz_n = _lab_constants()
    lightness = (lab_scaled[..., 0] + 1.0) * lab.L_SCALE
    a, b = lab_scaled[..., 1] * lab.AB_SCALE, lab_scaled[..., 2] * lab.AB_SCALE
    fy = (lightness + 16.0) / 116.0
    f = tf.stack([fy + a / 500.0, fy, tf.maximum(fy - b / 200.0, 0.0)], axis=-1)
    xyz_n = tf.where(f > 0.2068966, f * f * f, (f - 16.0 / 116.0) / 7.787)
    linear = tf.maximum(tf.tensordot(xyz_n, tf.constant(from_xyz_n, tf.float32), 1), 0.0)
    srgb = tf.where(linear > 0.0031308, 1.055 * tf.pow(linear, 1.0 / 2.4) - 0.055, linear * 12.92)
    return tf.clip_by_value(srgb, 0.0, 1.0)


# --------------------------------------------------------------------------- pipeline


def lab_cached_batches(paths, size: int, batch_size: int, seed: int):
    """Endless batches with Lab computed once at load time and cached.

    Flipping commutes with the per-pixel Lab conversion, so both orientations are converted
    once and cached, L and ab apart: an epoch is then a stateless shuffle (keyed on
    (seed, epoch), like colorhelpers) and one gather per batch from each cache. Float32
    cache: n x size^2 x 3 x 4 bytes x 2 orientations (170 MB for 432 images at 128 px).
    """
    import tensorflow as tf

    from colorhelpers.data import load_images

    @tf.function
    def both_orientations(images_uint8):
        lab = fast_rgb_to_lab_scaled(tf.image.convert_image_dtype(images_uint8, tf.float32))
        both = tf.concat([lab, tf.reverse(lab, [2])], 0)  # [original; flipped]
        return both[..., :1], both[..., 1:]

    count = len(paths)
    l_cache, ab_cache = both_orientations(load_images(paths, size))

    def one_epoch(epoch):
        key = tf.stack([tf.constant(seed, tf.int64), epoch])
        order = tf.random.experimental.stateless_shuffle(tf.range(count, dtype=tf.int64), key)
        flipped = tf.cast(tf.random.stateless_uniform([count], key + 1) < 0.5, tf.int64)
        rows = order + count * tf.gather(flipped, order)  # row of the flipped copy when flipped
        return tf.data.Dataset.from_tensor_slices(rows).batch(batch_size, drop_remainder=True)

    return (tf.data.Dataset.counter().flat_map(one_epoch)
            .map(lambda rows: (tf.gather(l_cache, rows), tf.gather(ab_cache, rows)))
            .prefetch(4))


def exp_pipeline(args) -> None:
    import seed_reference as seed
    import tensorflow as tf

    from colorhelpers import lab
    from colorhelpers.data import find_images, training_batches

    paths = find_images(TRAIN_DIR)
    x = tf.random.uniform((args.size, args.size, 3), seed=1)
    ref = tf.concat(lab.rgb_to_l_ab(x), -1)
    err = float(tf.reduce_max(tf.abs(fast_rgb_to_lab_scaled(x) - ref)))
    print(f"fast Lab vs colorhelpers.lab: max |diff| {err:.2e} (scaled units)")
    m = tf.constant(lab._XYZ_FROM_RGB)
    for name, fn in (("matvec", lambda r: tf.linalg.matvec(m, r)),
                     ("tensordot", lambda r: tf.tensordot(r, tf.transpose(m), 1))):
        f = tf.function(fn)
        f(x)
        t0 = time.perf_counter()
        for _ in range(100):
            f(x).numpy()
        print(f"  3x3 colour matrix on one {args.size}px image, {name:<9}: "
              f"{(time.perf_counter() - t0) * 10:.2f} ms")
    for name, fn in (("colorhelpers rgb_to_l_ab", lambda r: tf.concat(lab.rgb_to_l_ab(r), -1)),
                     ("fast_rgb_to_lab_scaled", fast_rgb_to_lab_scaled)):
        f = tf.function(fn)
        f(x)
        t0 = time.perf_counter()
        for _ in range(100):
            f(x).numpy()
        print(f"  {name:<26} per image: {(time.perf_counter() - t0) * 10:.2f} ms")

    def rate(iterator, n_batches):
        t0 = time.perf_counter()
        images = sum(int(next(iterator)[0].shape[0]) for _ in range(n_batches))
        return images / (time.perf_counter() - t0)

    per_epoch = len(paths) // args.batch
    rows = {}
    seed_rates = []
    for _ in range(3):
        t0 = time.perf_counter()
        n = sum(int(b[0].shape[0]) for b in seed.data_generator(TRAIN_DIR, args.size, args.batch))
        seed_rates.append(n / (time.perf_counter() - t0))
    rows["seed pipeline (from files, every epoch)"] = (statistics.median(seed_rates), None)
    for name, build in (("colorhelpers.training_batches", training_batches),
                        ("Lab cached once + batched gather/flip", lab_cached_batches)):
        t0 = time.perf_counter()
        it = iter(build(paths, args.size, args.batch, 0))
        n = sum(int(next(it)[0].shape[0]) for _ in range(per_epoch))
        first = n / (time.perf_counter() - t0)
        cached = statistics.median(rate(it, per_epoch) for _ in range(5))
        rows[name] = (first, cached)
    base = rows["seed pipeline (from files, every epoch)"][0]
    print(f"\n{'pipeline (images/s)':<44}{'from files':>12}{'from cache':>12}{'x seed (cache)':>16}")
    for name, (first, cached) in rows.items():
        ratio = f"{(cached or first) / base:.1f}x"
        print(f"{name:<44}{first:>12,.0f}{(cached or first):>12,.0f}{ratio:>16}")


# --------------------------------------------------------------------------- inference


def make_fast_colorize(generator, size: int):
    """colorize_rgb's steps (Lab, area-resize L, generator, bilinear-resize ab, Lab->RGB,
    keep the input's luma) traced once into one tf.function for any image size."""
    import tensorflow as tf

    from colorhelpers.evaluation import luma, with_luma

    @tf.function(input_signature=[tf.TensorSpec([None, None, 3], tf.float32)])
    def colorize(rgb):
        lab_scaled = fast_rgb_to_lab_scaled(rgb)
        l_full = lab_scaled[..., :1]
        small = tf.image.resize(l_full[None], [size, size], method="area", antialias=True)
        ab_small = generator(small, training=False)
        ab_full = tf.image.resize(ab_small, tf.shape(rgb)[:2], method="bilinear")[0]
        colour = with_luma(fast_lab_scaled_to_rgb(tf.concat([l_full, ab_full], -1)), luma(rgb))
        return tf.cast(tf.round(colour * 255.0), tf.uint8)

    return colorize


def exp_inference(args) -> None:
    import warnings

    import numpy as np

    warnings.filterwarnings("ignore", message="Conversion from CIE-LAB")
    import seed_reference as seed

    from colorhelpers.config import TrainConfig
    from colorhelpers.data import decode_rgb
    from colorhelpers.evaluation import colorize_rgb
    from colorhelpers.models import build_generator

    config = TrainConfig(image_size=args.size)
    generator = build_generator(args.size, config.generator_filters, config.generator_head, config.dropout)
    paths = sorted(TRAIN_DIR.glob("*.jpg"))[:48]
    fast = make_fast_colorize(generator, args.size)
    first = decode_rgb(str(paths[0]))
    diff = np.abs(fast(first).numpy().astype(int) - colorize_rgb(generator, first, args.size).astype(int))
    print(f"one-tf.function colorize vs colorize_rgb: max |diff| {diff.max()} (uint8 levels), "
          f"mean {diff.mean():.3f}")
    seed_gen = seed.get_generator(args.size)
    variants = {
        "seed per image (cv2 + skimage + predict)": lambda p: seed.colorize_file(seed_gen, p, args.size),
        "colorhelpers colorize_rgb": lambda p: colorize_rgb(generator, decode_rgb(str(p)), args.size),
        "same steps in one tf.function": lambda p: fast(decode_rgb(str(p))).numpy(),
    }
    results = {}
    for name, fn in variants.items():
        for p in paths[:3]:
            fn(p)
        rates = []
        for _ in range(3):
            t0 = time.perf_counter()
            for p in paths:
                fn(p)
            rates.append(len(paths) / (time.perf_counter() - t0))
        results[name] = statistics.median(rates)
    base = results["seed per image (cv2 + skimage + predict)"]
    print(f"\n{'inference per image (images/s)':<44}{'img/s':>10}{'x seed':>10}")
    for name, value in results.items():
        print(f"{name:<44}{value:>10.1f}{value / base:>9.1f}x")


# --------------------------------------------------------------------------- training


def train_worker(args) -> dict:
    """colorgan's default step compiled by fit; input either training_batches or one constant batch."""
    import keras
    import tensorflow as tf

    if args.threads:
        intra, inter = (int(v) for v in args.threads.split(","))
        tf.config.threading.set_intra_op_parallelism_threads(intra)
        tf.config.threading.set_inter_op_parallelism_threads(inter)
    from colorhelpers.config import TrainConfig
    from colorhelpers.data import find_images, training_batches
    from colorhelpers.training import build_gan

    config = TrainConfig(image_size=args.size, batch_size=args.batch, jit_compile=args.jit,
                         generator_filters=args.filters, discriminator_filters=args.filters)
    keras.utils.set_random_seed(0)
    gan = build_gan(config)
    if args.feed == "pipeline":
        data = training_batches(find_images(TRAIN_DIR), args.size, args.batch, 0)
    elif args.feed == "lab-cached":
        data = lab_cached_batches(find_images(TRAIN_DIR), args.size, args.batch, 0)
    else:
        batch = (tf.random.uniform((args.batch, args.size, args.size, 1), -1, 1),
                 tf.random.uniform((args.batch, args.size, args.size, 2), -0.5, 0.5))
        data = tf.data.Dataset.from_tensors(batch).repeat()
    gan.fit(data, epochs=1, steps_per_epoch=2, verbose=0)
    times = []
    for _ in range(3):
        t0 = time.perf_counter()
        gan.fit(data, epochs=1, steps_per_epoch=args.steps, verbose=0)
        times.append(time.perf_counter() - t0)
    return {"images_per_s": args.steps * args.batch / statistics.median(times)}


def exp_train(args) -> None:
    variants = [
        ("default (pipeline feed, TF threads)", {}, []),
        ("constant in-memory batch (compute only)", {}, ["--feed", "constant"]),
        ("Lab-cached pipeline feed", {}, ["--feed", "lab-cached"]),
        ("intra 2 / inter 1 threads", {}, ["--threads", "2,1"]),
        ("intra 1 / inter 2 threads", {}, ["--threads", "1,2"]),
        ("TF_ENABLE_ONEDNN_OPTS=0 (Eigen kernels)", {"TF_ENABLE_ONEDNN_OPTS": "0"}, []),
        ("batch 32", {}, ["--batch", "32"]),
        ("batch 64", {}, ["--batch", "64"]),
        ("filters 64 (pix2pix width)", {}, ["--filters", "64"]),
        ("jit_compile=True (XLA)", {}, ["--jit"]),
    ]
    if args.only:
        variants = [v for v in variants if any(s in v[0] for s in args.only.split(","))]
    title = f"training variant (colorgan step, {args.size} px)"
    print(f"{title:<48}{'img/s':>9}{'vs default':>12}")
    base = None
    for name, env, extra in variants:
        cmd = [sys.executable, __file__, "train-worker", "--size", str(args.size), "--batch", str(args.batch),
               "--steps", str(args.steps)] + extra
        proc = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, **env})
        line = [x for x in proc.stdout.splitlines() if x.startswith(MARK)]
        if not line:
            print(f"{name:<48} failed: {proc.stderr[-500:]}")
            continue
        rate = json.loads(line[0][len(MARK):])["images_per_s"]
        base = base or rate
        print(f"{name:<48}{rate:>9.2f}{rate / base:>11.2f}x", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("what", choices=["pipeline", "inference", "train", "train-worker"])
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=6)
    parser.add_argument("--filters", type=int, default=32)
    parser.add_argument("--threads", default="")
    parser.add_argument("--feed", default="pipeline", choices=["pipeline", "constant", "lab-cached"])
    parser.add_argument("--jit", action="store_true")
    parser.add_argument("--only", default="", help="train: comma-separated substrings of variant names")
    args = parser.parse_args()
    print(f"load average at start: {os.getloadavg()[0]:.2f}", file=sys.stderr)
    if args.what == "train-worker":
        print(MARK + json.dumps(train_worker(args)), flush=True)
    else:
        {"pipeline": exp_pipeline, "inference": exp_inference, "train": exp_train}[args.what](args)
    print(f"load average at end: {os.getloadavg()[0]:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
