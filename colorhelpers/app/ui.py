"""The web app's page in Gradio: one function lays it out, each event calls a handler.

Taught in the README ("In the browser").

The page: a file drop for the picture (gray or line art, decided as `colorize --kind auto`
does and said in the status line), the kind and saturation, the gray picture to click with
the chosen color, a scribble canvas, a reference picture, the result beside the input, the
colors placed with Undo and Clear, and downloads of the result (PNG) and of the hints (the
JSON `--hints` reads), which "Load hints" takes back; a before/after slider. Below: a clip
(GIF or MP4) with its keyframes, colored with a progress bar and downloaded in its own format
(`colorhelpers.app.clips`), and several pictures at once, as a zip (`colorhelpers.app.batch`).
All logic is in those modules and `colorhelpers.app.handlers`; per-tab state lives in `gr.State`.
"""

from __future__ import annotations

from pathlib import Path

import gradio as gr

from colorhelpers.app import batch, clips, handlers
from colorhelpers.app.session import Session
from colorhelpers.lineart.kind import KIND_CHOICES, Models

#: A tab's session is dropped this long after its last use (seconds).
SESSION_TTL = 3600
#: System fonts only: the page must render with no internet (Gradio's default theme loads web fonts).
THEME = gr.themes.Default(font=["ui-sans-serif", "system-ui", "sans-serif"],
                          font_mono=["ui-monospace", "monospace"])
CSS = """
.colorgan-swatch { display: inline-block; width: 1em; height: 1em; border: 1px solid #000;
                   vertical-align: middle; }
.colorgan-error { color: #b00020; font-weight: bold; }
"""
BRUSH_COLORS = ["#d04a3a", "#e8b090", "#3a6fd0", "#49a35b", "#f0d050", "#7a4a2a", "#202020", "#ffffff"]


def _close(session: Session | clips.ClipSession | None) -> None:
    if session is not None:
        session.close()


def _editor(out: tuple):
    """The scribble canvas for a view's new session (its picture, no paint), or no change."""
    new = out[0]
    return gr.skip() if not isinstance(new, Session) else {"background": new.rgb, "layers": [],
                                                           "composite": None}


def _clip_outputs(view: clips.ClipView) -> tuple:
    """A clip view as Gradio outputs: the result as download, and as preview when it is a GIF."""
    clip, status, result = (gr.skip() if part is handlers.KEEP else part for part in view)
    preview = result if not isinstance(result, str) or result.endswith(".gif") else None
    return clip, status, preview, result


def _outputs(view: handlers.View) -> tuple:
    """A view as Gradio outputs: `KEEP` parts are skipped, the downloads become buttons' values."""
    return tuple(gr.skip() if part is handlers.KEEP else part for part in view)


