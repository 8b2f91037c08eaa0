"""Several pictures dropped at once in the web app: each colored automatically, all offered as a zip.

Taught in the README ("In the browser"). Each file is checked as a single drop is
(`uploads.check_picture`), its kind decided as `colorize --kind auto` does, and colored on the
road with no guide, as `colorize --input FOLDER` colors a folder (`Colorizer.still`); a refused
file is named in the status line and the others are still colored. The results land in a
folder of the tab's own (`BatchView.folder`, replaced by the next drop) and in one zip.
"""

from __future__ import annotations

import html
import shutil
import tempfile
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import NamedTuple

from colorhelpers.app.clips import Saturated
from colorhelpers.app.handlers import KEEP, error_line, guarded_as
from colorhelpers.app.uploads import UploadError, check_picture
from colorhelpers.colorize.media import write_png
from colorhelpers.data.files import DataError
from colorhelpers.lineart.kind import KIND_NAMES, Models, choose_kind

#: Most pictures in one drop (each costs a network pass; Gradio's queue keeps others waiting).
MAX_PICTURES = 50


class BatchView(NamedTuple):
    """The tab's batch folder, the status line (HTML), the results (PNG paths, for a gallery), the zip."""

    folder: Path | None
    status: str
    results: list[str] | None
    zip: str | None


def _refused(message: str) -> BatchView:
    return BatchView(KEEP, error_line(message), KEEP, KEEP)


def close(folder: Path | None) -> None:
    """Remove a tab's batch folder (the next drop, or the tab going)."""
    if folder is not None:
        shutil.rmtree(folder, ignore_errors=True)


@guarded_as(_refused)
def color_all(models: Models, parent: Path, old: Path | None, paths: list[str] | None, kind: str,
              saturation: float, progress: Callable[[float, str], None] | None = None) -> BatchView:
    """Color every dropped picture automatically; the PNGs and their zip in a new folder."""
    if not paths:
        raise DataError("No files were received.")
    if len(paths) > MAX_PICTURES:
        raise DataError(f"{len(paths)} files: the app colors at most {MAX_PICTURES} at once")
    folder = Path(tempfile.mkdtemp(prefix="colorgan-batch-", dir=parent))
    colorizers = Saturated(models, saturation)
    results, lines = [], []
    for i, path in enumerate(paths):
        if progress is not None:
            progress(i / len(paths), f"coloring {Path(path).name}")
        try:
            picture = check_picture(path)
        except UploadError as err:
            lines.append(f"refused {err}")
            continue
        chosen, _ = choose_kind(picture.rgb, kind)
        stem = Path(picture.name).stem or "picture"
        out = folder / f"{stem}.png"
        if out.exists():  # two drops of the same name keep both
            out = folder / f"{stem}-{i}.png"
        write_png(out, colorizers.get(chosen)[0].still(picture.rgb))
        results.append(str(out))
        lines.append(f"{picture.name}: colored as {KIND_NAMES[chosen]}")
    archive = folder / "colored.zip"
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED) as zipped:
        for result in results:
            zipped.write(result, Path(result).name)
    close(old)
    status = f"Colored {len(results)} of {len(paths)} picture(s). " + "; ".join(lines)
    return BatchView(folder, html.escape(status), results, str(archive) if results else None)
