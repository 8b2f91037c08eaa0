"""Score colorgan on held-out and test-only folders, against the gray answer.

Uses only the command line (`python -m colorhelpers evaluate`), so it does not depend on
the package's internal layout. For every run (default: the shipped model) and folder it runs

    python -m colorhelpers evaluate --data FOLDER [--run RUN] --saturation 1

and once per folder `--saturation 0`, the gray answer (no color at all: the baseline a
colorizer has to beat). It prints a markdown table and, per folder and run, whether the run
beats gray on both PSNR and CIEDE2000 and whether its colorfulness ratio is in [0.5, 1.3].
The test folders (data/testsets/, built by `python -m bench.testsets`) are never trained or
tuned on. Missing folders are skipped with a note.

    python -m bench.anime                                    # shipped model, default folders
    python -m bench.anime --run runs/a runs/b --json /tmp/anime.json
    python -m bench.anime --folders data/testsets/anime-faces
    python -m bench.anime --package-root /tmp/head     # colorhelpers from an exported commit
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

DEFAULT_FOLDERS = ("data/anime/heldout", "data/characters/heldout", "data/testsets/vn-sprites",
                   "data/testsets/anime-faces", "data/testsets/painted-portraits")
METRICS = ("psnr", "ciede2000", "auc", "auc_rebalanced", "colorfulness_ratio")
COLORFULNESS_RANGE = (0.5, 1.3)


def evaluate(folder: str, run: str | None, saturation: float, package_root: Path | None = None) -> dict:
    """One `colorhelpers evaluate` call; returns its JSON object.

    With `package_root`, the command runs there with it first on PYTHONPATH, so that copy of
    colorhelpers is the one imported (the paths are made absolute).
    """
    command = [sys.executable, "-m", "colorhelpers", "evaluate", "--data", str(Path(folder).resolve()),
               "--saturation", str(saturation)]
    if run is not None:
        command += ["--run", str(Path(run).resolve())]
    env, cwd = None, None
    if package_root is not None:
        cwd = str(package_root.resolve())
        env = {**os.environ, "PYTHONPATH": cwd + os.pathsep + os.environ.get("PYTHONPATH", "")}
    result = subprocess.run(command, capture_output=True, text=True, cwd=cwd, env=env)
    lines = [line for line in result.stdout.splitlines() if line.strip().startswith("{")]
    if result.returncode != 0 or not lines:
        raise RuntimeError(f"{' '.join(command)} failed ({result.returncode}):\n"
                           f"{result.stderr[-2000:]}")
    return json.loads(lines[-1])


def guided(folder: str, run: str | None, hints: int = 10) -> dict:
    """Notebook 09's protocol on `folder`: `hints` simulated hints per image (seeded), and the
    image's own picture mirrored and moved as a reference; scored at the model's size, with
    the gray answer's CIEDE2000 alongside (same truths)."""
    from colorhelpers.data import find_images
    from colorhelpers.evaluation import SHIPPED_RUN, load_generator, open_run
    from colorhelpers.hints import hint_sweep, reference_test
    from colorhelpers.hints.sweep import load_truths

    run_dir = open_run(run or SHIPPED_RUN)
    generator, _ = load_generator(run_dir)
    truths = load_truths(find_images(folder), run_dir.read_config().image_size)
    sweep = hint_sweep(generator, truths, counts=(hints,), methods=("network + propagation",))
    reference = reference_test(generator, truths)
    gray = sweep["gray"][hints]["ciede2000"]
    return {"hints": hints, "gray_ciede2000": gray,
            "hints_ciede2000": sweep["network + propagation"][hints]["ciede2000"],
            "hints_psnr": sweep["network + propagation"][hints]["psnr"],
            "reference_ciede2000": reference["reference"]["ciede2000"],
            "reference_psnr": reference["reference"]["psnr"]}


