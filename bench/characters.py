"""The shipped model against its targets on DiceBear characters: held-out and unseen ones, and speed.

For each folder: the shipped model's automatic colors (at `--saturation`, default 1) and the
gray answer, on PSNR, CIEDE2000, AuC, rebalanced AuC, colorfulness ratio and gap; then the
wall time of `python -m colorhelpers colorize` on 13 images of 128 px, start-up included,
next to the time of `python -c "import tensorflow"` measured in the same command.

    python -m bench.characters [--data DIR ...] [--saturation S]

The default folders: data/characters (its heldout/ split), data/unseen-characters (a style
never trained on, built by `python data/build_characters.py --unseen`) and data/dicebear
(`bash data/build_dicebear.sh`), where present.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from colorhelpers import import_tensorflow_quietly

import_tensorflow_quietly()

from colorhelpers.data import eval_batches  # noqa: E402
from colorhelpers.evaluation import SHIPPED_RUN, evaluation_images, load_generator, open_run  # noqa: E402
from colorhelpers.scoring import evaluate_generator  # noqa: E402

FOLDERS = [Path("data/characters"), Path("data/unseen-characters"), Path("data/dicebear")]
COLUMNS = ("psnr", "ciede2000", "auc", "auc_rebalanced", "colorfulness_ratio", "colorfulness_gap")
BETTER = {"psnr": max, "ciede2000": min, "auc": max, "auc_rebalanced": max}


def wall_seconds(command: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, nargs="+", default=[f for f in FOLDERS if f.is_dir()])
    parser.add_argument("--run", type=Path, default=SHIPPED_RUN)
    parser.add_argument("--saturation", type=float, default=1.0)
    args = parser.parse_args()
    run = open_run(args.run)
    generator, epoch = load_generator(run)
    size = run.read_config().image_size
    print(f"{run.root} (epoch {epoch}), saturation {args.saturation:g}")
    print("| folder | images | answer | " + " | ".join(COLUMNS) + " |")
    print("| --- | ---: | --- |" + " ---: |" * len(COLUMNS))
    for folder in args.data:
        paths = evaluation_images(folder)
        batches = list(eval_batches(paths, size))
        ours = evaluate_generator(generator, batches, saturation=args.saturation)
        gray = evaluate_generator(None, batches)
        for name, scores in (("colorgan", ours), ("gray", gray)):
            print(f"| {folder.name} | {len(paths)} | {name} | "
                  + " | ".join(f"{scores[c]:.3f}" for c in COLUMNS) + " |")
        wins = [c for c, best in BETTER.items() if best(ours[c], gray[c]) == ours[c] and ours[c] != gray[c]]
        met = (ours["psnr"] > gray["psnr"] and ours["auc"] > gray["auc"]
               and ours["ciede2000"] <= gray["ciede2000"] and ours["colorfulness_ratio"] >= 0.4)
        print(f"  {folder.name}: better than gray on {', '.join(wins) or 'nothing'}; "
              f"target (beats gray, colorfulness >= 0.4) {'MET' if met else 'MISSED'}")
    with tempfile.TemporaryDirectory() as tmp:
        images = Path(tmp) / "in"
        images.mkdir()
        for path in sorted((FOLDERS[0] / "heldout").glob("*.png"))[:13]:
            (images / path.name).write_bytes(path.read_bytes())
        command = [sys.executable, "-m", "colorhelpers", "colorize", "--input", str(images),
                   "--output", str(Path(tmp) / "out")]
        if args.run != SHIPPED_RUN:
            command += ["--run", str(args.run)]
        colorize = wall_seconds(command)
        reference = wall_seconds([sys.executable, "-c", "import tensorflow"])
    print(f"colorize, 13 images of {size} px, start-up included: {colorize:.1f} s "
          f"({colorize / reference:.2f} x the {reference:.1f} s of `import tensorflow`)")


if __name__ == "__main__":
    main()