def build(models: Models, folder: Path) -> gr.Blocks:
    """The page, over `models` (shared, read-only); each tab's downloads go under `folder`."""
    with gr.Blocks(title="colorgan", theme=THEME, css=CSS, analytics_enabled=False,
                   delete_cache=(600, SESSION_TTL)) as demo:
        session = gr.State(None, time_to_live=SESSION_TTL, delete_callback=_close)
        gr.Markdown("# colorgan\nDrop a gray picture or line art; click it to place a color, "
                    "or paint on the scribble canvas. The result follows each hint.")
        with gr.Row():
            upload = gr.File(label="Gray picture or line art (PNG, JPEG, GIF, BMP)", elem_id="upload")
            with gr.Column():
                kind = gr.Radio(list(KIND_CHOICES), value="auto", label="Kind (auto detects line art)")
                saturation = gr.Slider(0.0, 4.0, value=1.0, step=0.05,
                                       label="Saturation of the automatic colors")
                color = gr.ColorPicker("#d04a3a", label="Hint color", elem_id="hint-color")
        status = gr.HTML("Open a picture to begin.", elem_id="status")
        with gr.Row():
            marked = gr.Image(label="Click to place the hint color", interactive=False, format="png",
                              show_download_button=False, show_fullscreen_button=False,
                              elem_id="gray")
            result = gr.Image(label="Result", type="filepath", interactive=False, format="png",
                              show_download_button=False, elem_id="result")
        with gr.Row():
            undo = gr.Button("Undo", elem_id="undo")
            clear = gr.Button("Clear hints", elem_id="clear")
            png = gr.DownloadButton("Download PNG", elem_id="download-png")
            hints = gr.DownloadButton("Download hints JSON", elem_id="download-hints")
            load = gr.UploadButton("Load hints JSON", elem_id="load-hints")
        swatches = gr.HTML(handlers.swatches([]), elem_id="swatches")
        with gr.Accordion("Scribble", open=False):
            brush = gr.Brush(colors=BRUSH_COLORS, color_mode="defaults", default_size=6)
            canvas = gr.ImageEditor(label="Paint hints over the picture", type="numpy", image_mode="RGBA",
                                    sources=(), transforms=(), layers=False, brush=brush,
                                    elem_id="scribble")
        with gr.Accordion("Reference picture", open=False):
            reference = gr.File(label="A color picture of the same character (guides a clip too)",
                                elem_id="reference")
        with gr.Accordion("Before / after", open=False):
            compare = gr.ImageSlider(label="Input | result", type="filepath", interactive=False,
                                     elem_id="compare")
        with gr.Accordion("Clip (GIF or MP4)", open=False, elem_id="clip-section"):
            clip = gr.State(None, time_to_live=SESSION_TTL, delete_callback=_close)
            gr.Markdown("Drop a clip and color it. Keyframes first, if you like: show a frame above, "
                        "color it with hints, then use it as a keyframe; or upload a colored frame.")
            clip_upload = gr.File(label="Animated GIF or MP4", elem_id="clip-upload")
            clip_status = gr.HTML("No clip yet.", elem_id="clip-status")
            with gr.Row():
                number = gr.Number(0, precision=0, minimum=0, label="Frame number", elem_id="frame-number")
                show_frame = gr.Button("Show this frame above", elem_id="show-frame")
                keep = gr.Button("Use the result above as its keyframe", elem_id="keep-keyframe")
                key_upload = gr.UploadButton("Upload a colored keyframe for it", elem_id="upload-keyframe")
                forget = gr.Button("Clear keyframes", elem_id="clear-keyframes")
            color_clip = gr.Button("Color the clip", variant="primary", elem_id="color-clip")
            with gr.Row():
                clip_preview = gr.Image(label="Colored clip", type="filepath", interactive=False,
                                        elem_id="clip-result")
                clip_download = gr.DownloadButton("Download the colored clip", elem_id="download-clip")
        with gr.Accordion("Several pictures", open=False, elem_id="batch-section"):
            batch_folder = gr.State(None, time_to_live=SESSION_TTL, delete_callback=batch.close)
            batch_upload = gr.File(label="Drop several pictures: each is colored automatically",
                                   file_count="multiple", elem_id="batch-upload")
            batch_status = gr.HTML("", elem_id="batch-status")
            gallery = gr.Gallery(label="Colored", columns=6, height="auto", elem_id="batch-gallery")
            batch_zip = gr.DownloadButton("Download all (zip)", elem_id="download-zip")

        view = [session, marked, result, swatches, status, png, hints, compare]
        clip_view = [clip, clip_status, clip_preview, clip_download]

        def opened(state, path, kind_, saturation_):
            out = _outputs(handlers.open_picture(models, folder, state, path, kind_, saturation_))
            return (*out, _editor(out), None)  # the drop zone empties, ready for the next file

        def framed(state, clip_, number_, kind_, saturation_):
            out = _outputs(clips.open_frame(models, folder, state, clip_, number_, kind_, saturation_))
            return (*out, _editor(out))

        # Gradio finds the progress bar by a `gr.Progress()` default, so the call must be there.
        def colored(clip_, kind_, saturation_, reference_, progress=gr.Progress()):  # noqa: B008
            def report(fraction, what):
                progress(fraction, desc=what)
            return _clip_outputs(clips.color(models, clip_, kind_, saturation_, reference_, report))

        def batched(old, paths, kind_, saturation_, progress=gr.Progress()):  # noqa: B008
            view_ = batch.color_all(models, folder, old, paths, kind_, saturation_,
                                    lambda fraction, what: progress(fraction, desc=what))
            return (*(gr.skip() if part is handlers.KEEP else part for part in view_), None)

        def clicked(state, color_, event: gr.SelectData):
            x, y = event.index
            return _outputs(handlers.add_point(state, x, y, color_))

        def painted(state, value):
            layers = (value or {}).get("layers") or []
            return _outputs(handlers.scribble(state, layers[0] if layers else None))

        upload.upload(opened, [session, upload, kind, saturation], [*view, canvas, upload])
        def changed(state, kind_, saturation_):
            return _outputs(handlers.settings(models, state, kind_, saturation_))

        kind.input(changed, [session, kind, saturation], view)
        saturation.release(changed, [session, kind, saturation], view)
        marked.select(clicked, [session, color], view)
        undo.click(lambda s: _outputs(handlers.undo(s)), [session], view)
        clear.click(lambda s: _outputs(handlers.clear(s)), [session], view)
        load.upload(lambda s, p: _outputs(handlers.load_hints(s, p)), [session, load], view)
        canvas.change(painted, [session, canvas], view, trigger_mode="always_last")
        reference.upload(lambda s, p: _outputs(handlers.reference(s, p)), [session, reference], view)
        reference.clear(lambda s: _outputs(handlers.reference(s, None)), [session], view)
        clip_upload.upload(lambda c, p: (*_clip_outputs(clips.open_clip(folder, c, p)), None),
                           [clip, clip_upload], [*clip_view, clip_upload])
        show_frame.click(framed, [session, clip, number, kind, saturation], [*view, canvas])
        keep.click(lambda c, s: _clip_outputs(clips.keep_keyframe(c, s)), [clip, session], clip_view)
        key_upload.upload(lambda c, n, p: _clip_outputs(clips.upload_keyframe(c, n, p)),
                          [clip, number, key_upload], clip_view)
        forget.click(lambda c: _clip_outputs(clips.clear_keyframes(c)), [clip], clip_view)
        color_clip.click(colored, [clip, kind, saturation, reference], clip_view)
        batch_upload.upload(batched, [batch_folder, batch_upload, kind, saturation],
                            [batch_folder, batch_status, gallery, batch_zip, batch_upload])
    return demo
