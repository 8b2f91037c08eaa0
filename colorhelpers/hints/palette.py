"""A character's palette: its regions and their colors, kept in a small JSON file a person can edit.

Taught in notebooks/12_pages_and_palettes. A palette is what a reference picture gives the
region matching of `colorhelpers.hints.reference`, written down once: for each flat region of
the picture (cut by the drawing's lines), its gray (`lightness`, L 0-100), its share of the
picture (`area`), its height (`height`, 0 top to 1 bottom) and its distance from the vertical
middle (`offset`), which find the region in another picture, and the `color` it is painted.
Each region gets a guessed name (hair, skin, eyes, clothes, background; the rest "region"),
only for the reader: matching uses the numbers. `colorize --palette` hands palettes to the
`HintGuide` (its `palette`), which makes them soft hints as it does a reference's regions; with
several, each region of the input takes the best-fitting region of any of them.

    {"name": "aileen", "made_from": "ref.png",
     "regions": [{"name": "hair", "color": "#8a4b2f", "lightness": 41.2, "area": 0.162,
                  "height": 0.21, "offset": 0.02}, ...]}
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from pathlib import Path

import cv2
import numpy as np
from skimage.color import lab2rgb, rgb2lab

from colorhelpers.color.lab import AB_SCALE
from colorhelpers.data.files import DataError
from colorhelpers.hints.reference import ReferenceRegions, joined, reference_regions

#: Where `palette --name NAME` writes and `colorize --palette NAME` reads: ./palettes/NAME.json.
PALETTE_FOLDER = Path("palettes")
#: The grid a picture is cut into regions on (its shorter side), as for a 128 px model.
PALETTE_SIDE = 128
#: What a region of a palette file must hold.
FIELDS = ("name", "color", "lightness", "area", "height", "offset")


@dataclass(frozen=True)
class Swatch:
    """One region of a palette: a guessed `name`, its `color` "#rrggbb", and where it is found."""

    name: str
    color: str
    lightness: float
    area: float
    height: float
    offset: float


@dataclass(frozen=True)
class Palette:
    """A named list of `Swatch`es, and the picture they came from."""

    name: str
    swatches: tuple[Swatch, ...]
    made_from: str = ""

    def regions(self) -> ReferenceRegions:
        """The palette as a reference's regions (`colorhelpers.hints.reference`)."""
        if not self.swatches:
            return ReferenceRegions(np.zeros((0, 4)), np.zeros((0, 2)))
        features = np.array([[s.lightness / 10.0, np.sqrt(s.area), s.height, s.offset]
                             for s in self.swatches])
        rgb = np.array([[int(s.color[i:i + 2], 16) for i in (1, 3, 5)] for s in self.swatches], np.float64)
        return ReferenceRegions(features, rgb2lab(rgb[None] / 255.0)[0, :, 1:] / AB_SCALE)

    def to_json(self) -> str:
        return json.dumps({"name": self.name, "made_from": self.made_from,
                           "regions": [asdict(s) for s in self.swatches]}, indent=1)


def merged(palettes: list[Palette]) -> ReferenceRegions:
    """All palettes' regions as one reference: each region of an input takes the best fit of any."""
    return joined([p.regions() for p in palettes])


def _hex(lab: np.ndarray) -> str:
    rgb = np.round(lab2rgb(np.asarray(lab, np.float64)[None, None])[0, 0] * 255).astype(int)
    return "#{:02x}{:02x}{:02x}".format(*rgb)


def guess_name(lightness: float, a: float, b: float, area: float, height: float) -> str:
    """A reader's name for a region by its color and place (a guess; matching ignores it).

    >>> guess_name(75, 12, 18, 0.05, 0.4), guess_name(30, 5, 5, 0.002, 0.4), guess_name(40, -5, -30, 0.1, 0.8)
    ('skin', 'eyes', 'clothes')
    """
    hue = np.degrees(np.arctan2(b, a))
    if lightness > 45 and 8 <= np.hypot(a, b) <= 45 and 25 <= hue <= 80 and area < 0.3:
        return "skin"
    if area < 0.006 and 0.2 <= height <= 0.6:
        return "eyes"
    if area >= 0.25:
        return "background"
    if height < 0.45:
        return "hair"
    return "clothes" if height >= 0.55 else "region"


