#!/usr/bin/env python3
"""Build colorgan's bundled training data from Open Clip Art PNGs.

Reads the `animals` and `people` clip art shipped by Debian's
`openclipart-png` package, turns every drawing into a square RGB cartoon on a
white background, drops the ones that are unsuitable for learning color
(broken renders, nearly empty, nearly gray, exact duplicates) and writes:

    <out>/train/*.jpg             about 90 % of the kept images, size x size
    <out>/heldout/*.jpg           about 10 %, chosen by a hash of the source path
    <fixture-out>/train/*.jpg     24 small (64x64) images, only with --fixture-out
    <fixture-out>/heldout/*.jpg    8 small (64x64) images, only with --fixture-out

(The tests' data/fixture is a slice of data/anime now, made by data/build_fixture.py.)

The output depends only on the source files and the options: files are read in
sorted order and the split is a hash of each file's relative path, so running
the script twice gives the same result. Output folders are cleared first.

Usage (from the repository root):

    sudo apt-get install openclipart-png
    python data/build_dataset.py
"""

from __future__ import annotations

import argparse
import hashlib
import re
import shutil
import unicodedata
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from skimage.color import rgb2lab

CATEGORIES = ("animals", "people")

# A pixel counts as "white" (background) when all three channels are >= this.
WHITE_LEVEL = 245
# Margin kept around the drawing's bounding box, as a fraction of its longer side.
MARGIN_FRACTION = 0.05
# Drop a drawing when less than this fraction of the final square is non-white.
MIN_COVERAGE = 0.05
# Drop a drawing when the mean CIELab chroma of its non-white pixels is lower.
MIN_CHROMA = 8.0
# Some source SVGs referenced an external bitmap that was missing when the
# package was rendered; their PNGs show a "Linked Image Not Found" placeholder
# instead of a drawing. It comes in two styles (see is_placeholder).
PLACEHOLDER_PALE_RED = (255, 112, 112)  # style 1: pale red box, gray text
PLACEHOLDER_RED = (255, 0, 0)           # style 2: red box and red frame, black text
# 1 in HELDOUT_MODULUS source paths (by SHA-1) goes to the held-out split.
HELDOUT_MODULUS = 10
JPEG_QUALITY = 92

FIXTURE_SIZE = 64
FIXTURE_TRAIN = 24
FIXTURE_HELDOUT = 8


@dataclass
class Kept:
    """A processed drawing that made it into the data set."""

    name: str
    pixels: np.ndarray  # (size, size, 3) uint8
    heldout: bool


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=Path("/usr/share/openclipart/png"),
                        help="openclipart PNG root (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=Path("data/cartoons"),
                        help="output folder for train/ and heldout/ (default: %(default)s)")
    parser.add_argument("--size", type=int, default=128,
                        help="side of the square output images in pixels (default: %(default)s)")
    parser.add_argument("--fixture-out", type=Path, default=None,
                        help="output folder for a small clip-art fixture (default: none; the tests'"
                             " data/fixture is a slice of data/anime, see data/build_fixture.py)")
    parser.add_argument("--min-chroma", type=float, default=MIN_CHROMA,
                        help="drop drawings whose mean Lab chroma is below this "
                             "(default: %(default)s)")
    return parser.parse_args()


def collect_sources(source: Path) -> list[Path]:
    """All PNG files under the chosen categories, sorted by relative path."""
    files = [p for category in CATEGORIES for p in (source / category).rglob("*.png")]
    return sorted(files, key=lambda p: p.relative_to(source).as_posix())


def load_on_white(path: Path) -> Image.Image:
    """Open a PNG and flatten any transparency onto a white background."""
    with Image.open(path) as image:
        image.load()
        has_alpha = image.mode in ("RGBA", "LA", "PA") or (
            image.mode == "P" and "transparency" in image.info
        )
        if not has_alpha:
            return image.convert("RGB")
        rgba = image.convert("RGBA")
    white = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, rgba).convert("RGB")


def non_white_mask(pixels: np.ndarray) -> np.ndarray:
    """True where a pixel belongs to the drawing rather than the background."""
    return (pixels < WHITE_LEVEL).any(axis=-1)


def has_frame(mask: np.ndarray, drawn: np.ndarray, band: int = 4) -> bool:
    """True when `mask` runs along all four edges of the drawing's bounding box."""
    rows, cols = np.nonzero(drawn.any(axis=1))[0], np.nonzero(drawn.any(axis=0))[0]
    box = mask[rows[0]:rows[-1] + 1, cols[0]:cols[-1] + 1]
    edges = (box[:band].any(axis=0), box[-band:].any(axis=0),
             box[:, :band].any(axis=1), box[:, -band:].any(axis=1))
    return min(edge.mean() for edge in edges) > 0.9


def is_placeholder(image: Image.Image) -> bool:
    """True for the "Linked Image Not Found" renders instead of a drawing.

    Style 1 paints > 5 % of the drawn pixels in PLACEHOLDER_PALE_RED (no real
    drawing in the set has any). Style 2 paints > 20 % in PLACEHOLDER_RED *and*
    frames the whole picture with it, which tells it apart from red ladybirds.
    """
    pixels = np.asarray(image)
    drawn = non_white_mask(pixels)
    if not drawn.any():
        return False
    if (pixels == PLACEHOLDER_PALE_RED).all(axis=-1).sum() > 0.05 * drawn.sum():
        return True
    red = (pixels == PLACEHOLDER_RED).all(axis=-1)
    return red.sum() > 0.2 * drawn.sum() and has_frame(red, drawn)


