"""Part 11, in the browser (README, "In the browser"): a local web app over the colorize road.

`uploads` checks what a visitor drops (by content, within limits), `session` holds one browser
tab's picture, hints and reference and colors it through `colorhelpers.hints.HintColorizer`,
`clips` holds a tab's clip and keyframes and colors it through `colorhelpers.lineart.inputs`
(as `colorize` does), `batch` colors several pictures at once, `ui` lays the page out in
Gradio, and `serve` starts it on the loopback. Nothing else in the package imports this part:
it sits at the end of the data flow.
"""

from __future__ import annotations

import argparse


def add_command(commands) -> None:
    """The command line's `app` subcommand (`colorhelpers.cli`); nothing heavy is imported here."""
    app = commands.add_parser("app", help="color pictures in the browser: a local web app")
    app.add_argument("--host", default="127.0.0.1",
                     help="address to listen on (default 127.0.0.1, this machine only; another "
                          "lets anyone who can reach it use the app)")
    app.add_argument("--port", type=int, help="port (default: the first free one from 7860)")


def run(args: argparse.Namespace) -> int:
    """`python -m colorhelpers app`: serve until stopped."""
    from colorhelpers.app.serve import serve

    serve(args.host, args.port)
    return 0
