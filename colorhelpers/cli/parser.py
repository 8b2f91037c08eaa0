"""The command line's options: one subcommand each for training, coloring, palettes, scoring,
shipping and the web app (README, "Color your own pictures"; docs/usage.md).

Parsed before TensorFlow loads, so `--help` is instant; `colorhelpers.cli.commands` runs them.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import colorhelpers.app as app


def parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m colorhelpers", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train a colorizer, or resume an interrupted run")
    train.add_argument("--data", type=Path, required=True,
                       help="folder of color images (or with train/ and heldout/ subfolders)")
    train.add_argument("--out", type=Path, required=True, help="run directory; reused to resume")
    train.add_argument("--epochs", type=int, help="total epochs to reach (default 30)")
    train.add_argument("--warmup", type=int,
                       help="of which the first N train the generator on L1 alone (default: all of "
                            "them; 15 trains pix2pix's GAN over the second half)")
    train.add_argument("--size", type=int, help="training image size, a power of two (default 128)")
    train.add_argument("--batch", type=int, help="batch size (default 16)")
    train.add_argument("--seed", type=int, help="random seed (default 0)")
    train.add_argument("--kind", choices=("gray", "lineart"),
                       help="learn to color gray renders (default) or line art drawn from the images")
    train.add_argument("--keep-every", type=int, default=10, metavar="N",
                       help="keep the generator weights of every Nth epoch for colorize --epoch, "
                            "besides the last two (default 10; 1 keeps all, 0 only the last two); "
                            "every epoch stays browsable in notebook 05")
    train.add_argument("--memory-budget-mb", type=float, metavar="MB",
                       help="decode the training set into memory if it fits in MB, else decode it "
                            "once into a cache on disk and stream it (default: a quarter of the "
                            "machine's memory; 0 always streams)")
    train.add_argument("--cache-dir", type=Path, metavar="DIR",
                       help="where decoded caches go (default $COLORGAN_CACHE or ~/.cache/colorgan)")
    train.add_argument("--strategy", default="auto",
                       choices=("auto", "one", "mirrored", "multiworker"),
                       help="auto: several machines when TF_CONFIG is set, else one device; "
                            "mirrored: every local GPU (default auto)")

    colorize = commands.add_parser("colorize", help="colorize an image or a folder of images")
    colorize.add_argument("--run", type=Path, help="a trained run directory (default: the shipped model)")
    colorize.add_argument("--epoch", type=int, help="which epoch's generator (default: the last)")
    colorize.add_argument("--saturation", type=float, default=1.0,
                          help="scale the automatic colors: below 1 duller and safer, above 1 more "
                               "colorful (default 1)")
    colorize.add_argument("--input", type=Path, required=True,
                          help="an image, an animated GIF or a video (MP4, AVI, WebM...), or a folder")
    colorize.add_argument("--output", type=Path, required=True,
                          help="folder for the results: PNG for images, the same format for clips")
    colorize.add_argument("--hints", type=Path,
                          help='colors to follow: a .json list [{"x": X, "y": Y, "color": "#rrggbb"}] or an '
                               "RGBA .png scribble of the input's size; for a folder input, a folder of "
                               "<stem>.json or <stem>.png (images without one are colored automatically); "
                               'for a clip, points may name their "frame", or a folder holds <frame>.json')
    colorize.add_argument("--keyframes", type=Path, metavar="DIR",
                          help="for a clip: a folder of color frames named by frame number (0.png, "
                               "57.png...), the clip's size; their colors are carried forward and backward")
    colorize.add_argument("--keyframe", action="append", default=[], metavar="N:IMAGE",
                          help="for a clip: one color keyframe, frame N (repeatable)")
    colorize.add_argument("--kind", default="gray", choices=("gray", "lineart", "manga", "auto"),
                          help="gray (keep the input's lightness; default), lineart (black lines on white: "
                               "lightness predicted too), manga (a page: panel by panel, screentone "
                               "descreened) or auto (decide per input and say so)")
    colorize.add_argument("--palette", action="append", default=[], metavar="NAME_OR_FILE",
                          help="a character's palette (palettes/NAME.json, or a .json file) whose colors "
                               "guide the result; repeat for several characters")
    colorize.add_argument("--reference", type=Path,
                          help="a color picture (e.g. the same character) whose colors guide the result")
    colorize.add_argument("--layers", action="store_true",
                          help="for line art, also write lines, flat colors and shading as layers of an "
                               "OpenRaster file (<stem>.ora; a clip's frames in <stem>.layers/) for "
                               "Krita, GIMP...")

    evaluate = commands.add_parser("evaluate", help="print held-out metrics as one JSON object")
    evaluate.add_argument("--run", type=Path, help="a trained run directory (default: the shipped model)")
    evaluate.add_argument("--data", type=Path, required=True,
                          help="folder of color images (its heldout/ subfolder if it has one)")
    evaluate.add_argument("--epoch", type=int, help="which epoch (default: the last)")
    evaluate.add_argument("--saturation", type=float, default=1.0, help="as for colorize (default 1)")

    palette = commands.add_parser("palette", help="keep a character's colors as a named palette")
    palette.add_argument("--from", dest="source", type=Path, required=True,
                         help="a color picture of the character (or a gray one with --hints)")
    palette.add_argument("--name", required=True, help="the palette's name (letters, digits, - and _)")
    palette.add_argument("--hints", type=Path, help="hints for a gray --from picture: it is colored first")
    palette.add_argument("--folder", type=Path, default=Path("palettes"),
                         help="where NAME.json and its swatch NAME.png go (default ./palettes)")
    palette.add_argument("--run", type=Path, help="with --hints, a trained run (default: the shipped model)")

    ship = commands.add_parser("ship", help="make a run's last generator the default model of colorize")
    ship.add_argument("--run", type=Path, required=True, help="a trained run directory")
    app.add_command(commands)
    return parser
