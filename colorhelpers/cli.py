"""The command line of the README: train, colorize and evaluate without Jupyter.

    python -m colorhelpers train --data DIR --out RUN_DIR [--epochs N] [--warmup N] [--size PX]
                                 [--batch B] [--seed S] [--kind gray|lineart] [--keep-every N]
                                 [--memory-budget-mb MB] [--cache-dir DIR] [--strategy ...]
    python -m colorhelpers colorize --input FILE_OR_DIR --output DIR [--run RUN_DIR] [--epoch K]
                                    [--saturation S] [--hints FILE_OR_DIR] [--reference IMAGE]
                                    [--kind gray|lineart|manga|auto] [--keyframes DIR] [--keyframe N:IMAGE]
                                    [--palette NAME_OR_FILE ...] [--layers]
    python -m colorhelpers palette --from PICTURE --name NAME [--hints FILE] [--folder DIR]
    python -m colorhelpers evaluate --data DIR [--run RUN_DIR] [--epoch K] [--saturation S]
    python -m colorhelpers ship --run RUN_DIR;   python -m colorhelpers app [--host H] [--port P] (web page)

Without --run, `colorize` and `evaluate` use the model shipped with the package
(colorhelpers/shipped, trained by `make train`; for `--kind lineart`, colorhelpers/shipped_lineart,
trained by `make train-lineart`); `ship` replaces the one of the run's kind with its last generator.
`colorgan` (installed with the package) is the same command: `colorgan train ...`.
`colorize` sends every input down the one road (`colorhelpers.colorize`) with its guide: none,
hints or a reference (`colorhelpers.hints`), and for animated GIFs and videos steady colors
along the flow (`colorhelpers.clips`; --reference colors the first frame, and --hints the
frames they name, carried forward and backward). Each clip is written in its own format.
--keyframes and --keyframe color a clip from frames colored by hand
(`colorhelpers.clips.keyframes`). Each subcommand calls the same functions as the notebooks.
Problems with the input (a missing folder, no usable image, a run with no checkpoint, a full
disk) end the program with one line on stderr saying what is wrong, and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import sys
import warnings
from pathlib import Path

from colorhelpers import app, import_tensorflow_quietly

#: Exit status for bad input or a run that cannot go on.
EXIT_USAGE = 2


def _parser() -> argparse.ArgumentParser:
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


def _train(args: argparse.Namespace) -> int:
    from colorhelpers.data.files import split_dataset
    from colorhelpers.training.config import LINEART_RECIPE, TrainConfig, describe_schedule
    from colorhelpers.training.distribute import choose_strategy
    from colorhelpers.training.loop import train
    from colorhelpers.training.runs import RunDirectory

    # First: the multi-worker strategy must exist before any other TensorFlow operation runs.
    strategy = choose_strategy(args.strategy)
    if args.memory_budget_mb is not None and args.memory_budget_mb < 0:
        raise ValueError(f"--memory-budget-mb must be 0 or more, got {args.memory_budget_mb:g}")
    run = RunDirectory(args.out)
    # Resuming keeps the run's own settings; flags given now override them.
    recipe = TrainConfig(**LINEART_RECIPE) if args.kind == "lineart" else TrainConfig()
    config = run.read_config() if run.config_file.exists() else recipe
    changes = {"epochs": args.epochs, "warmup_epochs": args.warmup, "image_size": args.size,
               "batch_size": args.batch, "seed": args.seed, "kind": args.kind}
    config = config.replace(**{k: v for k, v in changes.items() if v is not None})
    train_paths, heldout_paths = split_dataset(args.data)
    print(f"training on {len(train_paths)} images, {len(heldout_paths)} held out; run in {run.root}")
    print(describe_schedule(config))
    if args.keep_every < 0:
        raise ValueError(f"--keep-every must be 0 or more, got {args.keep_every}")
    rows = train(train_paths, heldout_paths, run.root, config, strategy=strategy, keep_every=args.keep_every,
                 memory_budget_mb=args.memory_budget_mb, cache_dir=args.cache_dir)
    if rows:
        last = rows[-1]
        print(f"epoch {int(last['epoch'])}: PSNR {last['psnr']:.2f} dB, CIEDE2000 "
              f"{last['ciede2000']:.2f}, AuC {last['auc']:.3f}; samples in {run.root / 'samples'}")
        print(f"{run.root} takes {run.disk_usage() / 1e6:.0f} MB")
    return 0


def _colorize(args: argparse.Namespace) -> int:
    import tensorflow as tf

    from colorhelpers.clips import SteadyGuide
    from colorhelpers.clips.color import check_keyframed
    from colorhelpers.colorize import ClipError, colorize_path, is_clip, probe
    from colorhelpers.colorize.road import output_folder, read_still
    from colorhelpers.data import DataError, SkippedImageWarning, check_image, find_images
    from colorhelpers.hints import read_all_hints
    from colorhelpers.hints.palette import merged, read_palette
    from colorhelpers.hints.points import upright_size
    from colorhelpers.lineart import Models, kind_of
    from colorhelpers.lineart.inputs import first_frame_guide
    from colorhelpers.pages import colorize_page_path

    _check_saturation(args.saturation)
    if args.output.exists() and not args.output.is_dir():
        raise DataError(f"--output {args.output}: exists and is not a folder; name a folder")
    if args.input.is_dir():
        paths = find_images(args.input, require_color=False, also=is_clip)
    elif args.input.is_file():
        # A clip that cannot be read stops here, in one line (probe raises ClipError).
        problem = None if is_clip(args.input) and probe(args.input) else check_image(args.input).problem
        if problem:
            raise DataError(f"{args.input}: {problem}")
        paths = [args.input]
    else:
        raise DataError(f"{args.input}: no such file or folder")

    def size_of(path: Path) -> tuple[int, int]:
        if is_clip(path):
            info = probe(path)
            return info.width, info.height
        return upright_size(path)

    # Hints apply to a clip's first frame, in its pixels.
    hints = read_all_hints(args.hints, paths, single_input=not args.input.is_dir(), size_of=size_of)
    reference = None
    if args.reference is not None:
        problem = check_image(args.reference).problem if args.reference.is_file() else "no such file"
        if problem:
            raise DataError(f"--reference {args.reference}: {problem}")
        reference = read_still(args.reference)
    palette = merged([read_palette(name) for name in args.palette]) if args.palette else None
    keyframed = args.keyframes is not None or bool(args.keyframe)
    one_clip = len(paths) == 1 and is_clip(paths[0])
    check_keyframed(keyframed, one_clip, reference)
    with output_folder(args.output):
        models = Models(args.run, args.epoch, args.saturation)
        if keyframed or (args.hints and reference is None and one_clip and args.kind == "gray"):
            return _colorize_keyframed(args, models, paths[0])
        progress = _progress(len(paths))
        for i, path in enumerate(paths, 1):
            kind = kind_of(path, args.kind)
            colorizer, epoch, run_root = models.get(kind)
            guide = first_frame_guide(kind, hints.get(path), reference, palette)
            if is_clip(path):
                guide = SteadyGuide(first=guide)  # colors carried steadily along the flow
            try:
                if kind == "manga" and not is_clip(path):  # panel by panel, each with its own guide
                    page = colorize_page_path(colorizer, path, args.output, lambda h: first_frame_guide(
                        "gray", h, reference, palette), hints.get(path))
                    print(f"{path.name}: {page.describe()}")
                else:
                    out = colorize_path(colorizer, path, args.output, guide, progress=is_clip(path))
                    if args.layers:
                        _write_layers(path, out, kind)
            except tf.errors.OpError as err:  # a file that PIL read but TensorFlow cannot decode
                reason = err.message.splitlines()[0]
                warnings.warn(f"skipping {path}: {reason}", SkippedImageWarning, stacklevel=1)
            except ClipError as err:  # in a folder, a damaged clip is skipped like a damaged image
                if not args.input.is_dir():
                    raise
                warnings.warn(f"skipping {err}", SkippedImageWarning, stacklevel=1)
            if progress:
                progress.update(i)
        model = f"epoch {epoch}" if args.run else f"the shipped model (epoch {epoch} of {run_root.name})"
        print(f"colorized {len(paths)} image(s) with {model} into {args.output}")
        return 0


def _palette(args: argparse.Namespace) -> int:
    """Write a named palette (`colorhelpers.hints.palette`) from a color picture, or a gray one and hints."""
    import re

    from colorhelpers.colorize.road import read_still
    from colorhelpers.data import DataError, check_image
    from colorhelpers.hints import HintGuide, read_hints
    from colorhelpers.hints.palette import palette_from_picture, write_palette
    from colorhelpers.lineart import Models

    if not re.fullmatch(r"[A-Za-z0-9_-]+", args.name):
        raise DataError(f"--name {args.name!r}: use letters, digits, - and _ (it names the file)")
    problem = check_image(args.source).problem if args.source.is_file() else "no such file"
    if problem:
        raise DataError(f"--from {args.source}: {problem}")
    rgb = read_still(args.source)
    if args.hints is not None:
        hints = read_hints(args.hints, rgb.shape[1], rgb.shape[0])
        rgb = Models(args.run).get("gray")[0].still(rgb, HintGuide(hints))
    palette = palette_from_picture(rgb, args.name, args.source.name)
    path, swatch = write_palette(palette, args.folder)
    names = ", ".join(f"{s.name} {s.color}" for s in palette.swatches[:8])
    print(f"palette {args.name}: {len(palette.swatches)} regions ({names}); wrote {path} and {swatch}")
    return 0


def _colorize_keyframed(args: argparse.Namespace, models, path: Path) -> int:
    """One clip colored from keyframes and hinted frames (`colorhelpers.lineart.inputs`, as the app does)."""
    from colorhelpers.clips.color import read_keyframes
    from colorhelpers.colorize import probe
    from colorhelpers.hints.points import clip_hints
    from colorhelpers.lineart.inputs import color_clip

    info = probe(path)
    keyframes = read_keyframes(args.keyframes, args.keyframe, info)
    hints = clip_hints(args.hints, info.width, info.height, path) if args.hints else {}
    result = color_clip(models, path, args.output, args.kind if keyframes else "gray", hints, None, keyframes)
    if args.layers:
        _write_layers(path, result.path, result.kind)
    _, epoch, run_root = models.get(result.kind)
    print(f"{result.describe()}; with epoch {epoch} of {run_root.name}; wrote {result.path}")
    return 0


def _write_layers(drawing: Path, colored: Path, kind: str) -> None:
    """`--layers`: line art's layers beside its colors (`colorhelpers.lineart.layers`)."""
    from colorhelpers.data import SkippedImageWarning
    from colorhelpers.lineart.layers import write_layers

    if kind != "lineart":
        warnings.warn(f"no layers for {drawing}: it was colored as a gray picture, not line art",
                      SkippedImageWarning, stacklevel=2)
        return
    write_layers(drawing, colored)


