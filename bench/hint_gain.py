"""What 10 simulated hints buy over the gray answer, per folder: the propagation's defaults and other weights.

Notebook 09's protocol (`colorhelpers.hints.sweep`, as `bench/anime.py --guided` runs it):
every image at the model's size, 10 hints simulated on its truth (seeded), "network +
propagation" scored by mean CIEDE2000, and its share of the gray answer's. Each folder is
scored with the propagation's defaults and with the weights given (`--sigma`,
`--prior-weight`; by default the weaker prior pull tried last), and the reference test
(the picture mirrored and moved) likewise, so one command shows what a change would do.
data/anime/heldout is held out from training (the propagation's constants were chosen on
training images); data/testsets (`python -m bench.testsets`) and data/characters were never
tuned on.

    python -m bench.hint_gain                            # the shipped model, default folders
    python -m bench.hint_gain --folders data/testsets/vn-sprites --every 2 --run runs/anime
    python -m bench.hint_gain --sigma 1.5 --prior-weight 1e-5
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

DEFAULT_FOLDERS = ("data/anime/heldout", "data/testsets/anime-faces", "data/testsets/vn-sprites",
                   "data/testsets/painted-portraits", "data/characters/heldout")
#: The weights compared with the defaults unless others are given: a weaker pull of the prior.
OTHER = {"prior_weight": 1e-5}
HINTS = 10


def scores(generator, truths, weights: dict) -> tuple[float, float]:
    """(CIEDE2000 with 10 hints, CIEDE2000 with the reference) under the propagation `weights`."""
    from colorhelpers.hints import hint_sweep, reference_test

    sweep = hint_sweep(generator, truths, counts=(HINTS,), methods=("network + propagation",), **weights)
    reference = reference_test(generator, truths, **weights)
    return sweep["network + propagation"][HINTS]["ciede2000"], reference["reference"]["ciede2000"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", default=None, help="a trained run directory (default: the shipped model)")
    parser.add_argument("--folders", nargs="+", default=list(DEFAULT_FOLDERS))
    parser.add_argument("--every", type=int, default=1, help="score every n-th image only (quicker)")
    parser.add_argument("--sigma", type=float, default=None, help="edge sensitivity to compare (L units)")
    parser.add_argument("--prior-weight", type=float, default=None, help="prior pull to compare")
    args = parser.parse_args(argv)
    from colorhelpers import import_tensorflow_quietly

    import_tensorflow_quietly()
    import numpy as np

    from colorhelpers.data import find_images
    from colorhelpers.evaluation import SHIPPED_RUN, load_generator, open_run
    from colorhelpers.hints.propagation import PRIOR_WEIGHT, SIGMA_L
    from colorhelpers.hints.sweep import gray_output, load_truths, score

    run_dir = open_run(args.run or SHIPPED_RUN)
    generator, _ = load_generator(run_dir)
    size = run_dir.read_config().image_size
    given = {k: v for k, v in (("sigma", args.sigma), ("prior_weight", args.prior_weight)) if v is not None}
    other = {"sigma": SIGMA_L, "prior_weight": PRIOR_WEIGHT, **(given or OTHER)}
    print(f"defaults: sigma {SIGMA_L:g}, prior weight {PRIOR_WEIGHT:g}; other: sigma {other['sigma']:g}, "
          f"prior weight {other['prior_weight']:g}; {HINTS} hints, CIEDE2000 (share of the gray answer's)")
    print(f"| folder | images | gray | {HINTS} hints: defaults | {HINTS} hints: other | reference: defaults "
          "| reference: other |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for folder in args.folders:
        if not Path(folder).is_dir():
            print(f"note: {folder} does not exist; skipped", file=sys.stderr)
            continue
        start = time.time()
        truths = load_truths(find_images(folder)[:: args.every], size)
        gray = score(np.stack([gray_output(t) for t in truths]), truths)["ciede2000"]
        default, changed = scores(generator, truths, {}), scores(generator, truths, other)
        cells = [f"{value:.2f} ({value / gray:.0%})" for pair in zip(default, changed) for value in pair]
        print(f"| {folder} | {len(truths)} | {gray:.2f} | " + " | ".join(cells) + " |", flush=True)
        print(f"scored {folder} in {time.time() - start:.0f} s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
