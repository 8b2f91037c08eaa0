"""Non-square images: colorize them squashed to the model's square, or with their proportions kept.

Tall and wide test images with a known truth are made by joining two held-out images side by
side (wide, 1:2) or one above the other (tall, 2:1), and a tall sprite-like one by padding a
single image with white to 1:2. Each is colorized from its gray both ways
(`colorhelpers.evaluation.FITS`) at full size; the table gives mean CIEDE2000 and PSNR
against the truth, and the gray answer's.

    python -m bench.shapes [--run RUN_DIR] [--data DIR ...]
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np

from colorhelpers import import_tensorflow_quietly

import_tensorflow_quietly()

from colorhelpers.colorize import FITS  # noqa: E402
from colorhelpers.colorize.shapes import compare_fits, shape_test_images  # noqa: E402
from colorhelpers.data import decode_rgb  # noqa: E402
from colorhelpers.evaluation import SHIPPED_RUN, evaluation_images, load_generator, open_run  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, default=SHIPPED_RUN)
    parser.add_argument("--data", type=Path, nargs="+", default=[Path("data/characters")])
    args = parser.parse_args()
    run = open_run(args.run)
    generator, epoch = load_generator(run)
    size = run.read_config().image_size
    print(f"{run.root}, epoch {epoch}: mean CIEDE2000 / PSNR (dB) at full size, lower / higher is better")
    print(f"| images | count | gray answer | {' | '.join(FITS)} |")
    print("| --- | ---: | ---: |" + " ---: |" * len(FITS))
    for data in args.data:
        images = [np.asarray(decode_rgb(str(p))) for p in evaluation_images(data)]
        for name, truths in shape_test_images(images).items():
            cells = compare_fits(generator, truths, size).values()  # the gray answer, then each fit
            print(f"| {data.name}: {name} | {len(truths)} | "
                  + " | ".join(f"{de:.2f} / {db:.2f}" for de, db in (c.mean(axis=0) for c in cells)) + " |")


if __name__ == "__main__":
    main()
