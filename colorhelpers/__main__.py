"""`python -m colorhelpers ...`: the command line of the README (see colorhelpers.cli)."""

import os

# TensorFlow's C++ start-up chatter is noise on a command line.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

from colorhelpers.cli import main  # noqa: E402

raise SystemExit(main())
