"""The pictures of README.md and docs/ that the shipped models draw, redrawn by one command.

Part of bench/ (see bench/README.md); not a benchmark. Every coloring in them is one of the
README's own `colorize` commands, run in this process (`bench.lineart.colorgan`), with the
shipped models on committed files, so a picture shows what a reader's command gives today:

- `docs/sample-gray.png`: the README's sample input, the gray of held-out `m_darkjacket_03`;
- `docs/sample.png`: that input · `colorize --input docs/sample-gray.png` · the truth;
- `docs/sample-hints.png`: the input with the hints of `docs/sample-hints.json` as dots ·
  the same command with `--hints docs/sample-hints.json` · the truth;
- `docs/results.png`: every tenth held-out picture from the fourth on (six characters, the
  sample among them), gray · `colorize --input <their folder>` · truth;
- `docs/clip-keyframe.png`: frames 0, 8, 16 and 23 of bench.keyframes' 24-frame pan over
  held-out `f_sexy_01` as a GIF; rows gray · `colorize --input clip.gif` ·
  `--keyframe 0:<frame 0's truth>` · truth;
- `docs/lineart-sample.png`: `bench.lineart_sample`'s picture.

    make pictures                                   # python -m bench.doc_pictures
    .venv/bin/python -m bench.doc_pictures --check  # exit 1 when a committed picture differs

`--check` draws into a temporary folder and compares decoded pixels (PNG bytes may differ by
compressor version alone), allowing one level of rounding (`TOLERANCE`). The other pictures
are drawn by other commands: `docs/lineart.png` by `make bench-lineart`,
`docs/anime-faces.png` by `bench.anime --faces` and `docs/gan-gallery.png` by
`bench.gan_tradeoff --gallery` (all three from data/testsets, which is not in git), and
`docs/widgets-epoch-slider.png`, `docs/hints-widget.png` and `docs/app.png` (the web app) by
`make screenshots`.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
from PIL import Image

from bench.keyframes import picture, write_gif
from bench.lineart import colorgan

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
HELDOUT = REPO / "data" / "anime" / "heldout"
SAMPLE_TRUTH = HELDOUT / "m_darkjacket_03.png"
CLIP_TRUTH = HELDOUT / "f_sexy_01.png"  # teal hair: a color gray alone does not give
CLIP_FRAMES = (0, 8, 16, 23)
GAP = 2  # white pixels between the panels of a grid
# Levels a channel may differ by. Here two runs give the same bytes, but the network's floats
# may round differently on another CPU (oneDNN picks kernels by instruction set): that moves
# a pixel by one level. A changed model, hint or setting moves many by more (the hint sigma's
# change from 4 to 2 moved docs/sample-hints.png's middle panel by up to 40 levels).
TOLERANCE = 1


def grid(rows: list[list[Image.Image]], gap: int = GAP) -> Image.Image:
    """Panels of one size in rows, `gap` white pixels apart."""
    width, height = rows[0][0].size
    columns = max(len(row) for row in rows)
    page = np.full((len(rows) * (height + gap) - gap, columns * (width + gap) - gap, 3), 255, np.uint8)
    for r, row in enumerate(rows):
        for c, panel in enumerate(row):
            top, left = r * (height + gap), c * (width + gap)
            page[top:top + height, left:left + width] = np.asarray(panel.convert("RGB"))
    return Image.fromarray(page)


def colorize(source: Path, folder: Path, hints: Path | None = None, kind: str | None = None,
             extra: tuple[str, ...] = ()) -> Path:
    """The README's `colorize --input SOURCE --output FOLDER` (with its options); the folder."""
    colorgan(source, hints, folder, kind, None, extra)
    return folder


def gray(path: Path) -> Image.Image:
    """A color picture's gray, as RGB (PIL's Rec. 601 luma, what colorgan keeps)."""
    return Image.open(path).convert("L").convert("RGB")


def opened(path: Path) -> Image.Image:
    return Image.open(path).convert("RGB")


def sample_gray(work: Path) -> Image.Image:
    return gray(SAMPLE_TRUTH)


def sample(work: Path) -> Image.Image:
    source = DOCS / "sample-gray.png"
    colored = colorize(source, work / "automatic") / "sample-gray.png"
    return grid([[opened(source), opened(colored), opened(SAMPLE_TRUTH)]], gap=0)