def _progress(count: int):
    """A progress bar over the inputs of a folder (none for a single input)."""
    import keras

    return keras.utils.Progbar(count, unit_name="image") if count > 1 else None


def _check_saturation(saturation: float) -> None:
    if not 0.0 <= saturation <= 4.0:
        raise ValueError(f"--saturation must be between 0 and 4, got {saturation:g}")


def _evaluate(args: argparse.Namespace) -> int:
    from colorhelpers.evaluation import evaluate_run, open_run, shipped_run

    _check_saturation(args.saturation)
    run = open_run(args.run or shipped_run())
    print(json.dumps(evaluate_run(run, args.data, args.epoch, args.saturation)))
    return 0


def _ship(args: argparse.Namespace) -> int:
    from colorhelpers.evaluation import open_run, ship_run

    weights = ship_run(open_run(args.run))
    print(f"shipped {weights} ({weights.stat().st_size / 1e6:.1f} MB): colorize uses it without --run")
    return 0


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; returns the exit status."""
    args = _parser().parse_args(argv)  # before TensorFlow loads, so --help is instant
    warnings.showwarning = _one_line_warning
    import_tensorflow_quietly()
    from colorhelpers.data.files import DataError
    from colorhelpers.training.loop import TrainingError
    from colorhelpers.training.runs import RunError

    command = {"train": _train, "colorize": _colorize, "evaluate": _evaluate, "ship": _ship,
               "palette": _palette,
               "app": app.run}[args.command]
    try:
        return command(args)
    except (DataError, RunError, TrainingError, ValueError) as err:
        print(f"colorgan {args.command}: error: {err}", file=sys.stderr)
        return EXIT_USAGE
    except OSError as err:  # an unwritable --output, a disk that filled up while colorizing
        print(f"colorgan {args.command}: error: {err.filename or ''}: {err.strerror or err}",
              file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print(f"colorgan {args.command}: interrupted; run the same command again to resume",
              file=sys.stderr)
        return 130