def palette_from_picture(rgb: np.ndarray, name: str, made_from: str = "") -> Palette:
    """The palette of a uint8 RGB color picture: its regions at `PALETTE_SIDE` px, their colors."""
    height, width = rgb.shape[:2]
    scale = min(1.0, PALETTE_SIDE / min(height, width))
    shape = (max(1, round(height * scale)), max(1, round(width * scale)))
    regions = reference_regions(rgb, shape)
    order = np.argsort(-regions.features[:, 1])  # largest first
    swatches, seen = [], {}
    for j in order:
        l10, root_area, cy, offset = regions.features[j]
        a, b = regions.ab[j] * AB_SCALE
        guess = guess_name(l10 * 10, a, b, root_area ** 2, cy)
        seen[guess] = seen.get(guess, 0) + 1
        label = guess if seen[guess] == 1 else f"{guess} {seen[guess]}"
        swatches.append(Swatch(label, _hex([l10 * 10, a, b]), round(float(l10 * 10), 1),
                               round(float(root_area ** 2), 4), round(float(cy), 3), round(float(offset), 3)))
    return Palette(name, tuple(swatches), made_from)


def palette_path(name_or_file: str | Path, folder: Path = PALETTE_FOLDER) -> Path:
    """A palette file: `name_or_file` itself if it ends in .json, else `folder`/NAME.json."""
    text = str(name_or_file)
    return Path(text) if text.endswith(".json") else Path(folder) / f"{text}.json"


def read_palette(name_or_file: str | Path, folder: Path = PALETTE_FOLDER) -> Palette:
    """Read and check a palette (a NAME in `folder` or a .json file); problems are one-line DataErrors."""
    path = palette_path(name_or_file, folder)
    if not path.is_file():
        raise DataError(f"--palette {name_or_file}: no palette file {path} (make one with "
                        f"`python -m colorhelpers palette --from PICTURE --name NAME`)")
    try:
        data = json.loads(path.read_text())
        swatches = tuple(Swatch(str(r["name"]), _checked_color(r["color"]),
                                *(float(r[k]) for k in FIELDS[2:])) for r in data["regions"])
        return Palette(str(data.get("name", path.stem)), swatches, str(data.get("made_from", "")))
    except json.JSONDecodeError as err:
        raise DataError(f"{path}: not JSON ({err.msg}, line {err.lineno})") from None
    except (KeyError, TypeError, ValueError) as err:
        raise DataError(f"{path}: expected {{\"regions\": [{{{', '.join(FIELDS)}}}, ...]}} ({err})") from None


def _checked_color(color: str) -> str:
    if not (isinstance(color, str) and len(color) == 7 and color[0] == "#"):
        raise ValueError(f"color {color!r} is not #rrggbb")
    int(color[1:], 16)
    return color.lower()


def swatch_picture(palette: Palette, row: int = 28) -> np.ndarray:
    """uint8 RGB picture of a palette: per region a block of its color, its name and hex code."""
    out = np.full((row * max(1, len(palette.swatches)) + row, 260, 3), 255, np.uint8)
    cv2.putText(out, palette.name, (6, row - 9), cv2.FONT_HERSHEY_SIMPLEX, 0.55, (0, 0, 0), 1, cv2.LINE_AA)
    for i, s in enumerate(palette.swatches, 1):
        rgb = tuple(int(s.color[k:k + 2], 16) for k in (1, 3, 5))
        cv2.rectangle(out, (4, i * row + 3), (54, (i + 1) * row - 3), rgb, -1)
        cv2.putText(out, f"{s.name}  {s.color}", (62, (i + 1) * row - 9), cv2.FONT_HERSHEY_SIMPLEX, 0.45,
                    (0, 0, 0), 1, cv2.LINE_AA)
    return out


def write_palette(palette: Palette, folder: Path = PALETTE_FOLDER) -> tuple[Path, Path]:
    """Write `folder`/NAME.json and its swatch `folder`/NAME.png; returns both paths."""
    from colorhelpers.colorize.media import write_png

    Path(folder).mkdir(parents=True, exist_ok=True)
    path = Path(folder) / f"{palette.name}.json"
    path.write_text(palette.to_json() + "\n")
    picture = Path(folder) / f"{palette.name}.png"
    write_png(picture, swatch_picture(palette))
    return path, picture
