#!/usr/bin/env python3
"""Build colorgan's bundled character images from the DiceBear avatar styles.

DiceBear (https://www.dicebear.com) draws cartoon faces and busts from a seed; its styles
ship through the npm registry with their designs under CC0 1.0 or CC BY 4.0. This script
installs a pinned version with npm, draws SEEDS avatars per style with node, renders each SVG
to a PNG on white with Debian's `rsvg-convert` (package librsvg2-bin), drops the ones that
teach little color (nearly empty, nearly gray: the same thresholds as build_dataset.py) and
exact duplicates, and writes:

    <out>/train/<style>_<nnnn>.png     about 90 % of the kept images, size x size
    <out>/heldout/<style>_<nnnn>.png   about 10 %, chosen by a hash of the file name
    <out>/LICENSES/<style>.txt         each style's LICENSE file (designer, source, licence)

`--unseen` instead draws styles that are *not* bundled (by default avataaars, whose licence
is not a Creative Commons one, so its images are not redistributed) into one flat folder:
character images colorgan is never trained or tuned on, to measure it on.

The output depends only on the pinned package version and the options. Usage (repository
root; needs node, npm and rsvg-convert):

    python data/build_characters.py                       # data/characters
    python data/build_characters.py --unseen --out data/unseen-characters
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import tempfile
from pathlib import Path

import numpy as np
from build_dataset import HELDOUT_MODULUS, MIN_CHROMA, MIN_COVERAGE, mean_chroma, non_white_mask
from PIL import Image

DICEBEAR_VERSION = "9.4.3"
#: The bundled styles: every CC0 / CC BY 4.0 style that draws a character in color.
#: (lorelei and notionists are CC0 too but drawn in black and white only: nothing to learn.)
BUNDLED_STYLES = ("adventurer", "big-ears", "big-smile", "croodles", "dylan", "micah", "miniavs",
                  "open-peeps", "personas", "thumbs", "toon-head")
UNSEEN_STYLES = ("avataaars",)

# Draws `count` avatars of each style; a transparent background, so every image is on white
# (dylan and thumbs otherwise pick a random background color, which L cannot predict).
GENERATE_JS = """
import { createAvatar } from '@dicebear/core';
import * as collection from '@dicebear/collection';
import { writeFileSync } from 'fs';
const [styles, count, prefix, out] = [process.argv[2].split(','), +process.argv[3],
                                     process.argv[4], process.argv[5]];
for (const name of styles) {
  const style = collection[name.replace(/-([a-z])/g, (_, c) => c.toUpperCase())];
  for (let i = 0; i < count; i++) {
    const options = { seed: `${prefix}-${name}-${i}`, size: 128, backgroundColor: ['transparent'] };
    const file = `${out}/${name}_${String(i).padStart(4, '0')}.svg`;
    writeFileSync(file, createAvatar(style, options).toString());
  }
}
"""


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=None,
                        help="output folder (default data/characters; data/unseen-characters with --unseen)")
    parser.add_argument("--unseen", action="store_true",
                        help="draw the styles that are not bundled into one flat folder")
    parser.add_argument("--styles", help="comma-separated DiceBear style names (default: see the source)")
    parser.add_argument("--seeds", type=int, default=None,
                        help="avatars drawn per style (default 160, or 100 with --unseen)")
    parser.add_argument("--size", type=int, default=128, help="side of the PNGs (default: %(default)s)")
    return parser.parse_args()


def draw_svgs(styles: list[str], count: int, prefix: str, work: Path) -> Path:
    """Install DiceBear with npm into `work` and draw the SVGs; returns their folder."""
    subprocess.run(["npm", "init", "-y"], cwd=work, check=True, capture_output=True)
    subprocess.run(["npm", "install", "--silent", f"@dicebear/core@{DICEBEAR_VERSION}",
                    f"@dicebear/collection@{DICEBEAR_VERSION}"], cwd=work, check=True)
    (work / "generate.mjs").write_text(GENERATE_JS)
    svgs = work / "svg"
    svgs.mkdir()
    subprocess.run(["node", "generate.mjs", ",".join(styles), str(count), prefix, str(svgs)],
                   cwd=work, check=True)
    return svgs


def render(svg: Path, size: int, png: Path) -> np.ndarray:
    """The SVG drawn at size x size on white, as uint8 RGB."""
    subprocess.run(["rsvg-convert", "-w", str(size), "-h", str(size), "--background-color", "white",
                    str(svg), "-o", str(png)], check=True)
    return np.asarray(Image.open(png).convert("RGB"))


def is_heldout(name: str) -> bool:
    """Stable split: SHA-1 of the file name, modulo HELDOUT_MODULUS (as build_dataset.py)."""
    return int(hashlib.sha1(name.encode("utf-8")).hexdigest(), 16) % HELDOUT_MODULUS == 0


def main() -> None:
    args = parse_args()
    default_styles = UNSEEN_STYLES if args.unseen else BUNDLED_STYLES
    styles = args.styles.split(",") if args.styles else list(default_styles)
    count = args.seeds or (100 if args.unseen else 160)
    out = args.out or Path("data/unseen-characters" if args.unseen else "data/characters")
    shutil.rmtree(out, ignore_errors=True)
    kept: dict[str, int] = {}
    dropped = {"too empty": 0, "too gray": 0, "duplicate": 0}
    digests: set[str] = set()
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        # Different seeds for the unseen folder, so no drawing is shared with the bundled set.
        svgs = draw_svgs(styles, count, "colorgan-unseen" if args.unseen else "colorgan", work)
        for svg in sorted(svgs.glob("*.svg")):
            name = svg.stem + ".png"
            pixels = render(svg, args.size, work / name)
            digest = hashlib.sha1(pixels.tobytes()).hexdigest()
            if non_white_mask(pixels).mean() < MIN_COVERAGE:
                dropped["too empty"] += 1
            elif mean_chroma(pixels) < MIN_CHROMA:
                dropped["too gray"] += 1
            elif digest in digests:
                dropped["duplicate"] += 1
            else:
                digests.add(digest)
                split = "" if args.unseen else ("heldout" if is_heldout(name) else "train")
                (out / split).mkdir(parents=True, exist_ok=True)
                # optimize: the flat colors of these drawings compress to a few kB
                Image.fromarray(pixels).save(out / split / name, optimize=True)
                style = svg.stem.rsplit("_", 1)[0]
                kept[style] = kept.get(style, 0) + 1
        licenses = out / "LICENSES"
        licenses.mkdir(parents=True, exist_ok=True)
        for style in styles:
            shutil.copy(work / "node_modules" / "@dicebear" / style / "LICENSE", licenses / f"{style}.txt")
    summary = {"kept": sum(kept.values()), "per style": kept, "dropped": dropped}
    if not args.unseen:
        summary["split"] = {s: len(list((out / s).glob("*.png"))) for s in ("train", "heldout")}
    print(json.dumps(summary, indent=1))


if __name__ == "__main__":
    main()
