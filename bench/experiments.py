"""Training what-ifs behind the findings in docs/bench-history.md (not part of `make bench`).

    python -m bench.experiments [--steps 6] [--repeats 3] [--only threads,XLA]

Each variant is colorgan's training step as colorhelpers builds it, with one thing changed:
a TrainConfig field, TensorFlow's thread pools, oneDNN, or one constant batch instead of
the input pipeline. Each runs in its own process (bench/workers.py) and is printed as a
ratio to the default, measured in the same command.
"""

from __future__ import annotations

import argparse
import os
import sys

from bench.bench import spawn

# (name, extra worker options, extra environment variables)
VARIANTS: list[tuple[str, dict, dict[str, str]]] = [
    ("default (training_batches feed, TF's threads)", {}, {}),
    ("one constant batch (compute only)", {"feed": "constant"}, {}),
    ("threads: intra-op 2, inter-op 1", {"threads": [2, 1]}, {}),
    ("threads: intra-op 1, inter-op 2", {"threads": [1, 2]}, {}),
    ("oneDNN off (TF_ENABLE_ONEDNN_OPTS=0)", {}, {"TF_ENABLE_ONEDNN_OPTS": "0"}),
    ("batch 32", {"batch": 32}, {}),
    ("batch 64", {"batch": 64}, {}),
    ("64 filters (pix2pix's width)", {"config": {"generator_filters": 64, "discriminator_filters": 64}}, {}),
    ("jit_compile=True (XLA)", {"config": {"jit_compile": True}}, {}),
]


def main() -> None:
    """Time each variant (the default first) and print images/s against the default."""
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--steps", type=int, default=6, help="training steps per timed repeat")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", default="", help="comma-separated parts of variant names (default: all)")
    args = parser.parse_args()
    wanted = [part for part in args.only.split(",") if part]
    # The default always runs: every other variant is printed as a ratio to it.
    variants = [v for i, v in enumerate(VARIANTS) if i == 0 or not wanted or any(w in v[0] for w in wanted)]
    common = {"size": args.size, "batch": args.batch, "steps": args.steps, "warmup": 2,
              "repeats": args.repeats}
    print(f"load average at start {os.getloadavg()[0]:.2f}", file=sys.stderr)
    print(f"{'training variant (colorgan step, ' + str(args.size) + ' px)':<52}{'img/s':>8}"
          f"{'x default':>11}{'first fit s':>13}")
    default = None
    for name, options, env in variants:
        result = spawn("train_colorgan", {**common, **options}, env)
        default = default or result["images_per_s"]
        print(f"{name:<52}{result['images_per_s']:>8.2f}{result['images_per_s'] / default:>10.2f}x"
              f"{result['first_fit_s']:>13.1f}", flush=True)
    print(f"load average at end {os.getloadavg()[0]:.2f}", file=sys.stderr)


if __name__ == "__main__":
    main()
