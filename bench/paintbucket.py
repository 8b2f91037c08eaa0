"""Line-art clips colored from keyframes, scored the BasicPBC way (`colorhelpers.scoring.regions`).

    python -m bench.paintbucket [--characters N] [--frames N] [--timing-frames N] [--skip-timing]
    python -m bench.paintbucket --timing-only [--speed-table]

Clips (`colorhelpers.lineart.flat_clips`): pans over held-out characters of `data/anime/keys` with flat
truth, and one over a sprite of `data/testsets/vn-sprites` (never tuned on; built by
`python -m bench.testsets`). Two settings, as BasicPBC scores them:

- **consecutive**: every frame colored from the frame before's true colors (BasicPBC's main
  benchmark); the paint-bucket road against pasting that frame unmoved and along the true motion;
- **one keyframe** (frame 0) and **two keyframes** (first and last) for the whole shot: the
  paint-bucket road (`colorize --kind lineart --keyframes`), pasting the nearest keyframe unmoved,
  `--reference` with frame 0's colors, the gray keyframe carry run on the line art (`--kind gray
  --keyframes`), and pasting the keyframes along the true motion (the nearest where it shows the
  pixel): what the keyframes alone can tell.

Scores are means over the frames that are not keyframes. Last, seconds per 512x512 frame of the
paint-bucket road, absolute and as a ratio to the automatic line-art colors of the same clip.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image

from bench.figures import write_table
from colorhelpers import import_tensorflow_quietly
from colorhelpers.lineart.flat_clips import FlatClip, flat_clip, from_keys, from_picture, heldout_characters

NEVER_TUNED = Path("data/testsets/vn-sprites/demo_eileen_concerned.png")
METRICS = ("region_accuracy", "pixel_accuracy", "ciede2000")


def quiet(fraction: float | None, what: str) -> None:
    """A progress report that shows nothing."""


def write_gif(frames: list[np.ndarray], path: Path) -> Path:
    """Frames as a GIF (exact for black-and-white line art)."""
    images = [Image.fromarray(f) for f in frames]
    images[0].save(path, save_all=True, append_images=images[1:], duration=80, loop=0)
    return path


def read_clip(path: Path) -> list[np.ndarray]:
    from colorhelpers.colorize.media import probe, read_frames

    return [rgb for rgb, _ in read_frames(probe(path))]


def mean_scores(outputs: list[np.ndarray], clip: FlatClip, skip: set[int]) -> dict[str, float]:
    from colorhelpers.scoring.regions import paintbucket_scores

    rows = [paintbucket_scores(o, clip.truth[t], clip.lines[t])
            for t, o in enumerate(outputs) if t not in skip]
    return {m: float(np.nanmean([r[m] for r in rows])) for m in METRICS}


def nearest_paste(clip: FlatClip, keys: list[int], t: int, moved: bool) -> np.ndarray:
    """Frame t from the keyframes' truth: the nearest keyframe's, moved along the true motion
    (the other keyframes filling what it did not show) or unmoved, lines as drawn."""
    order = sorted(keys, key=lambda k: abs(k - t))
    if not moved:
        return np.where(clip.lines[t][..., None], clip.frames[t], clip.truth[order[0]])
    pastes = [clip.true_paste(k, t) for k in order]
    out = pastes[0].copy()
    for paste in pastes[1:]:
        empty = (out == 255).all(-1) & ~clip.lines[t]
        out[empty] = paste[empty]
    return out


def consecutive(clip: FlatClip, colorizer) -> dict[str, dict[str, float]]:
    """Each frame colored from the frame before's truth."""
    from colorhelpers.colorize.road import full_resolution
    from colorhelpers.lineart.paintbucket import PaintBucketGuide, Painted, PaintingColorizer

    painter = PaintingColorizer.of(colorizer)
    ours, unmoved, moved = [clip.truth[0]], [clip.truth[0]], [clip.truth[0]]
    for t in range(1, len(clip.frames)):
        before = full_resolution(clip.frames[t - 1][None])[0][0, ..., 0].numpy()
        guide = PaintBucketGuide({t - 1: Painted.keyframe(before, clip.truth[t - 1])})
        ours.append(list(painter.frames([clip.frames[t - 1], clip.frames[t]], guide))[1])
        unmoved.append(nearest_paste(clip, [t - 1], t, moved=False))
        moved.append(nearest_paste(clip, [t - 1], t, moved=True))
    return {name: mean_scores(out, clip, {0}) for name, out in
            (("paint bucket", ours), ("keyframe unmoved", unmoved), ("true-motion paste", moved))}


def keyframed(clip: FlatClip, keys: list[int], models, folder: Path) -> dict[str, dict[str, float]]:
    """The whole shot from the keyframes `keys`, by every method."""
    from colorhelpers.lineart.inputs import color_clip

    path = write_gif(clip.frames, folder / f"{clip.name}.gif")
    truth = {k: clip.truth[k] for k in keys}
    runs = {"paint bucket": dict(kind="lineart", keyframes=truth),
            "--reference": dict(kind="lineart", reference=clip.truth[0]),
            "gray keyframe carry": dict(kind="gray", keyframes=truth)}
    results = {}
    for name, options in runs.items():
        out = folder / name.replace(" ", "-")
        out.mkdir(exist_ok=True)
        colored = color_clip(models, path, out, progress=quiet, **options).path
        results[name] = mean_scores(read_clip(colored), clip, set(keys))
    n = len(clip.frames)
    for name, moved in (("keyframe unmoved", False), ("true-motion paste", True)):
        results[name] = mean_scores([nearest_paste(clip, keys, t, moved) for t in range(n)], clip, set(keys))
    return results


