"""`python -m colorhelpers app`: the web app on this machine, safe by default (README, "In the browser").

It listens on 127.0.0.1 unless `--host` says otherwise (then it warns: anyone who can reach
the address can use the app and the machine's CPU). Gradio's analytics, share links, API page
and server-side rendering are off; it serves no folder of the machine (no `allowed_paths`),
only its own cache, which lives in a private temporary folder removed at exit, together with
every tab's downloads. Uploads are capped by Gradio (`max_file_size`) and checked by content
(`colorhelpers.app.uploads`). The shipped models load once, before the first visitor.
"""

from __future__ import annotations

import atexit
import os
import shutil
import sys
import tempfile
from pathlib import Path

from colorhelpers.app.uploads import MAX_BYTES

LOOPBACK = ("127.0.0.1", "localhost", "::1")
#: Requests waiting beyond this many are turned away instead of piling up.
QUEUE_SIZE = 32


def serve(host: str = "127.0.0.1", port: int | None = None) -> None:
    """Start the app and block until it is stopped (Ctrl-C)."""
    folder = Path(tempfile.mkdtemp(prefix="colorgan-app-"))
    atexit.register(shutil.rmtree, folder, True)
    # Before Gradio is imported: it reads these when it loads.
    os.environ["GRADIO_TEMP_DIR"] = str(folder / "gradio")
    os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"
    if host not in LOOPBACK:
        print(f"warning: listening on {host}: anyone who can reach this address can use the app",
              file=sys.stderr)

    from colorhelpers.app.ui import build
    from colorhelpers.lineart.kind import Models

    models = Models()
    for kind in ("gray", "lineart"):
        models.get(kind)
    demo = build(models, folder)
    demo.queue(max_size=QUEUE_SIZE)
    try:
        demo.launch(server_name=host, server_port=port, share=False, show_api=False, allowed_paths=[],
                    max_file_size=MAX_BYTES, ssr_mode=False, pwa=False, mcp_server=False,
                    enable_monitoring=False, inbrowser=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
