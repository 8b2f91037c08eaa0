"""How long the colorized result takes to come back after a click on a 512 px image.

    .venv/bin/python -m bench.hints [--run runs/cartoons] [--side 512] [--clicks 30]

What a widget does after each click: rasterize the hints onto the working grid, solve the
propagation (the image's Laplacian and the network's prior are computed once, when the
image is opened, and not timed per click), upsample ab, join it with the full-resolution
L and restore the input's luma. Printed: the median and 90th percentile over `--clicks`
clicks, each adding one hint, and the one-off cost of opening the image. Works on any
trained run; without one, pass --random-model for an untrained generator of the default
recipe (same cost).
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
from colorhelpers import import_tensorflow_quietly  # noqa: E402

#: The goal: the median update after a click, in milliseconds.
TARGET_MS = 100.0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", type=Path, default=Path("runs/cartoons"))
    parser.add_argument("--random-model", action="store_true", help="untrained generator, no run needed")
    parser.add_argument("--image", type=Path, help="default: the first held-out image of data/cartoons")
    parser.add_argument("--side", type=int, default=512)
    parser.add_argument("--clicks", type=int, default=30)
    args = parser.parse_args()
    import_tensorflow_quietly()
    import numpy as np
    import tensorflow as tf

    from colorhelpers.data import decode_rgb, find_images
    from colorhelpers.hints import HintColorizer, Hints, simulate_hints
    from colorhelpers.training import TrainConfig
    from colorhelpers.training.recipe import generator_for

    if args.random_model:
        config = TrainConfig(encoder_weights="random")
        generator, size = generator_for(config), config.image_size
    else:
        from colorhelpers.evaluation import load_generator, open_run

        run = open_run(args.run)
        generator, _ = load_generator(run)
        size = run.read_config().image_size
    image = args.image or find_images(Path("data/cartoons/heldout"))[0]
    rgb = tf.image.resize(decode_rgb(str(image)), [args.side, args.side], method="area").numpy().clip(0, 1)
    truth = (rgb * 255).round().astype(np.uint8)
    HintColorizer(generator, size, rgb).colorize(simulate_hints(truth, 1, np.random.default_rng(0)))  # trace
    start = time.perf_counter()
    colorizer = HintColorizer(generator, size, rgb)
    opened = time.perf_counter() - start
    clicks = simulate_hints(truth, args.clicks, np.random.default_rng(1))
    times = []
    for n in range(1, args.clicks + 1):
        hints = Hints(clicks.ys[:n], clicks.xs[:n], clicks.rgb[:n])
        start = time.perf_counter()
        colorizer.colorize(hints)
        times.append((time.perf_counter() - start) * 1000)
    median = statistics.median(times)
    p90 = sorted(times)[int(0.9 * (len(times) - 1))]
    print(f"image {image.name} at {args.side}x{args.side} px, working size {size}, {os.cpu_count()} CPUs, "
          f"load {os.getloadavg()[0]:.2f}")
    print(f"opening the image (network prior + Laplacian): {opened * 1000:.0f} ms, once")
    print(f"update after a click: median {median:.1f} ms, p90 {p90:.1f} ms over {args.clicks} clicks "
          f"(target {TARGET_MS:.0f} ms: {'PASS' if median <= TARGET_MS else 'MISS'})")


if __name__ == "__main__":
    main()