def print_table(title: str, tables: list[dict[str, dict[str, float]]]) -> None:
    print(f"\n{title}\n{'method':<22}{'region acc %':>13}{'pixel acc %':>13}{'CIEDE2000':>11}")
    for method in tables[0]:
        means = {m: np.mean([t[method][m] for t in tables]) for m in METRICS}
        print(f"{method:<22}{100 * means['region_accuracy']:>13.1f}{100 * means['pixel_accuracy']:>13.1f}"
              f"{means['ciede2000']:>11.2f}")


def timing(models, folder: Path, frames: int, repeats: int = 3) -> dict[str, float]:
    """Seconds per 512x512 frame: the paint-bucket road from one keyframe, and the automatic
    line-art colors of the same clip (the reference run); each run once first, to trace its
    functions, then the median of `repeats`, the two runs taking turns."""
    from colorhelpers.lineart.inputs import color_clip

    name = heldout_characters()[0]
    clip = flat_clip(name, *from_keys(name, scale=6), frames=frames, size=(512, 512))
    path = write_gif(clip.frames, folder / "timing.gif")
    runs = {"automatic line art": {}, "paint bucket, 1 keyframe": {"keyframes": {0: clip.truth[0]}}}
    times: dict[str, list[float]] = {label: [] for label in runs}
    for attempt in range(repeats + 1):
        for label, options in runs.items():
            start = time.perf_counter()
            color_clip(models, path, folder / f"{attempt}-{label.replace(' ', '-')}", "lineart",
                       progress=quiet, **options)
            if attempt:  # the first of each traces its functions
                times[label].append((time.perf_counter() - start) / frames)
    seconds = {label: statistics.median(values) for label, values in times.items()}
    reference = seconds["automatic line art"]
    print(f"\nseconds per 512x512 frame ({frames} frames, median of {repeats}, this machine)")
    for label, value in seconds.items():
        print(f"{label:<26}{value:>7.3f} s  ({value / reference:.2f}x the automatic colors)")
    return seconds


def write_speed_table(seconds: dict[str, float], frames: int) -> None:
    """The timing as table "speed" of docs/paintbucket.json (`python -m bench.pages --write`
    puts it on docs/paintbucket.md)."""
    reference = seconds["automatic line art"]
    write_table("paintbucket.json", "speed", {
        "source": f"python -m bench.paintbucket --timing-only --speed-table ({time.strftime('%Y-%m-%d')}, "
                  f"shipped line-art model); timing clip 512x512, {frames} frames, median of 3, 2-core CPU",
        "columns": ["run", "seconds per 512x512 frame", "x the automatic colors"], "align": "lrr",
        "digits": [None, 3, 2],
        "rows": [[label, round(value, 3), round(value / reference, 2)] for label, value in seconds.items()]})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--characters", type=int, default=11,
                        help="held-out characters to use (default all 11)")
    parser.add_argument("--frames", type=int, default=24, help="frames per clip (default 24)")
    parser.add_argument("--timing-frames", type=int, default=8,
                        help="frames of the 512x512 timing clip (default 8)")
    parser.add_argument("--skip-timing", action="store_true")
    parser.add_argument("--timing-only", action="store_true", help="only the 512x512 timing")
    parser.add_argument("--speed-table", action="store_true",
                        help="write the timing to docs/paintbucket.json's speed table")
    args = parser.parse_args()
    import_tensorflow_quietly()
    from colorhelpers.lineart.kind import Models

    models = Models()
    colorizer = models.get("lineart")[0]
    if args.timing_only:
        with tempfile.TemporaryDirectory(prefix="colorgan-paintbucket-") as folder:
            seconds = timing(models, Path(folder), args.timing_frames)
        if args.speed_table:
            write_speed_table(seconds, args.timing_frames)
        return
    groups = {"held-out characters": [flat_clip(n, *from_keys(n), frames=args.frames)
                                      for n in heldout_characters()[:args.characters]]}
    if NEVER_TUNED.is_file():
        picture = np.asarray(Image.open(NEVER_TUNED).convert("RGB"))
        groups["never tuned (vn-sprites)"] = [flat_clip(NEVER_TUNED.stem, *from_picture(picture),
                                                        frames=args.frames)]
    else:
        print(f"{NEVER_TUNED} missing: build it with python -m bench.testsets")
    with tempfile.TemporaryDirectory(prefix="colorgan-paintbucket-") as folder:
        for group, clips in groups.items():
            names = ", ".join(c.name for c in clips)
            height, width = clips[0].frames[0].shape[:2]
            print(f"\n=== {group}: {len(clips)} clip(s) of {args.frames} frames, "
                  f"{width}x{height}, pan {clips[0].pan} px a frame ({names})")
            print_table("consecutive frames (each from the frame before's truth)",
                        [consecutive(c, colorizer) for c in clips])
            settings = (([0], "one keyframe (frame 0)"),
                        ([0, args.frames - 1], "two keyframes (first, last)"))
            for keys, title in settings:
                print_table(title, [keyframed(c, keys, models, Path(folder)) for c in clips])
        if not args.skip_timing:
            seconds = timing(models, Path(folder), args.timing_frames)
            if args.speed_table:
                write_speed_table(seconds, args.timing_frames)


if __name__ == "__main__":
    main()
