"""Notebook 09's widget: click the gray image to place a color, the colorized result follows.

Taught in notebooks/09_hints.

Clicks come from ipyevents (a maintained widget library: no hand-written JavaScript)
watching an `ipywidgets.Image`; it reports the click in the image's own pixels. The color
comes from a `ColorPicker`; Undo and Clear edit the list of hints; a dropdown picks a
reference image. Every change recolors through `HintColorizer`, whose expensive parts (the
network, the image's Laplacian) ran once when the image was opened. All logic lives in
`HintWidget`'s methods, so it is tested without a browser; tests/test_browser_hints.py
clicks it in a real JupyterLab.
"""

from __future__ import annotations

import io
import time
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from colorhelpers.hints.guide import HintColorizer
from colorhelpers.hints.points import Hints

#: Displayed images are this many times their pixel size (the bundled images are 128 px).
ZOOM = 3


def png_bytes(rgb: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(np.asarray(rgb, np.uint8)).save(buffer, "PNG")
    return buffer.getvalue()


class HintWidget:
    """The gray input with the hints drawn on it, the colorized result, and the controls."""

    def __init__(self, generator, size: int, rgb: np.ndarray, references: dict[str, Path] | None = None,
                 color: str = "#d04a3a", guide=None) -> None:
        import ipywidgets as w
        from ipyevents import Event

        self.rgb = np.asarray(rgb, np.float32)
        # `guide`: how hints become colors, for example `LineArtGuide` on line art (notebook 11).
        self.colorizer = HintColorizer(generator, size, self.rgb, guide=guide)
        self.points: list[dict] = []
        self.reference = None
        height, width = self.rgb.shape[:2]
        shown = {"width": width * ZOOM, "height": height * ZOOM}
        style = "image-rendering: pixelated"
        box = {k: f"{v}px" for k, v in shown.items()}
        self.input_image = w.Image(format="png", **shown, layout=w.Layout(**box, flex="none"))
        self.output_image = w.Image(format="png", **shown, layout=w.Layout(**box, flex="none"))
        self.input_image.add_class("colorgan-hint-input")
        self.output_image.add_class("colorgan-hint-output")
        self.color = w.ColorPicker(value=color, description="color", concise=False)
        self.color.add_class("colorgan-hint-color")
        self.undo_button = w.Button(description="Undo", icon="undo")
        self.clear_button = w.Button(description="Clear", icon="trash")
        self.undo_button.on_click(lambda _: self.undo())
        self.clear_button.on_click(lambda _: self.clear())
        self.reference_choice = w.Dropdown(options={"(no reference)": None, **(references or {})},
                                           description="reference")
        self.reference_choice.observe(lambda change: self.set_reference(change["new"]), names="value")
        self.status = w.HTML()
        self.status.add_class("colorgan-hint-status")
        self.events = Event(source=self.input_image, watched_events=["click"], prevent_default_action=True)
        self.events.on_dom_event(self.on_click)
        labels = [w.HTML(f"<b>{text}</b>") for text in ("gray input: click to place the color", "result")]
        self.view = w.VBox([
            w.HBox([self.color, self.undo_button, self.clear_button, self.reference_choice]),
            w.HBox([w.VBox([labels[0], self.input_image], layout=w.Layout(margin="0 24px 0 0")),
                    w.VBox([labels[1], self.output_image])]),
            self.status,
            w.HTML(f"<style>.colorgan-hint-input img, .colorgan-hint-output img {{{style}}}</style>"),
        ])
        self.view.add_class("colorgan-hint-widget")
        self.update()

    def on_click(self, event: dict) -> None:
        """ipyevents callback: `dataX`, `dataY` are the click in the image's own pixels."""
        height, width = self.rgb.shape[:2]
        x, y = int(event["dataX"]), int(event["dataY"])
        if 0 <= x < width and 0 <= y < height:
            self.add(x, y, self.color.value)

    def add(self, x: int, y: int, color: str) -> None:
        self.points.append({"x": x, "y": y, "color": _hex(color)})
        self.update()

    def undo(self) -> None:
        if self.points:
            self.points.pop()
        self.update()

    def clear(self) -> None:
        self.points.clear()
        self.update()

    def set_reference(self, path: Path | None) -> None:
        if path is None:
            self.reference = None
        else:
            with Image.open(path) as image:
                reference_rgb = np.asarray(image.convert("RGB"))
            self.reference = self.colorizer.reference(reference_rgb)
        self.update()

    def result(self) -> np.ndarray:
        """The colorized image (uint8 RGB) for the current hints and reference."""
        return self.colorizer.colorize(Hints.from_points(self.points), self.reference)

    def update(self) -> None:
        start = time.perf_counter()
        out = self.result()
        took = (time.perf_counter() - start) * 1000
        self.output_image.value = png_bytes(out)
        self.input_image.value = png_bytes(self.marked_input())
        source = "automatic colors" if not self.points and self.reference is None else "hints"
        self.status.value = f"{len(self.points)} hint(s), {source}; updated in {took:.0f} ms"

    def marked_input(self) -> np.ndarray:
        """The gray input with each hint drawn as a dot of its color ringed in black."""
        return mark_hints(self.rgb, self.points)


def mark_hints(rgb: np.ndarray, points: list[dict], radius: int = 2) -> np.ndarray:
    """An image (uint8, or floats in [0, 1]) in gray, each hint point drawn on it as a dot of
    its color ringed in black: what the widget and the web app show under the clicks."""
    rgb = np.asarray(rgb)
    scale = 1.0 if rgb.dtype == np.uint8 else 255.0
    gray = np.round(rgb[..., :3] @ np.float32([0.299, 0.587, 0.114]) * scale).clip(0, 255).astype(np.uint8)
    image = Image.fromarray(gray).convert("RGB")
    draw = ImageDraw.Draw(image)
    for p in points:
        x, y = p["x"], p["y"]
        draw.ellipse([x - radius, y - radius, x + radius, y + radius], fill=p["color"], outline="black")
    return np.asarray(image)


def _hex(color: str) -> str:
    """ColorPicker values may be CSS names or #rgb; hints want #rrggbb."""
    from PIL import ImageColor

    r, g, b = ImageColor.getrgb(color)[:3]
    return f"#{r:02x}{g:02x}{b:02x}"
