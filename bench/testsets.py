"""Build colorgan's test-only folders of hand-colored art from Debian packages.

colorgan trains and tunes only on data/; these folders are for measuring it on art it has
never seen (`python -m bench.anime`). They are built on demand, git-ignored, never
redistributed and never trained on.

    <out>/vn-sprites/         Ren'Py visual-novel sprites (renpy-demo, renpy-thequestion):
                              the whole figure, flattened on white, padded to a square
    <out>/anime-faces/        the heads of the same sprites: a square from the top of the figure
    <out>/painted-portraits/  Wesnoth's painted unit portraits (wesnoth-1.16-data): the top,
                              face part, 60 chosen at evenly spaced places in sorted order
    <out>/LICENSES/<package>.copyright   each package's Debian copyright file
    <out>/MANIFEST.json       per folder: packages, versions, licence, source of every image

Every image is 256x256 RGB PNG. Images whose drawn pixels have a mean CIELab chroma under 8
(gray) and exact duplicates (SHA-1 of the final pixels) are dropped. The packages are fetched
with `apt-get download` and unpacked with `dpkg -x` into a cache folder, so nothing is
installed; the output depends only on the package versions.

Usage (repository root):

    python -m bench.testsets                     # builds what is missing under data/testsets
    python -m bench.testsets --force             # rebuilds every folder
    python -m bench.testsets --folders anime-faces --out /tmp/testsets
"""

from __future__ import annotations

import argparse
import hashlib
import json
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from PIL import Image

SIZE = 256
MIN_CHROMA = 3.0  # below it an image is gray (data/build_dataset.py: pure gray is under 2)
ALPHA_MIN = 16  # a pixel belongs to the figure when its alpha is above this
DEFAULT_CACHE = Path("/tmp/colorgan-testsets-debs")

RENPY_PACKAGES = ("renpy-demo", "renpy-thequestion")
#: Character images of the two Ren'Py games, relative to /usr/share/games/renpy. Sprites
#: first; then the two other drawings of the characters the games ship with alpha: Eileen's
#: chibi logo and Sylvie's bust on the Android icon.
RENPY_SPRITES = (
    "demo/game/images/eileen concerned.png",
    "demo/game/images/eileen happy.png",
    "demo/game/images/eileen vhappy.png",
    "demo/game/images/lucy happy.png",
    "demo/game/images/lucy mad.png",
    "the_question/game/images/sylvie blue giggle.png",
    "the_question/game/images/sylvie blue normal.png",
    "the_question/game/images/sylvie blue smile.png",
    "the_question/game/images/sylvie blue surprised.png",
    "the_question/game/images/sylvie green giggle.png",
    "the_question/game/images/sylvie green normal.png",
    "the_question/game/images/sylvie green smile.png",
    "the_question/game/images/sylvie green surprised.png",
    "demo/game/images/logo base.png",
    "the_question/android-icon_foreground.png",
)
#: Only in anime-faces: The Question's window icon, a small bust of Sylvie.
RENPY_HEADS = ("the_question/game/gui/window_icon.png",)
#: Head square's side as a fraction of the figure's width, where the default (from the width
#: of the top of the figure) does not fit: the chibi's head is most of its width, the icons
#: are busts.
HEAD_OVERRIDES = {"demo/game/images/logo base.png": 0.9,
                  "the_question/android-icon_foreground.png": 0.78,
                  "the_question/game/gui/window_icon.png": 0.62}

WESNOTH_PACKAGE = "wesnoth-1.16-data"
WESNOTH_PORTRAITS = "usr/share/games/wesnoth/1.16/data/core/images/portraits"
#: Races drawn with a face (no undead, monsters, drakes, wolves...).
WESNOTH_RACES = ("dunefolk", "dwarves", "elves", "humans", "merfolk", "orcs")
WESNOTH_COUNT = 60

FOLDERS = ("vn-sprites", "anime-faces", "painted-portraits")


