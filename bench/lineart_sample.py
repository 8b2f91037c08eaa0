"""docs/lineart-sample.png, the README's line-art picture, from today's shipped line-art model.

Part of bench/ (see bench/README.md). Four panels, 4 px apart: the drawing with its hints as
dots, the automatic colors, the colors with the hints, and the original. The two colorings
are the README's own two commands (`colorize --kind lineart`, without and with `--hints`).

    .venv/bin/python -m bench.lineart_sample          # after make train-lineart
    make pictures                                     # it and the other pictures (bench.doc_pictures)
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

from PIL import Image, ImageDraw

from bench.doc_pictures import colorize, grid, opened

GAP = 4
DOT_RADIUS = 4


def with_dots(drawing: Image.Image, points: list[dict]) -> Image.Image:
    """The drawing with each hint as a dot of its color, ringed in gray so that pale ones show."""
    shown = drawing.convert("RGB")
    pen = ImageDraw.Draw(shown)
    for point in points:
        x, y = point["x"], point["y"]
        pen.ellipse((x - DOT_RADIUS, y - DOT_RADIUS, x + DOT_RADIUS, y + DOT_RADIUS),
                    fill=point["color"], outline=(90, 90, 90))
    return shown


def sample(drawing: Path, hints: Path, truth: Path) -> Image.Image:
    """The four panels side by side; the truth is resized to the drawing's size."""
    page = Image.open(drawing)
    output = f"{drawing.stem}.png"
    with tempfile.TemporaryDirectory() as work:
        automatic = opened(colorize(drawing, Path(work) / "automatic", kind="lineart") / output)
        hinted = opened(colorize(drawing, Path(work) / "hinted", hints, kind="lineart") / output)
    panels = [with_dots(page, json.loads(hints.read_text())), automatic, hinted,
              opened(truth).resize(page.size, Image.BICUBIC)]
    return grid([panels], GAP)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--drawing", type=Path, default=Path("docs/lineart-drawing.png"))
    parser.add_argument("--hints", type=Path, default=Path("docs/lineart-hints.json"))
    parser.add_argument("--truth", type=Path, default=Path("data/anime/heldout/m_ninja_00.png"),
                        help="the color original the drawing was made from (XDoG, 256 px)")
    parser.add_argument("--out", type=Path, default=Path("docs/lineart-sample.png"))
    options = parser.parse_args(argv)
    sample(options.drawing, options.hints, options.truth).save(options.out)
    print(f"wrote {options.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