def sample_hints(work: Path) -> Image.Image:
    import json

    from bench.lineart_sample import with_dots

    source, hints = DOCS / "sample-gray.png", DOCS / "sample-hints.json"
    colored = colorize(source, work / "hinted", hints) / "sample-gray.png"
    dots = with_dots(Image.open(source), json.loads(hints.read_text()))
    return grid([[dots, opened(colored), opened(SAMPLE_TRUTH)]], gap=0)


def results(work: Path) -> Image.Image:
    # Every tenth held-out picture from the fourth on: six characters, the README's sample among them.
    chosen = sorted(HELDOUT.glob("*.png"))[3::10][:6]
    (work / "heldout").mkdir()
    for path in chosen:  # the README's folder command on the six
        shutil.copy(path, work / "heldout")
    out = colorize(work / "heldout", work / "colored")
    return grid([[gray(path), opened(out / path.name), opened(path)] for path in chosen])


def clip_keyframe(work: Path) -> Image.Image:
    from colorhelpers.clips import moving_clip
    from colorhelpers.colorize import probe
    from colorhelpers.colorize.media import read_frames

    clip = moving_clip(picture(CLIP_TRUTH), 24, 128, 96)  # bench.keyframes' "pan"
    gif = write_gif(clip.gray, work / "clip.gif")
    key = work / "first.png"
    Image.fromarray(clip.truth[0]).save(key)
    versions = [clip.gray]
    for folder, extra in (("automatic", ()), ("keyframed", ("--keyframe", f"0:{key}"))):
        out = colorize(gif, work / folder, extra=extra) / gif.name
        versions.append([frame for frame, _ in read_frames(probe(out))])
    versions.append(clip.truth)
    return grid([[Image.fromarray(frames[t]) for t in CLIP_FRAMES] for frames in versions])


def lineart_sample(work: Path) -> Image.Image:
    from bench import lineart_sample as drawn

    return drawn.sample(DOCS / "lineart-drawing.png", DOCS / "lineart-hints.json",
                        HELDOUT / "m_ninja_00.png")


#: Each picture's file in docs/ and the function that draws it (given an empty work folder).
PICTURES: dict[str, Callable[[Path], Image.Image]] = {
    "sample-gray.png": sample_gray, "sample.png": sample, "sample-hints.png": sample_hints,
    "results.png": results, "clip-keyframe.png": clip_keyframe, "lineart-sample.png": lineart_sample,
}


def draw(name: str, out: Path) -> Path:
    """Draw picture `name` (a key of PICTURES) into the folder `out`; its path."""
    with tempfile.TemporaryDirectory() as work:
        image = PICTURES[name](Path(work))
    out.mkdir(parents=True, exist_ok=True)
    image.save(out / name)
    return out / name


def differs(name: str, docs: Path = DOCS) -> str | None:
    """None when today's code draws `docs/<name>` pixel for pixel; otherwise what differs."""
    with tempfile.TemporaryDirectory() as out:
        drawn = np.asarray(Image.open(draw(name, Path(out))).convert("RGB")).astype(int)
    committed_path = docs / name
    if not committed_path.is_file():
        return f"docs/{name}: missing"
    committed = np.asarray(Image.open(committed_path).convert("RGB")).astype(int)
    if drawn.shape != committed.shape:
        return (f"docs/{name}: {committed.shape[1]}x{committed.shape[0]} px, "
                f"today {drawn.shape[1]}x{drawn.shape[0]}: run make pictures")
    changed = np.abs(drawn - committed).max(axis=-1) > TOLERANCE
    if changed.any():
        return (f"docs/{name}: {changed.sum()} pixels differ by more than {TOLERANCE} "
                f"(mean difference {np.abs(drawn - committed).mean():.2f} of 255): run make pictures")
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare with docs/ instead of writing")
    parser.add_argument("--out", type=Path, default=DOCS, help="folder to write into (default docs/)")
    parser.add_argument("names", nargs="*", metavar="NAME",
                        help=f"pictures to draw (default all: {', '.join(PICTURES)})")
    options = parser.parse_args(argv)
    names = options.names or list(PICTURES)
    if unknown := sorted(set(names) - set(PICTURES)):
        parser.error(f"no such picture: {', '.join(unknown)}")
    if options.check:
        problems = [p for p in map(differs, names) if p]
        print("\n".join(problems) or f"{len(names)} pictures are what today's code draws")
        return 1 if problems else 0
    for name in names:
        print(f"wrote {draw(name, options.out)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
