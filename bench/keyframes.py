"""Keyframes measured: clips with known motion colored from one or two of their own frames.

    python -m bench.keyframes [--run RUN_DIR] [--clips 6] [--skip-scale]

Clips are made by `colorhelpers.clips.motion` from pictures of a held-out folder and of a
folder never trained or tuned on (24 frames, 96x128): "pan" (a window moving 1, 2 px a frame),
"zoom" (panning and zooming in 2 % a frame), "change" (the pan, with the middle of the
picture replaced half-way by another character's) and, in the folders that draw one character
with several expressions, "expression" (the pan, the whole picture switching half-way to the
same character's other expression, as a visual novel does). Each is written as a GIF and
colored as the command line does it: automatically (the steady clip road), with its first
frame as a keyframe, and with its first and last frames as keyframes. Printed per set and
kind: the gray answer's CIEDE2000, then for each mode the keyframe frame's, the mean, the last
frame's (with their shares of the gray answer's) and the warping error.

The scale test colors a 100-frame and a 2,000-frame clip at 256x256 from one keyframe, each
in its own process, and prints their peak memory (ratio) and frames per second.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

SETS = {"held-out anime": "data/anime/heldout", "never tuned: anime faces": "data/testsets/anime-faces",
        "never tuned: VN sprites": "data/testsets/vn-sprites"}
# Folders whose files are named <game>_<character>_<expression>: the same character drawn with
# other expressions on the same canvas. (GearHead portraits have one expression each; the
# held-out files f_<portrait>_NN are recolorings of one drawing, not expressions.)
EXPRESSION_SETS = {"data/testsets/anime-faces", "data/testsets/vn-sprites"}


def picture(path: Path) -> np.ndarray:
    return np.asarray(Image.open(path).convert("RGB").resize((160, 160), Image.LANCZOS))


def expression_partner(path: Path) -> Path | None:
    """Another expression of the same character: a file whose name differs only after its last '_'."""
    character = path.stem.rsplit("_", 1)[0]
    others = sorted(p for p in path.parent.glob(f"{character}_*.png")
                    if p != path and p.stem.rsplit("_", 1)[0] == character)
    return others[0] if others else None


def clips_of(folder: Path, count: int):
    from colorhelpers.clips import moving_clip

    paths = sorted(folder.glob("*.png"))[:: max(1, len(sorted(folder.glob("*.png"))) // count)][:count]
    pictures = [picture(p) for p in paths]
    for i, rgb in enumerate(pictures):
        yield "pan", moving_clip(rgb, 24, 128, 96)
        yield "zoom", moving_clip(rgb, 24, 128, 96, pan=(0.5, 0.5), zoom=0.98)
        # Another character's middle: harsher than an expression, its colors are in no keyframe.
        yield "change", moving_clip(rgb, 24, 128, 96, change=pictures[(i + 1) % len(pictures)])
        partner = expression_partner(paths[i]) if str(folder) in EXPRESSION_SETS else None
        if partner is not None:
            # A visual novel's case: the same character's sprite swapped for another expression's.
            yield "expression", moving_clip(rgb, 24, 128, 96, change=picture(partner), change_radius=None)


def write_gif(frames: list[np.ndarray], path: Path) -> Path:
    """uint8 RGB frames as an animated GIF at 80 ms a frame, the form a clip is colored in."""
    images = [Image.fromarray(f) for f in frames]
    images[0].save(path, save_all=True, append_images=images[1:], duration=80, loop=0)
    return path


def colorize(colorizer, clip, keyframes: tuple[int, ...], work: Path) -> list[np.ndarray]:
    from colorhelpers.clips import SteadyGuide
    from colorhelpers.clips.keyframes import KeyframeColorizer, keyframe_anchor
    from colorhelpers.colorize import WorkingGrid, colorize_path, probe
    from colorhelpers.colorize.media import read_frames

    gif = write_gif(clip.gray, work / "clip.gif")
    info = probe(gif)
    if not keyframes:
        out = colorize_path(colorizer, gif, work / "auto", SteadyGuide())
    else:
        grid = WorkingGrid.of(info.height, info.width, colorizer.size).shape
        last = len(clip.truth) - 1
        anchors = {k % (last + 1): keyframe_anchor(k % (last + 1), clip.truth[k], grid) for k in keyframes}
        out = KeyframeColorizer(colorizer, anchors).colorize(info, work / "keyed.gif")
    return [f for f, _ in read_frames(probe(out))]


def quality(run: str | None, count: int) -> dict:
    from colorhelpers.clips import mean_ciede2000, warping_error
    from colorhelpers.colorize import Colorizer
    from colorhelpers.evaluation import SHIPPED_RUN, load_generator, open_run

    run_dir = open_run(run or SHIPPED_RUN)
    generator, _ = load_generator(run_dir)
    colorizer = Colorizer(generator, run_dir.read_config().image_size)
    table = {}
    for name, folder in SETS.items():
        if not Path(folder).is_dir():
            print(f"note: {folder} missing, skipped", file=sys.stderr)
            continue
        for kind, clip in clips_of(Path(folder), count):
            row = table.setdefault((name, kind), {"gray": [], "auto": [], "first": [], "first+last": []})
            row["gray"].append([mean_ciede2000([f], [t]) for f, t in zip(clip.gray, clip.truth)])
            with tempfile.TemporaryDirectory() as work:
                for mode, keys in (("auto", ()), ("first", (0,)), ("first+last", (0, -1))):
                    out = colorize(colorizer, clip, keys, Path(work))
                    per_frame = [mean_ciede2000([f], [t]) for f, t in zip(out, clip.truth)]
                    row[mode].append(per_frame + [warping_error(out, clip)])
    return table


def report(table: dict) -> None:
    print("| set | clip | gray | mode | keyframe frame | mean (share) | last frame (share) | warping error |")
    print("|---|---|---:|---|---:|---:|---:|---:|")
    for (name, kind), row in table.items():
        gray = np.mean(row["gray"], axis=0)
        for mode in ("auto", "first", "first+last"):
            scores = np.mean(row[mode], axis=0)
            per_frame, warp = scores[:-1], scores[-1]
            mean, last = per_frame.mean(), per_frame[-1]
            print(f"| {name} | {kind} | {gray.mean():.2f} | {mode} | {per_frame[0]:.2f} | {mean:.2f} "
                  f"({mean / gray.mean():.0%}) | {last:.2f} ({last / gray[-1]:.0%}) | {warp:.2f} |")


def scale_worker(frames: int, run: str | None, result: Path) -> None:
    """In its own process: one keyframe, a `frames`-long 256x256 clip; peak memory and speed."""
    from colorhelpers.clips import moving_clip
    from colorhelpers.clips.keyframes import KeyframeColorizer, keyframe_anchor
    from colorhelpers.colorize import Colorizer, WorkingGrid, probe
    from colorhelpers.evaluation import SHIPPED_RUN, load_generator, open_run

    run_dir = open_run(run or SHIPPED_RUN)
    generator, _ = load_generator(run_dir)
    colorizer = Colorizer(generator, run_dir.read_config().image_size)
    picture = np.asarray(Image.open(sorted(Path(SETS["held-out anime"]).glob("*.png"))[0]).convert("RGB"))
    import cv2

    with tempfile.TemporaryDirectory() as work:
        # Frames swing back and forth over a 24-frame pan, written as a video a frame at a time
        # (a GIF writer would hold every frame).
        clip = moving_clip(np.asarray(Image.fromarray(picture).resize((320, 320))), 24, 256, 256)
        grid = WorkingGrid.of(256, 256, colorizer.size).shape
        for name, length in (("warm", 8), ("long", frames)):
            video = cv2.VideoWriter(str(Path(work) / f"{name}.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 25.0,
                                    (256, 256))
            for t in range(length):
                video.write(cv2.cvtColor(clip.gray[abs((t % 46) - 23)], cv2.COLOR_RGB2BGR))
            video.release()
            keyed = KeyframeColorizer(colorizer, {0: keyframe_anchor(0, clip.truth[0], grid)})
            start = time.perf_counter()  # the short clip first: tracing is not timed
            keyed.colorize(probe(Path(work) / f"{name}.mp4"), Path(work) / f"{name}-out.mp4")
            seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    result.write_text(json.dumps({"frames": frames, "seconds": seconds, "peak_bytes": peak}))


def scale(run: str | None) -> None:
    results = {}
    for frames in (100, 2000):
        with tempfile.NamedTemporaryFile(suffix=".json") as result:
            command = [sys.executable, "-m", "bench.keyframes", "--worker", str(frames), result.name]
            subprocess.run(command + (["--run", run] if run else []), check=True)
            results[frames] = json.loads(Path(result.name).read_text())
    for frames, r in results.items():
        print(f"{frames} frames at 256x256, one keyframe: {r['frames'] / r['seconds']:.1f} frames/s, "
              f"peak memory {r['peak_bytes'] / 1e6:,.0f} MB")
    ratio = results[2000]["peak_bytes"] / results[100]["peak_bytes"]
    print(f"peak memory 2,000 / 100 frames: {ratio:.2f} (target at most 1.10); "
          f"speed {results[2000]['frames'] / results[2000]['seconds']:.1f} frames/s (target at least 15)")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--run", help="a trained run (default: the shipped model)")
    parser.add_argument("--clips", type=int, default=6, help="pictures per set (3 clips each)")
    parser.add_argument("--skip-scale", action="store_true")
    parser.add_argument("--skip-quality", action="store_true")
    parser.add_argument("--worker", nargs=2, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        scale_worker(int(args.worker[0]), args.run, Path(args.worker[1]))
        return 0
    if not args.skip_quality:
        report(quality(args.run, args.clips))
    if not args.skip_scale:
        scale(args.run)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