@dataclass
class Folder:
    name: str
    packages: dict[str, str] = field(default_factory=dict)  # package -> version
    licence: str = ""
    images: dict[str, str] = field(default_factory=dict)  # output name -> source
    dropped: dict[str, int] = field(default_factory=dict)


# ---------------------------------------------------------------------------- packages


def unpack(package: str, cache: Path) -> tuple[Path, str]:
    """`apt-get download` + `dpkg -x` the package into the cache; returns (root, version)."""
    cache.mkdir(parents=True, exist_ok=True)
    debs = sorted(cache.glob(f"{package}_*.deb"))
    if not debs:
        result = subprocess.run(["apt-get", "download", package], cwd=cache,
                                capture_output=True, text=True)
        debs = sorted(cache.glob(f"{package}_*.deb"))
        if not debs:
            sys.exit(f"apt-get download {package} failed (run `apt-get update`?):\n{result.stderr}")
    deb = debs[-1]
    root = cache / "root" / package
    if not (root / ".unpacked").exists():
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        subprocess.run(["dpkg", "-x", str(deb), str(root)], check=True)
        (root / ".unpacked").touch()
    version = subprocess.run(["dpkg-deb", "-f", str(deb), "Version"], check=True,
                             capture_output=True, text=True).stdout.strip()
    return root, version


# ------------------------------------------------------------------------------ images


def rgba(path: Path) -> Image.Image:
    image = Image.open(path)
    image.load()
    return image.convert("RGBA")


def figure_box(image: Image.Image) -> tuple[int, int, int, int]:
    """Bounding box (left, top, right, bottom) of the pixels with alpha above ALPHA_MIN."""
    alpha = np.asarray(image)[..., 3] > ALPHA_MIN
    rows, cols = np.flatnonzero(alpha.any(1)), np.flatnonzero(alpha.any(0))
    return int(cols[0]), int(rows[0]), int(cols[-1]) + 1, int(rows[-1]) + 1


def square_on_white(image: Image.Image, box: tuple[int, int, int, int]) -> Image.Image:
    """The box (which may reach outside the image) flattened on white, resized to SIZE."""
    left, top, right, bottom = box
    side = max(right - left, bottom - top)
    canvas = Image.new("RGBA", (side, side), (255, 255, 255, 255))
    # centre the box in the square
    ox, oy = (side - (right - left)) // 2 - left, (side - (bottom - top)) // 2 - top
    layer = Image.new("RGBA", (side, side), (255, 255, 255, 0))
    layer.paste(image, (ox, oy))
    canvas.alpha_composite(layer)
    return canvas.convert("RGB").resize((SIZE, SIZE), Image.LANCZOS)


def whole_figure(image: Image.Image) -> Image.Image:
    """The figure padded to a centred square, with a margin of 3 % of its longer side."""
    left, top, right, bottom = figure_box(image)
    margin = round(0.03 * max(right - left, bottom - top))
    return square_on_white(image, (left - margin, top - margin, right + margin, bottom + margin))


