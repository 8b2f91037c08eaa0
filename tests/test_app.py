"""The web app without a browser: upload checks, sessions kept apart, hints JSON round trip, handlers."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from colorhelpers.app import clips, handlers, uploads
from colorhelpers.app.session import Session
from colorhelpers.hints.points import HintsError, read_hints

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "docs" / "sample-gray.png"


@pytest.fixture(scope="module")
def models():
    from colorhelpers.lineart.kind import Models

    return Models()


def test_a_text_file_named_png_is_refused_by_its_content(tmp_path):
    fake = tmp_path / "notes.png"
    fake.write_text("not a picture\n")
    with pytest.raises(uploads.UploadError, match=r"notes\.png: not a picture"):
        uploads.check_picture(fake)


def test_an_empty_file_and_a_video_named_png_are_refused(tmp_path):
    (tmp_path / "empty.png").write_bytes(b"")
    with pytest.raises(uploads.UploadError, match="empty"):
        uploads.check_picture(tmp_path / "empty.png")
    (tmp_path / "clip.png").write_bytes(b"\x00\x00\x00\x18ftypmp42" + bytes(64))
    with pytest.raises(uploads.UploadError, match="a video"):
        uploads.check_picture(tmp_path / "clip.png")


def test_limits_on_bytes_pixels_and_frames(tmp_path):
    still = tmp_path / "big.png"
    Image.fromarray(np.full((64, 80, 3), 128, np.uint8)).save(still)
    with pytest.raises(uploads.UploadError, match="MB is more than the app takes"):
        uploads.check_picture(still, max_bytes=10)
    with pytest.raises(uploads.UploadError, match="5,120 pixels, more than the app takes"):
        uploads.check_picture(still, max_pixels=5000)
    frames = [Image.fromarray(np.full((16, 16, 3), 40 * i, np.uint8)) for i in range(4)]
    gif = tmp_path / "anim.gif"
    frames[0].save(gif, save_all=True, append_images=frames[1:])
    with pytest.raises(uploads.UploadError, match="4 frames, more than the app takes"):
        uploads.check_picture(gif, max_frames=3)
    with pytest.raises(uploads.UploadError, match="animated GIF"):
        uploads.check_picture(gif)


def test_a_good_picture_passes_whatever_its_name(tmp_path):
    renamed = tmp_path / "picture.txt"
    renamed.write_bytes(SAMPLE.read_bytes())
    picture = uploads.check_picture(renamed, "mine.txt")
    assert picture.name == "mine.txt" and picture.rgb.shape == (128, 128, 3) and picture.rgb.dtype == np.uint8


def test_hints_files_are_checked_like_hints(tmp_path):
    bad = tmp_path / "hints.json"
    bad.write_text(json.dumps([{"x": 500, "y": 1, "color": "#ffffff"}]))
    with pytest.raises(HintsError, match="outside the 128x128 image"):
        uploads.check_hints(bad, 128, 128)
    bad.write_text("[" * 100)
    with pytest.raises(HintsError, match="not JSON"):
        uploads.check_hints(bad, 128, 128)


def test_hints_json_round_trip_and_two_sessions_apart(models, tmp_path):
    rgb = uploads.check_picture(SAMPLE).rgb
    one = Session.open(models, "a.png", rgb, "gray", 1.0, tmp_path)
    two = Session.open(models, "b.png", rgb, "gray", 1.0, tmp_path)
    automatic = one.result()
    one.add_point(64, 100, "#3A6FD0")
    one.add_point(500, 500, "#000000")  # outside the picture: ignored
    assert two.points == [] and len(one.points) == 1
    hinted = one.result()
    assert not np.array_equal(hinted, automatic)
    np.testing.assert_array_equal(two.result(), automatic)  # the other tab is untouched

    png, hints_file = one.write_downloads(hinted)
    assert png.parent == hints_file.parent == one.folder and one.folder.parent == tmp_path
    read = read_hints(hints_file, 128, 128)  # as `colorize --hints` reads it
    assert read.to_points() == [{"x": 64, "y": 100, "color": "#3a6fd0"}]
    two.set_points(uploads.check_hints(hints_file, *two.size))  # loaded into another tab
    np.testing.assert_array_equal(two.result(), hinted)
    np.testing.assert_array_equal(np.asarray(Image.open(png)), hinted)

    one.close()
    assert not one.folder.exists()


def test_handlers_refuse_in_one_line_and_keep_the_session(models, tmp_path):
    view = handlers.open_picture(models, tmp_path, None, str(SAMPLE), "auto", 1.0)
    assert "colored as a gray picture (detected:" in view.status
    fake = tmp_path / "fake.png"
    fake.write_text("hello")
    refused = handlers.open_picture(models, tmp_path, view.session, str(fake), "auto", 1.0)
    assert refused.session is handlers.KEEP and handlers.ERROR_CLASS in refused.status
    assert "fake.png: not a picture" in refused.status and "Traceback" not in refused.status
    assert view.session.folder.exists()  # the open picture stays
    hinted = handlers.add_point(view.session, 10, 10, "#d04a3a")
    assert "#d04a3a at (10, 10)" in hinted.swatches
    assert handlers.undo(view.session).swatches == handlers.swatches([])
    assert handlers.ERROR_CLASS in handlers.undo(None).status  # nothing open yet: a message


def tiny_gif(path: Path, frames: int = 6) -> Path:
    """A gray clip panning across the sample: `frames` frames of 48x64, 80 ms each."""
    gray = np.asarray(Image.open(SAMPLE).convert("RGB"))
    images = [Image.fromarray(gray[56:120, 30 + 2 * i:78 + 2 * i]) for i in range(frames)]
    images[0].save(path, save_all=True, append_images=images[1:], duration=80, loop=0)
    return path


def read_clip(path: str | Path) -> list[np.ndarray]:
    from colorhelpers.colorize.media import probe, read_frames

    return [rgb.astype(np.int16) for rgb, _ in read_frames(probe(Path(path)))]


def test_a_clip_is_colored_with_progress_in_its_own_format(models, tmp_path):
    view = clips.open_clip(tmp_path, None, str(tiny_gif(tmp_path / "walk.gif")))
    assert "6 frames" in view.status and handlers.ERROR_CLASS not in view.status
    heard = []
    done = clips.color(models, view.clip, "gray", 1.0, None, lambda f, what: heard.append(f))
    assert handlers.ERROR_CLASS not in done.status and done.result.endswith("walk.gif")
    frames = read_clip(done.result)
    assert len(frames) == 6 and frames[0].shape == (64, 48, 3)
    assert (frames[0].max(-1) - frames[0].min(-1)).mean() > 3, "the colored clip is still gray"
    assert heard and heard[-1] == pytest.approx(1.0) and heard == sorted(heard)


def test_a_keyframe_colored_in_the_app_colors_its_frame_as_the_command_line_does(models, tmp_path):
    from colorhelpers.cli import main

    clip = clips.open_clip(tmp_path, None, str(tiny_gif(tmp_path / "walk.gif"))).clip
    automatic = read_clip(clips.color(models, clip, "gray", 1.0, None).result)
    frame = clips.open_frame(models, tmp_path, None, clip, 3, "gray", 1.0)
    assert frame.session.frame == 3 and frame.session.size == (48, 64)
    frame.session.add_point(28, 44, "#3a6fd0")  # a blue on the clothes (the sample's (64, 100))
    kept = clips.keep_keyframe(clip, frame.session)
    assert "Frame 3 is a keyframe" in kept.status and list(clip.keyframes) == [3]
    keyed = read_clip(clips.color(models, clip, "gray", 1.0, None).result)
    blue = [float((f[38:50, 22:34, 2] - f[38:50, 22:34, 0]).mean()) for f in (automatic[3], keyed[3])]
    assert blue[1] > blue[0] + 10, f"the keyframe left frame 3 as it was (blue - red {blue})"

    key = tmp_path / "3.png"
    Image.fromarray(clip.keyframes[3]).save(key)
    status = main(["colorize", "--input", str(clip.path), "--output", str(tmp_path / "cli"),
                   "--keyframe", f"3:{key}"])
    assert status == 0
    for ours, theirs in zip(keyed, read_clip(tmp_path / "cli" / "walk.gif"), strict=True):
        np.testing.assert_array_equal(ours, theirs)


def test_clips_are_checked_by_content_and_limits(models, tmp_path):
    fake = tmp_path / "walk.gif"
    fake.write_text("a text file renamed .gif\n")
    view = clips.open_clip(tmp_path, None, str(fake))
    assert view.clip is handlers.KEEP and handlers.ERROR_CLASS in view.status
    assert "walk.gif: not a clip" in view.status and "Traceback" not in view.status
    gif = tiny_gif(tmp_path / "long.gif", frames=5)
    copies = tmp_path / "copies"
    copies.mkdir()
    with pytest.raises(uploads.UploadError, match="5 frames, more than the app takes"):
        uploads.check_clip(gif, copies, max_frames=4)
    with pytest.raises(uploads.UploadError, match="3,072 pixels, more than the app takes"):
        uploads.check_clip(gif, copies, max_pixels=1000)
    assert not any(copies.iterdir()), "a refused clip's copy is removed"
    Image.open(SAMPLE).save(tmp_path / "still.gif")
    with pytest.raises(uploads.UploadError, match="still.gif: a still GIF"):
        uploads.check_clip(tmp_path / "still.gif", copies)
    clip = clips.open_clip(tmp_path, None, str(gif)).clip
    small = tmp_path / "small.png"
    Image.fromarray(np.zeros((10, 10, 3), np.uint8)).save(small)
    refused = clips.upload_keyframe(clip, 2, str(small))
    assert "the keyframe is 10x10" in refused.status and not clip.keyframes
    assert handlers.ERROR_CLASS in clips.open_frame(models, tmp_path, None, clip, 9, "gray", 1.0).status


def test_several_pictures_are_colored_and_zipped(models, tmp_path):
    import zipfile

    from colorhelpers.app import batch

    fake = tmp_path / "notes.png"
    fake.write_text("not a picture")
    other = tmp_path / "other.png"
    Image.open(SAMPLE).transpose(Image.Transpose.FLIP_LEFT_RIGHT).save(other)
    view = batch.color_all(models, tmp_path, None, [str(SAMPLE), str(fake), str(other)], "auto", 1.0)
    assert "Colored 2 of 3" in view.status and "notes.png: not a picture" in view.status
    with zipfile.ZipFile(view.zip) as zipped:
        assert sorted(zipped.namelist()) == ["other.png", "sample-gray.png"]
    colored = np.asarray(Image.open(view.results[0]).convert("RGB"), np.int16)
    assert colored.shape == (128, 128, 3) and (colored.max(-1) - colored.min(-1)).mean() > 3
    again = batch.color_all(models, tmp_path, view.folder, [str(SAMPLE)], "auto", 1.0)
    assert not view.folder.exists() and again.folder.exists()  # the next drop replaces the last


def test_an_mp4_comes_back_as_an_mp4_of_as_many_frames(models, tmp_path):
    import cv2

    gray = np.asarray(Image.open(SAMPLE).convert("RGB"))
    video = tmp_path / "upload"  # the name Gradio gives says nothing: the content decides
    writer = cv2.VideoWriter(str(tmp_path / "walk.mp4"), cv2.VideoWriter_fourcc(*"mp4v"), 12.0, (48, 64))
    for i in range(10):
        writer.write(np.ascontiguousarray(gray[56:120, 30 + 2 * i:78 + 2 * i, ::-1]))
    writer.release()
    (tmp_path / "walk.mp4").rename(video)
    clip = clips.open_clip(tmp_path, None, str(video)).clip
    assert clip.path.suffix == ".mp4" and clip.frames == 10
    done = clips.color(models, clip, "auto", 1.0, None, lambda *_: None)
    assert done.result.endswith(".mp4") and len(read_clip(done.result)) == 10
    assert read_clip(done.result)[0].shape == (64, 48, 3)


def test_a_reference_guides_a_clip_and_is_refused_with_keyframes(models, tmp_path):
    clip = clips.open_clip(tmp_path, None, str(tiny_gif(tmp_path / "walk.gif"))).clip
    automatic = read_clip(clips.color(models, clip, "gray", 1.0, None, lambda *_: None).result)
    red = tmp_path / "red.png"
    Image.fromarray(np.tile(np.array([200, 40, 40], np.uint8), (64, 48, 1))).save(red)
    guided = read_clip(clips.color(models, clip, "gray", 1.0, str(red), lambda *_: None).result)
    redness = [float((f[..., 0] - f[..., 2]).mean()) for f in (automatic[0], guided[0])]
    assert redness[1] > redness[0] + 5, f"the red reference changed nothing (red - blue {redness})"
    clip.set_keyframe(0, automatic[0].astype(np.uint8), "frame 0")
    refused = clips.color(models, clip, "gray", 1.0, str(red))
    assert handlers.ERROR_CLASS in refused.status and "give the reference as a keyframe" in refused.status
