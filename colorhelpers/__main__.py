"""`python -m colorhelpers ...`: see colorhelpers.cli."""

import os

import colorhelpers

# TensorFlow's C++ start-up chatter is noise on a command line; silence it before the import.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
colorhelpers.import_tensorflow_quietly()

from colorhelpers.cli import main  # noqa: E402

raise SystemExit(main())
