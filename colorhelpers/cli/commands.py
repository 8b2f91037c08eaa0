"""What each subcommand of the command line does (README; the options are in
`colorhelpers.cli.parser`, the dispatch and error handling in `colorhelpers.cli`).

`colorize` sends every input down the one road (`colorhelpers.colorize`) with its guide;
`train`, `evaluate` and `ship` call the same functions as the notebooks.
"""

from __future__ import annotations

import argparse
import json
import warnings
from pathlib import Path

#: Exit status for bad input or a run that cannot go on.
EXIT_USAGE = 2


def train(args: argparse.Namespace) -> int:
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


def colorize(args: argparse.Namespace) -> int:
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
            try:
                if kind == "manga" and not is_clip(path):  # panel by panel, each with its own guide
                    page = colorize_page_path(colorizer, path, args.output, lambda h: first_frame_guide(
                        "gray", h, reference, palette), hints.get(path))
                    print(f"{path.name}: {page.describe()}")
                else:
                    guide = first_frame_guide(kind, hints.get(path), reference, palette)
                    if is_clip(path):
                        guide = SteadyGuide(first=guide)  # colors carried steadily along the flow
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


def palette(args: argparse.Namespace) -> int:
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


def evaluate(args: argparse.Namespace) -> int:
    from colorhelpers.evaluation import evaluate_run, open_run, shipped_run

    _check_saturation(args.saturation)
    run = open_run(args.run or shipped_run())
    print(json.dumps(evaluate_run(run, args.data, args.epoch, args.saturation)))
    return 0


def ship(args: argparse.Namespace) -> int:
    from colorhelpers.evaluation import open_run, ship_run

    weights = ship_run(open_run(args.run))
    print(f"shipped {weights} ({weights.stat().st_size / 1e6:.1f} MB): colorize uses it without --run")
    return 0
