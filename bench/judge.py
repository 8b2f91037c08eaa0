"""The machine judge (`colorhelpers.scoring.twosample`) on held-out anime characters.

A fresh critic per seed tries to tell the real pictures from colored ones, trained on half of
the images and scored on patches of the other half; 50 % is indistinguishable. Four answers
are judged against the real pictures, each the same drawings' L with some ab, sent through
the same road (Lab to RGB, rounded to uint8):

- the truth's own ab (the judge's null check: it must not win on the road itself);
- the truth mirrored left to right: other hand-colored patches at the same positions, so
  the critic sees two different samples of real colors (the null check with a contest);
- the gray answer (ab = 0);
- the run's colors (default: the shipped model), and the same at saturation 2 (ab x 2).

    python -m bench.judge [--data data/anime] [--run RUN] [--seeds 0 1 2] [--json FILE]

It prints one line per answer (mean accuracy, spread over the seeds, each seed's figure) and
the seconds per seed.
"""

from __future__ import annotations

import argparse
import json
import os
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before TensorFlow is imported

from colorhelpers import import_tensorflow_quietly

import_tensorflow_quietly()

import numpy as np  # noqa: E402

from colorhelpers.data import load_images  # noqa: E402
from colorhelpers.evaluation import SHIPPED_RUN, evaluation_images, load_generator, open_run  # noqa: E402
from colorhelpers.evaluation.diagnostics import judged_answers  # noqa: E402
from colorhelpers.scoring import judge  # noqa: E402


def answers(run_dir: Path, data: Path) -> tuple[np.ndarray, dict[str, np.ndarray]]:
    """The real uint8 pictures at the run's size, and each answer's uint8 RGB."""
    run = open_run(run_dir)
    generator, _ = load_generator(run)
    real = np.asarray(load_images(evaluation_images(data), run.read_config().image_size))
    return real, judged_answers(generator, real)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, default=Path("data/anime"))
    parser.add_argument("--run", type=Path, default=SHIPPED_RUN)
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--json", type=Path, help="also write every figure here")
    args = parser.parse_args()
    real, fakes = answers(args.run, args.data)
    print(f"{args.data} held-out: {len(real)} images of {real.shape[1]} px; run {args.run}")
    figures = {}
    for name, fake in fakes.items():
        result = judge(real, fake, seeds=args.seeds)
        print(f"{name:>20}: {result}; {result.seconds:.1f} s per seed", flush=True)
        figures[name] = {"mean": result.mean, "std": result.std, "accuracies": list(result.accuracies),
                         "test_patches": result.test_patches, "seconds_per_seed": result.seconds}
    if args.json:
        args.json.write_text(json.dumps({"images": len(real), "seeds": args.seeds, **figures}, indent=1))


if __name__ == "__main__":
    main()
