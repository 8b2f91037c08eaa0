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

from colorhelpers.color import rgb_to_lab  # noqa: E402
from colorhelpers.colorize import FITS, colorize_rgb  # noqa: E402
from colorhelpers.data import decode_rgb  # noqa: E402
from colorhelpers.evaluation import SHIPPED_RUN, evaluation_images, load_generator, open_run  # noqa: E402
from colorhelpers.scoring import ciede2000, psnr  # noqa: E402


def test_images(paths: list[Path]) -> dict[str, list[np.ndarray]]:
    """Wide, tall and padded-tall images (float RGB) made from consecutive pairs of `paths`."""
    images = [np.asarray(decode_rgb(str(p))) for p in paths]
    pairs = list(zip(images[0::2], images[1::2]))
    white = np.ones_like(images[0])
    return {
        "wide (two side by side)": [np.concatenate(pair, axis=1) for pair in pairs],
        "tall (one above the other)": [np.concatenate(pair, axis=0) for pair in pairs],
        "tall (one on white)": [np.concatenate([a, white], axis=0) for a, _ in pairs],
    }


def scores(outputs: list[np.ndarray], truths: list[np.ndarray]) -> tuple[float, float]:
    """Mean CIEDE2000 and PSNR of uint8 outputs against float truths."""
    de, db = [], []
    for out, truth in zip(outputs, truths):
        out = out.astype(np.float32)[None] / 255.0
        truth = truth[None].astype(np.float32)
        de.append(ciede2000(rgb_to_lab(out).numpy(), rgb_to_lab(truth).numpy())[0])
        db.append(psnr(out, truth)[0])
    return float(np.mean(de)), float(np.mean(db))


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
        for name, truths in test_images(evaluation_images(data)).items():
            # saturation 0 is the gray answer: the input's own gray, as colorize writes it
            cells = [scores([colorize_rgb(generator, t, size, saturation=0.0) for t in truths], truths)]
            cells += [scores([colorize_rgb(generator, t, size, fit=fit) for t in truths], truths)
                      for fit in FITS]
            print(f"| {data.name}: {name} | {len(truths)} | "
                  + " | ".join(f"{de:.2f} / {db:.2f}" for de, db in cells) + " |")


if __name__ == "__main__":
    main()
