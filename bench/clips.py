"""Clips: steady colors against per-frame colors, on clips with known motion; and frames/s.

    .venv/bin/python -m bench.clips [--run RUN_DIR] [--clips 12] [--frames 24] [--files 3]
                                    [--skip-quality] [--skip-speed]

Quality, with the shipped model unless `--run` names another:
for every 3rd image of data/cartoons/train (where `clips.flow`'s settings were chosen),
data/characters/heldout and data/unseen-characters (a style never trained on), two clips
(`colorhelpers.clips.motion`): "pan", the window make_clip.py moves (1, 2 px a frame, 96x128),
and "zoom", a window panning and zooming in by 2 % a frame (128x128) whose
middle changes to another picture half-way. Printed per set and clip kind: warping error
(ab units) and CIEDE2000 of the gray answer, per-frame coloring, colorgan's clip coloring,
and clip coloring with the first frame in color as the reference. With `--files N`, the
first N pan clips of each set also go through the files and the command line's code
(GIF in, GIF out) and clip_eval.py scores them, when a `shared/checks` folder with it sits
beside the repository.

Speed: a 256x256 clip of 96 frames; per-frame coloring (`colorize.colorize_rgb`, a frame
at a time) against clip coloring (`Colorizer.frames` with `clips.SteadyGuide`), both in
memory, and clip coloring of the same clip as a GIF file, read and written
(`colorize.colorize_path`).
Each rate is the median of 3 passes after a warm-up pass, measured in the same process.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
from colorhelpers import import_tensorflow_quietly  # noqa: E402

#: The goals these figures were measured against.
TARGET_FPS = 15.0
CHECKS = Path(__file__).resolve().parent.parent.parent / "shared" / "checks"
SETS = {"cartoons (tuned)": "data/cartoons/train", "characters held out": "data/characters/heldout",
        "unseen style": "data/unseen-characters"}


def rate(fn, frames: int, repeats: int = 3) -> float:
    fn()  # warm-up: traces the graphs
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return frames / statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--run", type=Path, help="a trained run (default: the shipped model)")
    parser.add_argument("--clips", type=int, default=12, help="clips per set and kind")
    parser.add_argument("--frames", type=int, default=24)
    parser.add_argument("--files", type=int, default=3, help="pan clips per set also scored as files")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--skip-speed", action="store_true")
    args = parser.parse_args()
    import_tensorflow_quietly()
    import numpy as np
    from PIL import Image

    from colorhelpers.clips import CARRY, SteadyGuide, motion
    from colorhelpers.colorize import Colorizer, colorize_path, colorize_rgb
    from colorhelpers.evaluation import SHIPPED_RUN, load_generator, open_run
    from colorhelpers.hints import HintGuide

    run = open_run(args.run or SHIPPED_RUN)
    generator, epoch = load_generator(run)
    size = run.read_config().image_size
    colorizer = Colorizer(generator, size)
    print(f"{run.root}, epoch {epoch}, {size} px; carry {CARRY}, "
          f"working grid: the network's shape (shorter side {size} px, or the frame's size if smaller)")
    rgb_of = lambda path: np.asarray(Image.open(path).convert("RGB"))  # noqa: E731

    if not args.skip_quality:
        print(f"\n{'set':14s} {'clip':5s} {'method':14s} {'warp':>6s} {'CIEDE2000':>9s}")
        for name, folder in SETS.items():
            paths = sorted(p for p in Path(folder).glob("*") if p.is_file())[::3][: args.clips]
            if not paths:
                print(f"{name}: no images in {folder}, skipped")
                continue
            table: dict[tuple[str, str], list[tuple[float, float]]] = {}
            for i, path in enumerate(paths):
                other = rgb_of(paths[(i + 1) % len(paths)])
                kinds = {"pan": motion.moving_clip(rgb_of(path), args.frames),
                         "zoom": motion.moving_clip(rgb_of(path), args.frames, 128, 128, (0.7, 1.3), 0.98,
                                                    change=other)}
                for kind, clip in kinds.items():
                    reference = SteadyGuide(first=HintGuide(reference_rgb=clip.truth[0]))
                    outputs = {
                        "gray": clip.gray,
                        "per-frame": [colorize_rgb(generator, f / 255.0, size) for f in clip.gray],
                        "clip": list(colorizer.frames(clip.gray, SteadyGuide())),
                        "reference": list(colorizer.frames(clip.gray, reference)),
                    }
                    for method, frames in outputs.items():
                        table.setdefault((kind, method), []).append(
                            (motion.warping_error(frames, clip), motion.mean_ciede2000(frames, clip.truth)))
            for (kind, method), scores in table.items():
                warp, de = np.mean(scores, axis=0)
                print(f"{name:14s} {kind:5s} {method:14s} {warp:6.2f} {de:9.2f}", flush=True)
            if args.files and (CHECKS / "make_clip.py").exists():
                score_files(paths[: args.files], colorizer, name)

    if args.skip_speed:
        return
    clip = motion.moving_clip(rgb_of(sorted(Path(SETS["cartoons (tuned)"]).glob("*"))[0]), 96, 256, 256)
    per_frame = rate(lambda: [colorize_rgb(generator, f / 255.0, size) for f in clip.gray], 96)
    steady = rate(lambda: list(colorizer.frames(clip.gray, SteadyGuide())), 96)
    with tempfile.TemporaryDirectory() as tmp:
        gif = Path(tmp) / "clip.gif"
        Image.fromarray(clip.gray[0]).save(gif, save_all=True, duration=80, loop=0,
                                           append_images=[Image.fromarray(f) for f in clip.gray[1:]])
        out = Path(tmp) / "out"
        files = rate(lambda: colorize_path(colorizer, gif, out, SteadyGuide()), 96)
    print(f"\n256x256, 96 frames: per-frame {per_frame:.1f} frames/s, clip {steady:.1f} frames/s "
          f"({steady / per_frame:.2f}x), clip GIF file to file {files:.1f} frames/s "
          f"(target {TARGET_FPS:.0f}: {'met' if min(steady, files) >= TARGET_FPS else 'MISSED'}); "
          f"load average {os.getloadavg()[0]:.1f}")


def score_files(paths, colorizer, name) -> None:
    """make_clip.py's clips through the files (GIF in and out), scored by clip_eval.py."""
    from colorhelpers.clips import SteadyGuide
    from colorhelpers.colorize import colorize_path

    rows = {}
    with tempfile.TemporaryDirectory() as tmp:
        for i, path in enumerate(paths):
            clip_dir = Path(tmp) / f"c{i}"
            subprocess.run([sys.executable, CHECKS / "make_clip.py", path, clip_dir], check=True,
                           capture_output=True)
            per_frame = clip_dir / "per-frame"
            for frame in sorted((clip_dir / "frames").glob("*.png")):
                colorize_path(colorizer, frame, per_frame)
            outs = {"per-frame PNGs": per_frame,
                    "clip GIF": colorize_path(colorizer, clip_dir / "clip.gif", clip_dir / "o",
                                              SteadyGuide()),
                    "clip MP4": colorize_path(colorizer, clip_dir / "clip.mp4", clip_dir / "o",
                                              SteadyGuide())}
            for method, out in outs.items():
                result = subprocess.run([sys.executable, CHECKS / "clip_eval.py", clip_dir, out],
                                        capture_output=True, text=True, check=True)
                rows.setdefault(method, []).append(json.loads(result.stdout))
    for method, results in rows.items():
        warp = sum(r["warp"] for r in results) / len(results)
        de = sum(r["de"] for r in results) / len(results)
        ok = all(r["size_ok"] and r["durations_ok"] in (True, None) for r in results)
        print(f"{name:14s} pan   {method:14s} {warp:6.2f} {de:9.2f}  (clip_eval.py, {len(results)} clips, "
              f"frames/size/timing {'kept' if ok else 'NOT kept'})", flush=True)


if __name__ == "__main__":
    main()
