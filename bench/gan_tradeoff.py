"""Does a model's extra color beat the saturation knob? Colors against faithfulness, per folder.

A model that paints more colorfully than the L1-only model is compared with the L1-only model
turned up to the same colorfulness (its `--saturation`, found by bisection), not with its
default: that knob costs nothing to train, so a recipe's colors earn their place only if they
are more faithful (lower CIEDE2000) and look more hand-colored (the machine judge,
`colorhelpers.scoring.judge`, closer to 50 %) than the knob's at equal colorfulness.

    python -m bench.gan_tradeoff --run RUN [--l1-run runs/anime] [--folders ...] [--json FILE]

Per folder (the held-out characters, and the test-only folders of `python -m bench.testsets`,
never trained or tuned on) it prints PSNR, CIEDE2000, the colorfulness ratio (output over
truth) and the judge's accuracy with its spread over the seeds, for the gray answer, the
L1-only run at saturation 1, the run at saturation 1, and the L1-only run at the run's
colorfulness. Images are scored at the runs' size.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # before TensorFlow is imported

from colorhelpers import import_tensorflow_quietly

import_tensorflow_quietly()

import numpy as np  # noqa: E402

from bench.anime import faces_figure  # noqa: E402
from bench.tables import tradeoff_table  # noqa: E402
from colorhelpers.color.lab import l_ab_to_rgb, rgb_to_l_ab  # noqa: E402
from colorhelpers.data import load_images  # noqa: E402
from colorhelpers.evaluation import SHIPPED_RUN, evaluation_images, load_generator, open_run  # noqa: E402
from colorhelpers.scoring import judge  # noqa: E402
from colorhelpers.scoring.metrics import colorfulness, predict_ab, score_batch, summarize  # noqa: E402
from colorhelpers.scoring.plotting import to_uint8  # noqa: E402

FOLDERS = ("data/anime/heldout", "data/testsets/anime-faces", "data/testsets/vn-sprites",
           "data/testsets/painted-portraits")
BATCH = 16


def predicted_ab(generator, l_norm: np.ndarray) -> np.ndarray:
    """A generator's scaled ab for every image (None: the gray answer's zeros), predicted once."""
    if generator is None:
        return np.zeros((*l_norm.shape[:-1], 2), np.float32)
    return np.concatenate([predict_ab(generator, l_norm[i:i + BATCH]) for i in range(0, len(l_norm), BATCH)])


def saturated(ab: np.ndarray, saturation: float) -> np.ndarray:
    """Predicted ab scaled by the saturation knob and clipped, as `colorize` does."""
    return np.clip(ab * saturation, -1.0, 1.0)


def matched_saturation(l_norm: np.ndarray, ab: np.ndarray, ab_true: np.ndarray, colorfulness_ratio: float,
                       low: float = 0.0, high: float = 4.0, steps: int = 10) -> float:
    """The saturation at which predicted `ab` paints as colorfully (over the truth's) as
    `colorfulness_ratio` (bisection: colorfulness grows with the saturation); capped at `high`."""
    truth = float(np.mean(colorfulness(l_ab_to_rgb(l_norm, ab_true).numpy())))

    def ratio(saturation: float) -> float:
        return float(np.mean(colorfulness(l_ab_to_rgb(l_norm, saturated(ab, saturation)).numpy()))) / truth

    if ratio(high) <= colorfulness_ratio:
        return high
    for _ in range(steps):
        middle = 0.5 * (low + high)
        low, high = (middle, high) if ratio(middle) < colorfulness_ratio else (low, middle)
    return 0.5 * (low + high)


def answer(ab: np.ndarray, l_norm: np.ndarray, ab_true: np.ndarray, real: np.ndarray, saturation: float,
           seeds: Sequence[int]) -> dict:
    """Scores and the judge's verdict of predicted `ab` at one saturation."""
    ab = saturated(ab, saturation)
    per_batch = [score_batch(l_norm[i:i + BATCH], ab[i:i + BATCH], ab_true[i:i + BATCH])
                 for i in range(0, len(l_norm), BATCH)]
    scores = summarize({name: np.concatenate([b[name] for b in per_batch]) for name in per_batch[0]})
    verdict = judge(real, to_uint8(l_ab_to_rgb(l_norm, ab).numpy()), seeds=seeds)
    return {"saturation": saturation, "psnr": scores["psnr"], "ciede2000": scores["ciede2000"],
            "colorfulness_ratio": scores["colorfulness_ratio"], "judge": verdict.mean,
            "judge_std": verdict.std, "judge_seeds": list(verdict.accuracies)}


def folder_rows(folder: str, run, l1, size: int, seeds: Sequence[int]) -> dict[str, dict]:
    real = np.asarray(load_images(evaluation_images(folder), size))
    l_norm, ab_true = (np.asarray(t) for t in rgb_to_l_ab(real.astype(np.float32) / 255.0))
    ab_run, ab_l1 = predicted_ab(run, l_norm), predicted_ab(l1, l_norm)
    rows = {"gray answer": answer(predicted_ab(None, l_norm), l_norm, ab_true, real, 0.0, seeds),
            "L1 only": answer(ab_l1, l_norm, ab_true, real, 1.0, seeds),
            "run": answer(ab_run, l_norm, ab_true, real, 1.0, seeds)}
    matched = matched_saturation(l_norm, ab_l1, ab_true, rows["run"]["colorfulness_ratio"])
    rows["L1 only, same colorfulness"] = answer(ab_l1, l_norm, ab_true, real, matched, seeds)
    return {"images": len(real), "answers": rows}


def differences(results: dict[str, dict]) -> list[str]:
    """One line per folder: the run against the knob at the same colorfulness."""
    lines = []
    for folder, entry in results.items():
        ours, knob = entry["answers"]["run"], entry["answers"]["L1 only, same colorfulness"]
        spread = 100 * max(ours["judge_std"], knob["judge_std"])
        lines.append(f"{folder}: at colorfulness {ours['colorfulness_ratio']:.2f}, CIEDE2000 run - knob "
                     f"{ours['ciede2000'] - knob['ciede2000']:+.2f}; judge run - knob "
                     f"{100 * (ours['judge'] - knob['judge']):+.1f} points (seed spread {spread:.1f})")
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", type=Path, required=True, help="the recipe to judge")
    parser.add_argument("--l1-run", type=Path, default=SHIPPED_RUN, help="the L1-only run (default: shipped)")
    parser.add_argument("--folders", nargs="+", default=list(FOLDERS))
    parser.add_argument("--seeds", type=int, nargs="+", default=[0, 1, 2])
    parser.add_argument("--name", help="what the tables call the run (default: its folder's name)")
    parser.add_argument("--json", type=Path, help="also write every figure here")
    parser.add_argument("--gallery", type=Path, metavar="PNG",
                        help="also draw the first folder's pictures: gray, L1 only, L1 only at the run's "
                             "colorfulness, the run, truth")
    args = parser.parse_args()
    run_dir, l1_dir = open_run(args.run), open_run(args.l1_run)
    run, _ = load_generator(run_dir)
    l1, _ = load_generator(l1_dir)
    size = run_dir.read_config().image_size
    results = {}
    for folder in args.folders:
        if not Path(folder).is_dir():
            print(f"note: {folder} does not exist (python -m bench.testsets builds it); skipped",
                  file=sys.stderr)
            continue
        results[folder] = folder_rows(folder, run, l1, size, args.seeds)
        print(f"scored {folder}", file=sys.stderr, flush=True)
    print(f"run {args.run} against L1-only {args.l1_run}; judge seeds {args.seeds}\n")
    data = {"run": str(args.run), "run_name": args.name or args.run.name, "l1_run": str(args.l1_run),
            "seeds": args.seeds, "folders": results}
    print(tradeoff_table(data) + "\n\n" + "\n".join(differences(results)))
    if args.json:
        args.json.write_text(json.dumps(data, indent=1) + "\n")
    if args.gallery and results:
        folder, entry = next(iter(results.items()))
        knob = entry["answers"]["L1 only, same colorfulness"]["saturation"]
        columns = [(str(args.l1_run), 1.0), (str(args.l1_run), knob), (str(args.run), 1.0)]
        faces_figure(folder, columns, args.gallery)
        print(f"\ngallery: {args.gallery} (rows: gray, L1 only, L1 only at saturation {knob:.2f}, run, "
              "truth)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
