"""How live the web app feels: first result and hint latency at 512 and 1024 px, and its memory.

Part of bench/ (see bench/README.md); the README's "In the browser" figures. It calls the
app's own handlers (`colorhelpers.app.handlers`, what each browser event runs: the upload
check, the analysis, the solve, the join, the PNG and hints files written for download) in
this process, so the figures leave out Gradio's transport (a loopback request and a file
copy into its cache). The picture is docs/sample-gray.png enlarged to each size.

- first result: a dropped picture to its automatic result (`open_picture`), after one
  warm-up drop per size that traces TensorFlow's graphs (reported apart);
- hint: one more clicked point to the new result (`add_point`), at points spread over the
  picture;
- memory: the resident size of the process after the first picture and hint, after 50
  more hints, and after 10 more uploads (each replaces the tab's picture, as in the app);
- a clip: a GIF of `--frames` frames of 256 px (the sample panning) dropped and colored
  (`clips.open_clip`, `clips.color`) automatically, then from one keyframe made in the app
  (frame 0 with a hint, `clips.open_frame` and `clips.keep_keyframe`), once each.

    .venv/bin/python -m bench.app [--repeats 20] [--sizes 512 1024] [--frames 48]
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from functools import partial
from pathlib import Path

import numpy as np
from PIL import Image

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "docs" / "sample-gray.png"


def rss_mb() -> float:
    """This process's resident memory in MB (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def picture(size: int, folder: Path) -> Path:
    """The sample enlarged to `size` px, as a PNG a visitor would drop."""
    path = folder / f"sample-{size}.png"
    Image.open(SAMPLE).convert("RGB").resize((size, size), Image.LANCZOS).save(path)
    return path


def timed(call) -> tuple[float, object]:
    start = time.perf_counter()
    out = call()
    return (time.perf_counter() - start) * 1000, out


def summary(name: str, ms: list[float]) -> str:
    return f"{name}: median {statistics.median(ms):.0f} ms, worst {max(ms):.0f} ms of {len(ms)}"


def clip(frames: int, folder: Path) -> Path:
    """The sample at 320 px, panning under a 256 px window: a GIF a visitor would drop."""
    big = np.asarray(Image.open(SAMPLE).convert("RGB").resize((320, 320), Image.LANCZOS))
    images = [Image.fromarray(big[32:288, i * 64 // frames:i * 64 // frames + 256]) for i in range(frames)]
    path = folder / "walk.gif"
    images[0].save(path, save_all=True, append_images=images[1:], duration=80, loop=0)
    return path


def clip_figures(models, folder: Path, frames: int) -> str:
    """Seconds to color a clip in the app automatically and from one keyframe made in the app."""
    from colorhelpers.app import clips

    dropped = clips.open_clip(folder, None, str(clip(frames, folder))).clip
    automatic, _ = timed(partial(clips.color, models, dropped, "gray", 1.0, None, lambda *_: None))
    frame = clips.open_frame(models, folder, None, dropped, 0, "gray", 1.0).session
    frame.add_point(128, 200, "#3a6fd0")
    clips.keep_keyframe(dropped, frame)
    keyed, _ = timed(partial(clips.color, models, dropped, "gray", 1.0, None, lambda *_: None))
    return (f"clip of {frames} frames at 256 px: colored in {automatic / 1000:.1f} s automatically, "
            f"{keyed / 1000:.1f} s from one keyframe made in the app")


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--sizes", type=int, nargs="+", default=[512, 1024])
    parser.add_argument("--frames", type=int, default=48, help="frames of the clip (0: no clip)")
    args = parser.parse_args(argv)

    from colorhelpers import import_tensorflow_quietly

    import_tensorflow_quietly()
    from colorhelpers.app import handlers
    from colorhelpers.lineart.kind import Models

    models = Models()
    for kind in ("gray", "lineart"):  # as the app does before its first visitor
        models.get(kind)
    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        session = None
        for size in args.sizes:
            path = str(picture(size, folder))
            warm, view = timed(partial(handlers.open_picture, models, folder, session, path, "auto", 1.0))
            session = view.session
            firsts = []
            for _ in range(args.repeats):
                ms, view = timed(partial(handlers.open_picture, models, folder, session, path, "auto", 1.0))
                firsts.append(ms)
                session = view.session
            hints = []
            for _ in range(args.repeats):
                x, y = (int(v) for v in rng.integers(0, size, 2))
                ms, _ = timed(partial(handlers.add_point, session, x, y, "#3a6fd0"))
                hints.append(ms)
            print(f"{size} px: {summary('first result', firsts)} (warm-up drop {warm:.0f} ms); "
                  f"{summary('hint', hints)}")

        path = str(picture(512, folder))
        session = handlers.open_picture(models, folder, session, path, "auto", 1.0).session
        handlers.add_point(session, 10, 10, "#3a6fd0")
        start = rss_mb()
        for _ in range(50):
            x, y = (int(v) for v in rng.integers(0, 512, 2))
            handlers.add_point(session, x, y, "#d04a3a")
        after_hints = rss_mb()
        for _ in range(10):
            session = handlers.open_picture(models, folder, session, path, "auto", 1.0).session
            handlers.add_point(session, 10, 10, "#3a6fd0")
        after_uploads = rss_mb()
        print(f"memory (512 px): {start:.0f} MB after the first picture and hint, {after_hints:.0f} MB "
              f"after 50 more hints, {after_uploads:.0f} MB after 10 more uploads")
        if args.frames:
            print(clip_figures(models, folder, args.frames))


if __name__ == "__main__":
    main()
