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

import sys
import warnings

from colorhelpers import app, import_tensorflow_quietly
from colorhelpers.cli.commands import EXIT_USAGE, colorize, evaluate, palette, ship, train
from colorhelpers.cli.parser import parser

__all__ = ["EXIT_USAGE", "main"]


def _one_line_warning(message, category, filename, lineno, file=None, line=None) -> None:
    print(f"warning: {message}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; returns the exit status."""
    args = parser().parse_args(argv)  # before TensorFlow loads, so --help is instant
    warnings.showwarning = _one_line_warning
    import_tensorflow_quietly()
    from colorhelpers.data.files import DataError
    from colorhelpers.training.loop import TrainingError
    from colorhelpers.training.runs import RunError

    command = {"train": train, "colorize": colorize, "evaluate": evaluate, "ship": ship,
               "palette": palette, "app": app.run}[args.command]
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