def crop_pad_resize(image: Image.Image, size: int) -> np.ndarray | None:
    """Crop to the drawing plus a margin, pad to a white square, resize.

    Returns None when the image is entirely white.
    """
    mask = non_white_mask(np.asarray(image))
    rows, cols = np.nonzero(mask.any(axis=1))[0], np.nonzero(mask.any(axis=0))[0]
    if rows.size == 0:
        return None
    top, bottom, left, right = rows[0], rows[-1] + 1, cols[0], cols[-1] + 1
    side = max(bottom - top, right - left)
    side += 2 * max(1, round(MARGIN_FRACTION * side))
    square = Image.new("RGB", (side, side), (255, 255, 255))
    drawing = image.crop((left, top, right, bottom))
    square.paste(drawing, ((side - drawing.width) // 2, (side - drawing.height) // 2))
    return np.asarray(square.resize((size, size), Image.Resampling.LANCZOS))


def mean_chroma(pixels: np.ndarray) -> float:
    """Mean CIELab chroma sqrt(a^2 + b^2) over the drawing's non-white pixels."""
    mask = non_white_mask(pixels)
    if not mask.any():
        return 0.0
    lab = rgb2lab(pixels[mask][np.newaxis])[0]
    return float(np.hypot(lab[:, 1], lab[:, 2]).mean())


def output_name(relative: Path) -> str:
    """`animals/mammals/Dog 01.png` -> `animals_mammals_dog_01` (ascii, safe)."""
    text = unicodedata.normalize("NFKD", relative.with_suffix("").as_posix())
    text = text.encode("ascii", "ignore").decode("ascii").lower().replace("/", "_")
    text = re.sub(r"[^a-z0-9_-]+", "_", text)
    return re.sub(r"_+", "_", text).strip("_-")


def is_heldout(relative: Path) -> bool:
    """Stable split: SHA-1 of the relative path, modulo HELDOUT_MODULUS."""
    digest = hashlib.sha1(relative.as_posix().encode("utf-8")).hexdigest()
    return int(digest, 16) % HELDOUT_MODULUS == 0


def evenly_spaced(items: list[Kept], count: int) -> list[Kept]:
    """`count` items spread evenly over the list (the middle of each stretch)."""
    if len(items) < count:
        raise SystemExit(f"need {count} images for the fixture, only {len(items)} available")
    return [items[(2 * i + 1) * len(items) // (2 * count)] for i in range(count)]


def reset_folder(folder: Path) -> None:
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)


def save_jpeg(pixels: np.ndarray, path: Path) -> None:
    # subsampling=0 keeps full-resolution color (4:4:4): color is what we learn.
    Image.fromarray(pixels).save(path, "JPEG", quality=JPEG_QUALITY, subsampling=0)


def main() -> None:
    args = parse_args()
    sources = collect_sources(args.source)
    if not sources:
        raise SystemExit(f"no PNG files under {args.source}/{{{','.join(CATEGORIES)}}}; "
                         "is openclipart-png installed?")

    too_empty = f"< {MIN_COVERAGE:.0%} drawn"
    dropped = {"broken render": 0, too_empty: 0, "mostly gray": 0, "duplicate": 0}
    seen_hashes: set[str] = set()
    used_names: set[str] = set()
    kept: list[Kept] = []
    for path in sources:
        relative = path.relative_to(args.source)
        image = load_on_white(path)
        if is_placeholder(image):
            dropped["broken render"] += 1
            continue
        pixels = crop_pad_resize(image, args.size)
        if pixels is None or non_white_mask(pixels).mean() < MIN_COVERAGE:
            dropped[too_empty] += 1
            continue
        if mean_chroma(pixels) < args.min_chroma:
            dropped["mostly gray"] += 1
            continue
        digest = hashlib.sha1(pixels.tobytes()).hexdigest()
        if digest in seen_hashes:
            dropped["duplicate"] += 1
            continue
        seen_hashes.add(digest)

        name, suffix = output_name(relative), 2
        while name in used_names:  # two source paths that sanitise alike
            name, suffix = f"{output_name(relative)}_{suffix}", suffix + 1
        used_names.add(name)
        kept.append(Kept(name, pixels, is_heldout(relative)))

    train = [k for k in kept if not k.heldout]
    heldout = [k for k in kept if k.heldout]
    for split, items in (("train", train), ("heldout", heldout)):
        folder = args.out / split
        reset_folder(folder)
        for item in items:
            save_jpeg(item.pixels, folder / f"{item.name}.jpg")

    fixture = (("train", evenly_spaced(train, FIXTURE_TRAIN)),
               ("heldout", evenly_spaced(heldout, FIXTURE_HELDOUT)))
    for split, items in fixture if args.fixture_out is not None else ():
        folder = args.fixture_out / split
        reset_folder(folder)
        for item in items:
            small = Image.fromarray(item.pixels).resize(
                (FIXTURE_SIZE, FIXTURE_SIZE), Image.Resampling.LANCZOS)
            save_jpeg(np.asarray(small), folder / f"{item.name}.jpg")

    print(f"scanned:  {len(sources)} PNG files under {args.source} ({', '.join(CATEGORIES)})")
    for reason, count in dropped.items():
        print(f"dropped:  {count:4d}  {reason}")
    print(f"kept:     {len(kept)}  ->  train {len(train)}, held-out {len(heldout)}  in {args.out}")
    if args.fixture_out is not None:
        print(f"fixture:  train {FIXTURE_TRAIN}, held-out {FIXTURE_HELDOUT} "
              f"({FIXTURE_SIZE}x{FIXTURE_SIZE})  in {args.fixture_out}")


if __name__ == "__main__":
    main()