def head_square(image: Image.Image, side_fraction: float | None = None) -> Image.Image:
    """A square from the top of the figure, about the width of the head.

    The head's width is the median width of the mask over the band from the top of the
    figure down to a sixth of the figure's height (hair and face, above the shoulders); the
    square is 1.6 times that (down to the chin), starts a little above the top and is centred on the band.
    """
    alpha = np.asarray(image)[..., 3] > ALPHA_MIN
    left, top, right, bottom = figure_box(image)
    band = alpha[top:top + max(1, (bottom - top) // 6), left:right]
    widths, centres = [], []
    for row in band:
        cols = np.flatnonzero(row)
        if cols.size:
            widths.append(cols[-1] - cols[0] + 1)
            centres.append((cols[-1] + cols[0]) / 2 + left)
    if side_fraction is None:
        side = 1.6 * float(np.median(widths))
    else:
        side = side_fraction * (right - left)
    centre = float(np.median(centres))
    y0 = top - 0.03 * side
    box = (round(centre - side / 2), round(y0), round(centre + side / 2), round(y0 + side))
    return square_on_white(image, box)


def portrait_top(image: Image.Image) -> Image.Image:
    """The top, face part of a portrait: a square of 3/4 of the figure's smaller side.

    It starts at the first row whose drawn width is at least 1/8 of the figure's (so a spear
    or a plume sticking up does not count) and is centred on the drawn pixels of that band.
    """
    alpha = np.asarray(image)[..., 3] > ALPHA_MIN
    left, top, right, bottom = figure_box(image)
    side = round(0.75 * min(right - left, bottom - top))
    wide = np.flatnonzero(alpha.sum(1) >= (right - left) / 8)
    top = int(min(wide[0], bottom - side)) if wide.size else top
    centre = float(np.nonzero(alpha[top:top + side])[1].mean())
    x0 = int(np.clip(round(centre - side / 2), left, right - side))
    return square_on_white(image, (x0, top, x0 + side, top + side))


def mean_chroma(image: Image.Image) -> float:
    """Mean CIELab chroma of the pixels that are not white (all channels >= 245)."""
    from skimage.color import rgb2lab

    pixels = np.asarray(image)
    drawn = ~(pixels >= 245).all(-1)
    if not drawn.any():
        return 0.0
    lab = rgb2lab(pixels[drawn][None].astype(np.float64) / 255.0)[0]
    return float(np.hypot(lab[:, 1], lab[:, 2]).mean())


def out_name(source: str) -> str:
    stem = source.rsplit(".", 1)[0].replace("/game/images/", "_").replace("/game/gui/", "_")
    stem = stem.replace("/", "_").replace(" ", "_").replace("+", "_").lower()
    return "".join(c if c.isalnum() or c in "_-" else "_" for c in stem) + ".png"


def keep(folder: Folder, images: list[tuple[str, Image.Image]], out: Path) -> None:
    """Drop gray images and exact duplicates, write the rest into out/<folder.name>."""
    target = out / folder.name
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    seen: set[str] = set()
    for source, image in images:
        if mean_chroma(image) < MIN_CHROMA:
            folder.dropped["gray"] = folder.dropped.get("gray", 0) + 1
            continue
        digest = hashlib.sha1(image.tobytes()).hexdigest()
        if digest in seen:
            folder.dropped["duplicate"] = folder.dropped.get("duplicate", 0) + 1
            continue
        seen.add(digest)
        name = out_name(source)
        image.save(target / name, optimize=False)
        folder.images[name] = source


# ------------------------------------------------------------------------------ folders

RENPY_LICENCE = ("Expat (MIT), (c) 2004-2022 Tom Rothamel et al. (Debian copyright, Files: *); "
                 "The Question's character art by Deji, original by derik (its options.rpy)")
WESNOTH_LICENCE = ("GPL-2+ (Debian copyright of wesnoth-1.16-data); portrait artists listed in "
                   "data/core/images/portraits/ARTISTS")


def renpy_images(cache: Path, out: Path) -> tuple[dict[str, str], list[tuple[str, Image.Image]]]:
    versions, sources = {}, {}
    for package in RENPY_PACKAGES:
        root, versions[package] = unpack(package, cache)
        copy_copyright(root, package, out)
        base = root / "usr/share/games/renpy"
        for rel in RENPY_SPRITES + RENPY_HEADS:
            if (base / rel).exists():
                sources[rel] = base / rel
    missing = [rel for rel in RENPY_SPRITES + RENPY_HEADS if rel not in sources]
    if missing:
        print(f"  note: not in these package versions: {missing}")
    return versions, [(rel, rgba(sources[rel])) for rel in RENPY_SPRITES + RENPY_HEADS if rel in sources]


def copy_copyright(root: Path, package: str, out: Path) -> None:
    (out / "LICENSES").mkdir(parents=True, exist_ok=True)
    shutil.copyfile(root / "usr/share/doc" / package / "copyright",
                    out / "LICENSES" / f"{package}.copyright")


def build_vn_sprites(cache: Path, out: Path) -> Folder:
    folder = Folder("vn-sprites", licence=RENPY_LICENCE)
    folder.packages, images = renpy_images(cache, out)
    keep(folder, [(rel, whole_figure(im)) for rel, im in images if rel in RENPY_SPRITES], out)
    return folder


def build_anime_faces(cache: Path, out: Path) -> Folder:
    folder = Folder("anime-faces", licence=RENPY_LICENCE)
    folder.packages, images = renpy_images(cache, out)
    crops = [(rel, head_square(im, HEAD_OVERRIDES.get(rel))) for rel, im in images]
    keep(folder, crops, out)
    return folder


def build_painted_portraits(cache: Path, out: Path) -> Folder:
    folder = Folder("painted-portraits", licence=WESNOTH_LICENCE)
    root, version = unpack(WESNOTH_PACKAGE, cache)
    folder.packages = {WESNOTH_PACKAGE: version}
    copy_copyright(root, WESNOTH_PACKAGE, out)
    base = root / WESNOTH_PORTRAITS
    paths = sorted(p.relative_to(base).as_posix() for race in WESNOTH_RACES
                   for p in (base / race).glob("*.png"))
    # evenly spaced in sorted order; the rare gray or duplicate one is replaced by the next
    chosen = [paths[round(i * len(paths) / WESNOTH_COUNT)] for i in range(WESNOTH_COUNT)]
    order = chosen + [p for p in paths if p not in chosen]
    crops = []
    for rel in order:
        crop = portrait_top(rgba(base / rel))
        crops.append((f"wesnoth/{rel}", crop))
    # keep() writes everything; trim to WESNOTH_COUNT kept images in `order`
    kept = Folder(folder.name)
    keep(kept, crops, out)
    names = list(kept.images)[:WESNOTH_COUNT]
    for name in list(kept.images)[WESNOTH_COUNT:]:
        (out / folder.name / name).unlink()
    folder.images = {n: kept.images[n] for n in names}
    folder.dropped = kept.dropped
    return folder


BUILDERS = {"vn-sprites": build_vn_sprites, "anime-faces": build_anime_faces,
            "painted-portraits": build_painted_portraits}


# --------------------------------------------------------------------------------- main


def complete(out: Path, name: str, manifest: dict) -> bool:
    entry = manifest.get(name)
    if not entry or not (out / name).is_dir():
        return False
    on_disk = sorted(p.name for p in (out / name).glob("*.png"))
    return on_disk == sorted(entry["images"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=Path("data/testsets"),
                        help="where the folders go (default: %(default)s)")
    parser.add_argument("--folders", nargs="+", choices=FOLDERS, default=list(FOLDERS))
    parser.add_argument("--cache", type=Path, default=DEFAULT_CACHE,
                        help="where the .deb files are downloaded and unpacked (default: %(default)s)")
    parser.add_argument("--force", action="store_true", help="rebuild folders that are complete")
    args = parser.parse_args(argv)

    manifest_path = args.out / "MANIFEST.json"
    manifest = json.loads(manifest_path.read_text()) if manifest_path.exists() else {}
    for name in args.folders:
        if not args.force and complete(args.out, name, manifest):
            print(f"{name:18s} complete: {len(manifest[name]['images'])} images (--force rebuilds)")
            continue
        folder = BUILDERS[name](args.cache, args.out)
        manifest[name] = {"packages": folder.packages, "licence": folder.licence,
                          "dropped": folder.dropped, "images": folder.images}
        manifest_path.write_text(json.dumps(manifest, indent=1, sort_keys=True) + "\n")
        dropped = ", ".join(f"{n} {why}" for why, n in sorted(folder.dropped.items())) or "none"
        print(f"{name:18s} built: {len(folder.images)} images in {args.out / name} "
              f"(dropped: {dropped})")
        if len(folder.images) < 20:
            print(f"{'':18s} note: fewer than 20 images; scores on it are rough")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