def faces_figure(folder: str, answers: list[tuple[str | None, float]], path: Path, count: int = 8) -> None:
    """The gray input, each answer's colors and the truth for `count` images of `folder` (a row
    of pictures per column here: gray, then each (run, saturation) of `answers`, then truth), as a PNG."""
    import numpy as np
    from PIL import Image

    from colorhelpers.colorize import Colorizer
    from colorhelpers.data import find_images
    from colorhelpers.evaluation import SHIPPED_RUN, load_generator, open_run
    from colorhelpers.scoring import tile

    loaded = {}  # each run's generator once, however many saturations it is shown at
    for run in {run for run, _ in answers}:
        run_dir = open_run(run or SHIPPED_RUN)
        loaded[run] = load_generator(run_dir)[0], run_dir.read_config().image_size
    colorizers = [Colorizer(*loaded[run], saturation) for run, saturation in answers]
    paths = find_images(folder)
    rows = []
    for image in paths[:: max(1, len(paths) // count)][:count]:
        truth = np.asarray(Image.open(image).convert("RGB").resize((160, 160), Image.LANCZOS))
        gray = np.repeat(np.asarray(Image.fromarray(truth).convert("L"))[..., None], 3, axis=-1)
        rows.append([gray, *(colorizer.still(gray) for colorizer in colorizers), truth])
    columns = [np.concatenate([row[i] for row in rows], axis=1) for i in range(len(rows[0]))]
    Image.fromarray(tile([[c] for c in columns])).save(path)


def verdict(scores: dict, gray: dict) -> dict:
    beats = scores["psnr"] > gray["psnr"] and scores["ciede2000"] < gray["ciede2000"]
    low, high = COLORFULNESS_RANGE
    return {"beats_gray": bool(beats),
            "colorfulness_in_range": bool(low <= scores["colorfulness_ratio"] <= high)}


def fmt(value) -> str:
    return f"{value:.3f}" if isinstance(value, float) else str(value)


def table(results: list[dict]) -> str:
    head = ["folder", "answer", "images", "PSNR", "CIEDE2000", "AuC", "rebalanced AuC",
            "colorfulness ratio"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for entry in results:
        for answer, scores in [("gray", entry["gray"])] + list(entry["runs"].items()):
            cells = [entry["folder"], answer, str(scores["images"])]
            cells += [fmt(scores.get(key)) for key in METRICS]
            lines.append("| " + " | ".join(cells) + " |")
    guided_rows = [(e["folder"], name, g) for e in results for name, g in e.get("guided", {}).items()]
    if guided_rows:
        lines += ["", "| folder | answer | CIEDE2000: gray | 10 hints | share | reference | share |",
                  "|---|---|---|---|---|---|---|"]
        for folder, name, g in guided_rows:
            gray, hinted, referenced = g["gray_ciede2000"], g["hints_ciede2000"], g["reference_ciede2000"]
            lines.append(f"| {folder} | {name} | {gray:.2f} | {hinted:.2f} | {hinted / gray:.0%} | "
                         f"{referenced:.2f} | {referenced / gray:.0%} |")
    lines.append("")
    low, high = COLORFULNESS_RANGE
    for entry in results:
        for answer, v in entry["verdicts"].items():
            lines.append(f"- {entry['folder']} ({answer}): beats gray on PSNR and CIEDE2000: "
                         f"{'yes' if v['beats_gray'] else 'no'}, colorfulness ratio in "
                         f"[{low}, {high}]: {'yes' if v['colorfulness_in_range'] else 'no'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", nargs="+", default=None, metavar="RUN_DIR",
                        help="trained run directories (default: the shipped model)")
    parser.add_argument("--folders", nargs="+", default=list(DEFAULT_FOLDERS))
    parser.add_argument("--json", type=Path, help="also write the results to this JSON file")
    parser.add_argument("--faces", type=Path, metavar="PNG",
                        help="also draw gray / colorgan / truth of the first folder's images (first run)")
    parser.add_argument("--guided", action="store_true",
                        help="also score 10 simulated hints and a reference image (notebook 09's protocol)")
    parser.add_argument("--package-root", type=Path, default=None,
                        help="import colorhelpers from this folder instead (e.g. an export of a "
                             "commit: git archive HEAD colorhelpers | tar -x -C DIR)")
    args = parser.parse_args(argv)

    runs: list[str | None] = args.run or [None]
    results, skipped = [], []
    for folder in args.folders:
        if not Path(folder).is_dir():
            skipped.append(folder)
            print(f"note: {folder} does not exist; skipped", file=sys.stderr)
            continue
        start = time.time()
        entry = {"folder": folder, "gray": evaluate(folder, runs[0], 0.0, args.package_root), "runs": {},
                 "verdicts": {}}
        for run in runs:
            name = Path(run).name if run else "shipped"
            entry["runs"][name] = evaluate(folder, run, 1.0, args.package_root)
            entry["verdicts"][name] = verdict(entry["runs"][name], entry["gray"])
            if args.guided:
                entry.setdefault("guided", {})[name] = guided(folder, run)
        results.append(entry)
        print(f"scored {folder} ({entry['gray']['images']} images) in {time.time() - start:.0f} s",
              file=sys.stderr)
    print(table(results))
    if args.faces and results:
        faces_figure(results[0]["folder"], [(runs[0], 1.0)], args.faces)
        print(f"\nfigure: {args.faces} (rows: gray input, colorgan, truth)")
    if skipped:
        print("\nskipped (missing): " + ", ".join(skipped))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps({"runs": [r or "shipped" for r in runs], "results": results,
                                         "skipped": skipped}, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
