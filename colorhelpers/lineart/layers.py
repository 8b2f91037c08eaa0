"""Colored line art as layers a paint program opens: lines, flat colors, the model's shading.

Taught in notebooks/11_line_art. `colorize --layers` writes, beside each colored line-art
still (`<stem>.ora`) or for every frame of a clip (`<stem>.layers/<frame>.ora`), an
OpenRaster file (https://www.openraster.org: a zip holding `mimetype`, `stack.xml` and PNG
layers), which Krita, GIMP and MyPaint open. From the top:

- **lines**: the drawing's ink, black, its darkness as opacity (the paper is transparent);
- **shading**: the colored result's lightness against its region's flat color, multiplied
  (white where a region is flat);
- **flats**: every region closed by the lines (`colorhelpers.lineart.regions.paper_regions`)
  in one color, the most common of the result there.

Multiplied together, the three give back the colored result up to its shading's highlights
(which a multiply cannot lighten), so an artist can recolor a region with one bucket fill.
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path
from xml.sax.saxutils import quoteattr

import numpy as np
from PIL import Image

from colorhelpers.colorize.media import is_clip, probe
from colorhelpers.colorize.road import clip_frames, full_resolution, read_still
from colorhelpers.lineart.regions import nearest_label, paper_regions
from colorhelpers.scoring.regions import most_common_colors

#: The layers from the top, each with how it meets the ones below.
LAYERS = (("lines", "svg:src-over"), ("shading", "svg:multiply"), ("flats", "svg:src-over"))


def _png(image: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "PNG")
    return buffer.getvalue()


def split_layers(drawing_rgb: np.ndarray, colored_rgb: np.ndarray) -> dict[str, np.ndarray]:
    """The layers of a colored drawing (both uint8 RGB [h, w, 3]): "lines" RGBA, "shading"
    gray [h, w], "flats" RGB."""
    gray = np.asarray(Image.fromarray(drawing_rgb).convert("L"))
    # The regions of the drawing's scaled L, as the road and the paint bucket find them.
    drawing_l = full_resolution(np.asarray(drawing_rgb, np.uint8)[None])[0][0, ..., 0]
    labels, count = paper_regions(drawing_l.numpy())
    flats = most_common_colors(labels, count, colored_rgb)[nearest_label(labels)]
    lines = np.zeros((*gray.shape, 4), np.uint8)
    lines[..., 3] = 255 - gray
    luma = np.asarray(Image.fromarray(colored_rgb).convert("L"), np.float32)
    flat_luma = np.asarray(Image.fromarray(flats).convert("L"), np.float32)
    shading = np.where(labels > 0, np.clip(255.0 * luma / np.maximum(flat_luma, 1.0), 0, 255), 255.0)
    return {"lines": lines, "shading": np.round(shading).astype(np.uint8), "flats": flats}


def write_ora(path: Path, layers: dict[str, np.ndarray]) -> Path:
    """An OpenRaster file of `layers` (as `split_layers` gives), with their composite as the
    merged image and a thumbnail; written under a temporary name, then renamed."""
    height, width = layers["flats"].shape[:2]
    entries = "".join(f'  <layer name={quoteattr(name)} src="data/{name}.png" composite-op="{op}" '
                      f'opacity="1.0" visibility="visible" x="0" y="0"/>\n' for name, op in LAYERS)
    stack = (f"<?xml version='1.0' encoding='UTF-8'?>\n"
             f"<image version=\"0.0.5\" w=\"{width}\" h=\"{height}\">\n"
             f" <stack>\n{entries} </stack>\n</image>\n")
    merged = composite(layers)
    thumbnail = Image.fromarray(merged)
    thumbnail.thumbnail((256, 256))
    partial = path.with_name(f".{path.name}.partial")
    with zipfile.ZipFile(partial, "w") as ora:
        ora.writestr(zipfile.ZipInfo("mimetype"), "image/openraster", compress_type=zipfile.ZIP_STORED)
        ora.writestr("stack.xml", stack, compress_type=zipfile.ZIP_DEFLATED)
        for name, _ in LAYERS:
            ora.writestr(f"data/{name}.png", _png(layers[name]))
        ora.writestr("mergedimage.png", _png(merged))
        ora.writestr("Thumbnails/thumbnail.png", _png(np.asarray(thumbnail)))
    partial.replace(path)
    return path


def composite(layers: dict[str, np.ndarray]) -> np.ndarray:
    """The layers as a paint program shows them: flats times shading, lines over: uint8 RGB."""
    shaded = layers["flats"].astype(np.float32) * (layers["shading"][..., None] / 255.0)
    ink = layers["lines"][..., 3:] / 255.0
    return np.round(shaded * (1.0 - ink)).astype(np.uint8)


def read_ora(path: Path) -> dict[str, np.ndarray]:
    """The layers of an OpenRaster file by name, as arrays; ValueError if it is not one."""
    with zipfile.ZipFile(path) as ora:
        if ora.namelist()[0] != "mimetype" or ora.read("mimetype") != b"image/openraster":
            raise ValueError(f"{path}: not an OpenRaster file (no image/openraster mimetype first)")
        import xml.etree.ElementTree as ElementTree

        stack = ElementTree.fromstring(ora.read("stack.xml"))
        return {layer.get("name"): np.asarray(Image.open(io.BytesIO(ora.read(layer.get("src")))))
                for layer in stack.iter("layer")}


def write_layers(drawing: Path, colored: Path) -> Path:
    """The layers of a colored still (`<stem>.ora` beside it) or of every frame of a colored
    clip (`<stem>.layers/<frame>.ora`); returns the file or folder written."""
    if not is_clip(colored):
        return write_ora(colored.with_suffix(".ora"), split_layers(read_still(drawing), read_still(colored)))
    folder = colored.with_name(f"{colored.stem}.layers")
    folder.mkdir(exist_ok=True)
    frames = zip(clip_frames(probe(drawing)), clip_frames(probe(colored)))
    for index, ((drawn, _), (painted, _)) in enumerate(frames):
        write_ora(folder / f"{index:04d}.ora", split_layers(drawn, painted))
    return folder
