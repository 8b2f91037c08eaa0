"""Line-art colorization with hints, on hintauc's public Hint-AUC protocol: colorgan against G'MIC.

Part of bench/ (see bench/README.md). It measures how close to the color original five answers
come when each is given the same line drawing and the same hints, at every hint ratio of the
protocol of hintauc (PyPI, MIT; Madono et al., "Hint-AUC"):

    colorgan-lineart   python -m colorhelpers colorize --kind lineart --hints HINTS (in-process)
    colorgan-gray      the same with --kind gray (today's mode: keeps the input's lightness)
    gmic-smart         G'MIC fx_colorize_lineart_smart, mode 1 (extrapolate color spots)
    gmic-recolorize    G'MIC fx_recolorize (edge-directed extrapolation of color spots)
    white              the line art itself as RGB (an all-white fill)

Per hint ratio (hintauc.DEFAULT_ALPHAS: 0, 1, 3, 5, 10, 25, 50, 100 %) it prints the mean PSNR and
the mean CIEDE2000 per image (skimage.color.deltaE_ciede2000 on CIELab) at the image's own size,
and the Hint-AUC over the ratios (hintauc.hint_auc of those means), with hintauc's own
Evaluator scores (PSNR, SSIM, CIEDE2000 at 256 x 256, hintauc.evaluate_hint_curve) alongside.

Hints: hintauc.generate_hints on the ground truth (Felzenszwalb regions, longest-path scribbles
at 64 x 64, FilFinder as in the paper unless --path-method geodesic), the largest
int(n_regions * ratio) regions kept (hintauc.hint_inputs, stable tie-break), upsampled to the
image's size with nearest neighbour. They are written once as RGBA PNGs (hint color, opaque where
the mask is set) and every method reads those files; a ratio without hint pixels writes none,
and the G'MIC filters then return the line art.

Line art: NOT one of colorgan's training styles (colorhelpers/data/lines.py: XDoG, thresholded
Sobel, thickened or thinned, pencil). It is the Canny edge map of the color image (OpenCV,
gradients of the R, G and B channels, hysteresis 40/100, L2 norm, after a Gaussian blur of
sigma 0.8 px, scaled with the square root of side / 256 above 256 px), drawn as 1 px black lines
on white up to 256 px and 2 px above, at the image's own size (or, with --size, 256 or 512 px).

hintauc needs fil_finder and astropy<6, which pin numpy<2 and pull opencv-python; they clash
with the project venv (numpy 2, opencv-python-headless), so hintauc lives in its own venv,
bench/.venv-hintauc (`make bench-lineart` creates it), and this script calls it by subprocess
(`bench/.venv-hintauc/bin/python bench/lineart.py _worker hints|score REQUEST RESULT`) for hint
generation and the Hint-AUC; everything else runs in the project venv.

Speed: seconds to color one 512 px line drawing with 10 % hints, colorgan's CLI called
in-process after a warm-up, next to G'MIC's fx_colorize_lineart_smart on the same image and
hints, as a ratio. Both are timed per image as the extra time a call takes for K more images
(so neither model loading nor G'MIC's start-up counts), and as one whole call for one image.

    .venv/bin/python -m bench.lineart --limit 3                       # quick look
    .venv/bin/python -m bench.lineart --methods white gmic-smart gmic-recolorize
    .venv/bin/python -m bench.lineart --json runs/lineart.json --markdown --figure docs/lineart.png
    .venv/bin/python -m bench.lineart --markdown-from docs/results-lineart.json --figure docs/lineart.png
    .venv/bin/python -m bench.lineart --size 512 --limit 5            # the quality figures at 512 px
    make bench-lineart                                                # venv, test folder, both folders

--markdown PAGE also writes the figures beside the page, as results-lineart.json: each table of the
page sits under a `<!-- table: results-lineart.json NAME -->` line, and `python -m bench.pages`
computes the tables from that file (bench/tables.py builds them, for both) and checks the page.
--markdown-from JSON measures nothing and writes the page (docs/results-lineart.md unless
--markdown says otherwise) from a --json output.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

DEFAULT_FOLDERS = ("data/anime/heldout", "data/testsets/anime-faces")
METHODS = ("colorgan-lineart", "colorgan-gray", "gmic-smart", "gmic-recolorize", "white")
GMIC_METHODS = ("gmic-smart", "gmic-recolorize")
COLORGAN_METHODS = ("colorgan-lineart", "colorgan-gray")
HINTAUC_PYTHON = Path("bench/.venv-hintauc/bin/python")
DEFAULT_WORK = Path("/tmp/colorgan-bench-lineart")
DEFAULT_MARKDOWN = Path("docs/results-lineart.md")
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp")

LINE_ART = ("Canny edges of the color image (OpenCV; R, G, B gradients, hysteresis 40/100, L2 norm, "
            "Gaussian blur sigma 0.8 px x sqrt(side/256) above 256 px), 1 px black lines on white "
            "(2 px above 256 px): colorhelpers.data.lines.unseen_line_art, not one of its training styles")

#: G'MIC 2.9's GUI defaults, with mode 1 "Extrapolate Color Spots on Transparent Top Layer":
#: mode, contour detection %, discard contour guides, output region delimiters, hue by region
#: size, max saturation, min intensity (these two for random colors only), color shading %,
#: end point rate %, end point connectivity, spline max length, segment max length, spline max
#: angle, spline roundness, minimal region area, allow self intersections, preview type.
SMART_ARGS = "1,95,0,0,1,24,200,0,75,2,60,20,90,1,10,1,0"
#: Smoothness, anisotropy, output mode 0 (merge the gray layer's brightness with the colors).
RECOLORIZE_ARGS = "2,0.2,0"
GMIC_FILTERS = {"gmic-smart": f"fx_colorize_lineart_smart {SMART_ARGS}",
                "gmic-recolorize": f"fx_recolorize {RECOLORIZE_ARGS}"}

#: The goals these figures were measured against.
TARGET_WHITE_SHARE = 0.5  # colorgan-lineart's CIEDE2000 at 10 % hints, at most this share of white's
TARGET_RATIO = 0.10
TARGET_SECONDS = 1.0  # to color one 512 px line drawing with hints
SPEED_SIDE = 512


# ====================================================================== hintauc venv side
# These functions run in bench/.venv-hintauc (numpy<2, astropy<6, fil_finder, opencv-python);
# they import nothing of the project.


def _sha256(path: str) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def worker_hints(request: dict[str, Any]) -> dict[str, Any]:
    """Hints of every truth at every ratio of the protocol, as RGBA PNGs `<out>/<ratio>/<stem>.png`.

    Cached: an image whose truth, settings and files are unchanged since the last run keeps its
    hints (FilFinder breaks ties at random, so regenerating would not give the same pixels)."""
    import warnings

    import cv2
    import hintauc
    import numpy as np

    out = Path(request["out"])
    alphas = list(hintauc.DEFAULT_ALPHAS)
    dirs = {hintauc.alpha_dir_name(a): a for a in alphas}
    settings = {key: request[key] for key in ("size", "path_method", "dot_method", "hint_type", "tie_break")}
    settings["hintauc"] = hintauc.__version__
    regions: dict[str, int] = {}
    failed: dict[str, int] = {}
    pixels: dict[str, dict[str, int]] = {d: {} for d in dirs}
    for item in request["items"]:
        name, truth = item["name"], item["truth"]
        stem = Path(name).stem
        meta_path = out / "meta" / f"{stem}.json"
        digest = _sha256(truth)
        meta = json.loads(meta_path.read_text()) if meta_path.exists() else None
        cached = (meta is not None and meta["sha256"] == digest and meta["settings"] == settings
                  and all((out / d / f"{stem}.png").exists() for d, n in meta["pixels"].items() if n))
        if not cached:
            gt = cv2.imread(truth, cv2.IMREAD_COLOR)
            h, w = gt.shape[:2]
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                hints = hintauc.generate_hints(gt, size=settings["size"], path_method=settings["path_method"],
                                               dot_method=settings["dot_method"])
            meta = {"sha256": digest, "settings": settings, "regions": hints.n_regions(),
                    "failed": hints.failed_regions, "pixels": {}}
            for d, a in dirs.items():
                color, mask = hintauc.hint_inputs(hints, a, settings["hint_type"], h, w,
                                                  tie_break=settings["tie_break"])
                target = out / d / f"{stem}.png"
                target.unlink(missing_ok=True)
                count = int((mask > 0).sum())
                meta["pixels"][d] = count
                if count:
                    rgba = np.dstack([color[:, :, ::-1], np.where(mask > 0, 255, 0).astype(np.uint8)])
                    hintauc.write_image(str(target), cv2.cvtColor(rgba, cv2.COLOR_RGBA2BGRA))
            meta_path.parent.mkdir(parents=True, exist_ok=True)
            meta_path.write_text(json.dumps(meta, indent=1))
        regions[name], failed[name] = meta["regions"], meta["failed"]
        for d in dirs:
            pixels[d][name] = meta["pixels"][d]
    record = hintauc.protocol_record(hintauc.Evaluator(metrics=("psnr",)), alphas, settings["hint_type"],
                                     settings["size"], settings["path_method"], settings["dot_method"],
                                     tie_break=settings["tie_break"])
    return {"alphas": alphas, "dirs": dirs, "regions": regions, "failed": failed, "pixels": pixels,
            "protocol": record}


def worker_score(request: dict[str, Any]) -> dict[str, Any]:
    """hintauc's Evaluator per ratio and Hint-AUC of every method's prediction folders, and
    hintauc.hint_auc of the per-ratio means computed at the image's size (`native`)."""
    import warnings

    import hintauc

    evaluator = hintauc.Evaluator(metrics=tuple(request["metrics"]))
    result: dict[str, Any] = {"per_alpha": {}, "hint_auc": {}, "native_auc": {}}
    for method, folders in request["methods"].items():
        preds = {float(a): d for a, d in folders.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # scikit-image's SSIM without torchmetrics
            curve = hintauc.evaluate_hint_curve(preds, request["truth"], evaluator=evaluator, pairing="name",
                                                full_range=True)
        result["per_alpha"][method] = {hintauc.alpha_dir_name(a): v for a, v in curve["per_alpha"].items()}
        result["hint_auc"][method] = curve["hint_auc"]
    for method, metrics in request["native"].items():
        result["native_auc"][method] = {m: hintauc.hint_auc({float(a): v for a, v in by_alpha.items()})
                                        for m, by_alpha in metrics.items()}
    result["protocol"] = hintauc.protocol_record(evaluator, hintauc.DEFAULT_ALPHAS)
    return result


def worker(argv: list[str]) -> int:
    kind, request, result = argv
    payload = json.loads(Path(request).read_text())
    answer = {"hints": worker_hints, "score": worker_score}[kind](payload)
    Path(result).write_text(json.dumps(answer, indent=1))
    return 0


def call_hintauc(python: Path, kind: str, request: dict[str, Any], work: Path) -> dict[str, Any]:
    """Run one worker step in the hintauc venv; returns its answer."""
    work.mkdir(parents=True, exist_ok=True)
    request_path, result_path = work / f"{kind}-request.json", work / f"{kind}-result.json"
    request_path.write_text(json.dumps(request, indent=1))
    result_path.unlink(missing_ok=True)
    command = [str(python), str(Path(__file__).resolve()), "_worker", kind,
               str(request_path), str(result_path)]
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode != 0 or not result_path.exists():
        raise RuntimeError(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-3000:]}")
    return json.loads(result_path.read_text())


# ====================================================================== project venv side


def load_rgb(path: Path, side: int | None = None):
    import numpy as np
    from PIL import Image

    with Image.open(path) as image:
        image = image.convert("RGB")
        if side is not None and image.size != (side, side):
            image = image.resize((side, side), Image.LANCZOS)
        return np.asarray(image)


def save_png(path: Path, array) -> None:
    from PIL import Image

    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(array).save(path)


def line_art(rgb):
    """Canny line art of a uint8 RGB image: uint8 gray, 0 on the lines, 255 elsewhere (see LINE_ART)."""
    from colorhelpers.data.lines import unseen_line_art

    return unseen_line_art(rgb)[..., 0]


def scores(pred, truth) -> dict[str, float]:
    """PSNR (dB, RGB, peak 255) and mean CIEDE2000 of one uint8 RGB prediction."""
    import numpy as np
    from skimage.color import deltaE_ciede2000, rgb2lab

    mse = float(np.mean((pred.astype(np.float64) - truth.astype(np.float64)) ** 2))
    psnr = 10.0 * np.log10(255.0 ** 2 / max(mse, 1e-10))
    delta = deltaE_ciede2000(rgb2lab(pred / 255.0), rgb2lab(truth / 255.0))
    return {"psnr": float(psnr), "ciede2000": float(np.mean(delta))}


def slug(folder: str, side: int | None) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "_", folder.strip("/")) + (f"@{side}" if side else "@own")


def images_of(folder: Path, limit: int | None) -> list[Path]:
    paths = sorted(p for p in folder.iterdir() if p.suffix.lower() in IMAGE_SUFFIXES)
    return paths[:limit] if limit else paths


# ---------------------------------------------------------------------------- colorgan


def colorgan_kinds() -> tuple[bool, set[str]]:
    """Whether `colorize` has --kind, and its choices (from `colorize --help`)."""
    done = subprocess.run([sys.executable, "-m", "colorhelpers", "colorize", "--help"],
                          capture_output=True, text=True)
    text = re.sub(r"\s+", " ", done.stdout)
    if "--kind" not in text:
        return False, set()
    choices = re.search(r"--kind \{([^}]*)\}", text)
    if choices:
        return True, set(choices.group(1).split(","))
    return True, {"lineart"} if "lineart" in text else set()


def colorgan(lines: Path, hints: Path | None, out: Path, kind: str | None, run: Path | None,
             extra: tuple[str, ...] = ()) -> None:
    """One `python -m colorhelpers colorize` call, in this process (TensorFlow loads once).

    `extra` holds further options as typed (`("--keyframe", "0:first.png")`).
    """
    from colorhelpers.cli import main as colorgan_main

    argv = ["colorize", "--input", str(lines), "--output", str(out), *extra]
    if hints is not None:
        argv += ["--hints", str(hints)]
    if kind is not None:
        argv += ["--kind", kind]
    if run is not None:
        argv += ["--run", str(run)]
    errors = io.StringIO()
    with contextlib.redirect_stdout(sys.stderr), contextlib.redirect_stderr(errors):
        status = colorgan_main(argv)
    if status != 0:
        message = errors.getvalue().strip().splitlines() or ["(no message)"]
        print(f"note: colorize {' '.join(argv[1:])} exited with {status}", file=sys.stderr)
        raise RuntimeError(f"colorize --kind {kind or '(none)'} exited with {status}: {message[-1][:400]}")


# ------------------------------------------------------------------------------- G'MIC


def gmic_batch(method: str, jobs: list[tuple[Path, Path, Path]]) -> None:
    """Run one G'MIC filter on (spots RGBA, line art, output) triples in one `gmic` process.

    The spots layer comes first (G'MIC's top layer), the line art second; fx_colorize_lineart_smart
    leaves [spots, line art, colors] and fx_recolorize one merged image: the last image is written."""
    if not jobs:
        return
    command = ["gmic", "v", "-"]
    for spots, lines, out in jobs:
        out.parent.mkdir(parents=True, exist_ok=True)
        command += ["i", str(spots), "i", str(lines), *GMIC_FILTERS[method].split(" "),
                    "c.", "0,255", "round.", "o.", str(out), "rm"]
    done = subprocess.run(command, capture_output=True, text=True)
    missing = [str(out) for _, _, out in jobs if not out.exists()]
    if done.returncode != 0 or missing:
        raise RuntimeError(f"gmic {GMIC_FILTERS[method]} failed ({done.returncode}; missing "
                           f"{missing[:2]}):\n{done.stderr[-1500:]}")


def gmic_result(method: str, raw: Path, lines):
    """The filter's output as the picture a user sees: fx_colorize_lineart_smart's color layer
    over white, multiplied by the line art (its layer mode); fx_recolorize's image as it is."""
    import numpy as np
    from PIL import Image

    with Image.open(raw) as image:
        array = np.asarray(image.convert("RGBA")).astype(np.float64)
    if method == "gmic-recolorize":
        return array[..., :3].round().astype(np.uint8)
    alpha = array[..., 3:] / 255.0
    colors = array[..., :3] * alpha + 255.0 * (1.0 - alpha)
    return (colors * (lines[..., None] / 255.0)).round().clip(0, 255).astype(np.uint8)


# ------------------------------------------------------------------------------ folders


def prepare(folder: Path, side: int | None, limit: int | None, root: Path) -> list[str]:
    """Write each truth (resized with --size) and its line art into `root`; returns the names."""
    names = []
    for path in images_of(folder, limit):
        truth = load_rgb(path, side)
        name = f"{path.stem}.png"
        save_png(root / "truth" / name, truth)
        save_png(root / "lineart" / name, line_art(truth))
        names.append(name)
    return names


def run_method(method: str, root: Path, names: list[str], dirs: dict[str, float], options: argparse.Namespace,
               kind_flag: bool) -> None:
    """Write `root/pred/<method>/<ratio>/<name>` for every ratio."""
    import numpy as np
    from PIL import Image

    pred = root / "pred" / method
    shutil.rmtree(pred, ignore_errors=True)
    if method == "white":
        for d in dirs:
            for name in names:
                lines = np.asarray(Image.open(root / "lineart" / name).convert("L"))
                save_png(pred / d / name, np.repeat(lines[..., None], 3, axis=-1))
        return
    if method in COLORGAN_METHODS:
        kind = "lineart" if method == "colorgan-lineart" else ("gray" if kind_flag else None)
        run = options.lineart_run if method == "colorgan-lineart" else options.run
        for d in dirs:
            hints = root / "hints" / d
            hints.mkdir(parents=True, exist_ok=True)
            colorgan(root / "lineart", hints, pred / d, kind, run)
        return
    for d in dirs:  # G'MIC
        jobs, plain = [], []
        for name in names:
            spots = root / "hints" / d / name
            (jobs if spots.exists() else plain).append(name)
        gmic_batch(method, [(root / "hints" / d / n, root / "lineart" / n, root / "raw" / method / d / n)
                            for n in jobs])
        for name in names:
            lines = np.asarray(Image.open(root / "lineart" / name).convert("L"))
            if name in plain:  # no hint at this ratio: the filters need color spots
                result = np.repeat(lines[..., None], 3, axis=-1)
            else:
                result = gmic_result(method, root / "raw" / method / d / name, lines)
            save_png(pred / d / name, result)


def score_method(root: Path, method: str, names: list[str], dirs: dict[str, float]) -> dict[str, dict]:
    """Mean PSNR and CIEDE2000 per ratio at the image's size."""
    import numpy as np
    from PIL import Image

    out = {}
    for d in dirs:
        rows = []
        for name in names:
            truth = np.asarray(Image.open(root / "truth" / name).convert("RGB"))
            pred = np.asarray(Image.open(root / "pred" / method / d / name).convert("RGB"))
            if pred.shape != truth.shape:
                raise RuntimeError(f"{method} {d} {name}: {pred.shape} for a truth of {truth.shape}")
            rows.append(scores(pred, truth))
        out[d] = {key: float(statistics.fmean(r[key] for r in rows)) for key in ("psnr", "ciede2000")}
    return out


def run_folder(folder: str, methods: list[str], options: argparse.Namespace, kind_flag: bool,
               skipped: dict[str, str]) -> dict[str, Any] | None:
    root = options.work / slug(folder, options.size)
    for part in ("truth", "lineart"):
        shutil.rmtree(root / part, ignore_errors=True)
    names = prepare(Path(folder), options.size, options.limit, root)
    if not names:
        print(f"note: no images in {folder}; skipped", file=sys.stderr)
        return None
    start = time.time()
    request = {"items": [{"name": n, "truth": str((root / "truth" / n).resolve())} for n in names],
               "out": str((root / "hints").resolve()), "size": 64, "path_method": options.path_method,
               "dot_method": "medoid", "hint_type": options.hint_type, "tie_break": "stable"}
    hinted = call_hintauc(options.hintauc_python, "hints", request, root)
    dirs: dict[str, float] = hinted["dirs"]
    print(f"{folder}: hints for {len(names)} images in {time.time() - start:.0f} s "
          f"({statistics.fmean(hinted['regions'].values()):.0f} regions on average)", file=sys.stderr)
    entry: dict[str, Any] = {"folder": folder, "images": len(names), "names": names,
                             "side": options.size or "own", "regions": hinted["regions"],
                             "failed_regions": hinted["failed"], "per_ratio": {}, "seconds": {}}
    size_of = {n: load_rgb(root / "truth" / n).shape[:2] for n in names}
    entry["hint_share"] = {d: statistics.fmean(hinted["pixels"][d][n] / (size_of[n][0] * size_of[n][1])
                                               for n in names) for d in dirs}
    done = []
    for method in methods:
        if method in skipped:
            continue
        start = time.time()
        try:
            run_method(method, root, names, dirs, options, kind_flag)
        except RuntimeError as err:
            skipped[method] = str(err).splitlines()[0][:400]
            print(f"note: {method} failed on {folder}; skipped from now on: {err}", file=sys.stderr)
            continue
        entry["per_ratio"][method] = score_method(root, method, names, dirs)
        entry["seconds"][method] = round(time.time() - start, 1)
        done.append(method)
        print(f"{folder}: {method} in {entry['seconds'][method]:.0f} s", file=sys.stderr)
    if done:
        native = {m: {k: {d: entry["per_ratio"][m][d][k] for d in dirs} for k in ("psnr", "ciede2000")}
                  for m in done}
        request = {"truth": str((root / "truth").resolve()), "metrics": ["psnr", "ssim", "deltae"],
                   "methods": {m: {str(a): str((root / "pred" / m / d).resolve()) for d, a in dirs.items()}
                               for m in done},
                   "native": native}
        scored = call_hintauc(options.hintauc_python, "score", request, root)
        entry["hint_auc"] = scored["native_auc"]
        entry["hintauc_evaluator"] = {"per_ratio": scored["per_alpha"], "hint_auc": scored["hint_auc"]}
        entry["evaluator_protocol"] = scored["protocol"]
    entry["protocol"] = hinted["protocol"]
    entry["dirs"] = dirs
    entry["root"] = str(root)
    return entry


# -------------------------------------------------------------------------------- speed


def timed(call, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def speed(folder: str, methods: list[str], options: argparse.Namespace, kind_flag: bool) -> dict[str, Any]:
    """Seconds to color one 512 px line drawing with 10 % hints, per method (see the docstring)."""
    root = options.work / "speed"
    shutil.rmtree(root / "one", ignore_errors=True)
    shutil.rmtree(root / "many", ignore_errors=True)
    source = images_of(Path(folder), 1)[0]
    truth = load_rgb(source, SPEED_SIDE)
    name = f"{source.stem}.png"
    save_png(root / "truth" / name, truth)
    lines = line_art(truth)
    request = {"items": [{"name": name, "truth": str((root / "truth" / name).resolve())}],
               "out": str((root / "hints").resolve()), "size": 64, "path_method": options.path_method,
               "dot_method": "medoid", "hint_type": options.hint_type, "tie_break": "stable"}
    hinted = call_hintauc(options.hintauc_python, "hints", request, root)
    ratio_dir = next(d for d, a in hinted["dirs"].items() if abs(a - TARGET_RATIO) < 1e-9)
    hints = root / "hints" / ratio_dir / name
    k = options.speed_images
    for part, count in (("one", 1), ("many", 1 + k)):
        (root / part / "hints").mkdir(parents=True, exist_ok=True)
        for i in range(count):
            stem = f"{source.stem}_{i}"
            save_png(root / part / "lineart" / f"{stem}.png", lines)
            if hints.exists():
                shutil.copyfile(hints, root / part / "hints" / f"{stem}.png")
    result: dict[str, Any] = {"image": str(source), "side": SPEED_SIDE, "ratio": TARGET_RATIO,
                              "hint_pixels": hinted["pixels"][ratio_dir][name], "extra_images": k,
                              "repeats": options.speed_repeats, "methods": {}}
    for method in methods:
        if method == "white":
            continue
        if method in COLORGAN_METHODS:
            kind = "lineart" if method == "colorgan-lineart" else ("gray" if kind_flag else None)
            run = options.lineart_run if method == "colorgan-lineart" else options.run

            def call(part: str, kind: str | None = kind, run: Path | None = run) -> None:
                shutil.rmtree(root / part / "out", ignore_errors=True)
                colorgan(root / part / "lineart", root / part / "hints", root / part / "out", kind, run)
        else:
            def call(part: str, method: str = method) -> None:
                files = sorted((root / part / "lineart").iterdir())
                gmic_batch(method, [(root / part / "hints" / f.name, f, root / part / "out" / f.name)
                                    for f in files])
        try:
            call("one")  # warm-up
            one = timed(lambda call=call: call("one"), options.speed_repeats)
            many = timed(lambda call=call: call("many"), options.speed_repeats)
        except RuntimeError as err:
            print(f"note: {method}: no speed figure: {err}", file=sys.stderr)
            continue
        result["methods"][method] = {"one_call_s": one, f"call_with_{1 + k}_s": many,
                                     "per_image_s": (many - one) / k}
        print(f"speed: {method}: one call {one:.2f} s, {1 + k} images {many:.2f} s", file=sys.stderr)
    return result


# ------------------------------------------------------------------------------ figures


def figure(entry: dict[str, Any], methods: list[str], path: Path) -> None:
    """line art | hints | each method | truth for the folder's first image at 10 % hints."""
    import numpy as np
    from PIL import Image, ImageDraw

    root = Path(entry["root"])
    name = entry["names"][0]
    d = next(d for d, a in entry["dirs"].items() if abs(a - TARGET_RATIO) < 1e-9)
    lines = np.asarray(Image.open(root / "lineart" / name).convert("RGB"))
    shown = (255 - (255 - lines.astype(np.int32)) // 2).astype(np.uint8)  # the lines at half strength
    hint_file = root / "hints" / d / name
    if hint_file.exists():
        rgba = np.asarray(Image.open(hint_file).convert("RGBA"))
        shown = np.where(rgba[..., 3:] > 0, rgba[..., :3], shown)
    panels = [("line art", lines), (f"hints {TARGET_RATIO:.0%}", shown)]
    panels += [(m, np.asarray(Image.open(root / "pred" / m / d / name).convert("RGB"))) for m in methods]
    panels.append(("truth", np.asarray(Image.open(root / "truth" / name).convert("RGB"))))
    side = max(256, lines.shape[0])
    label, gap = 16, 4
    canvas = Image.new("RGB", (len(panels) * (side + gap) - gap, side + label), "white")
    draw = ImageDraw.Draw(canvas)
    for i, (title, image) in enumerate(panels):
        tile = Image.fromarray(image).resize((side, side), Image.NEAREST)
        canvas.paste(tile, (i * (side + gap), label))
        draw.text((i * (side + gap) + 2, 2), title, fill="black")
    path.parent.mkdir(parents=True, exist_ok=True)
    canvas.save(path)


# ------------------------------------------------------------------------------- report


def pct(alpha: float) -> str:
    return f"{alpha * 100:g} %"


def folder_tables(entry: dict[str, Any], methods: list[str], markers: bool = False) -> list[str]:
    """One folder's CIEDE2000 and PSNR tables (bench/tables.py builds them), each under its
    `<!-- table: results-lineart.json NAME -->` line with `markers` (the docs page)."""
    from bench import pages, tables

    dirs = entry["dirs"]
    methods = [m for m in methods if m in entry["per_ratio"]]
    lines = [f"### {entry['folder']}: {entry['images']} images, "
             f"{'their own size' if entry['side'] == 'own' else str(entry['side']) + ' px'}", ""]
    share = " | ".join(f"{entry['hint_share'][d]:.1%}" for d in dirs)
    for key, title in (("ciede2000", "CIEDE2000 (lower is better)"), ("psnr", "PSNR, dB (higher is better)")):
        lines += [f"{title}, per hint ratio:", ""]
        if markers:
            lines.append(pages.marker(tables.LINEART_SOURCE, tables.lineart_table_name(entry["folder"], key)))
        lines += [tables.lineart_ratio_table(entry, methods, key), ""]
    ssim = ", ".join(f"{m} {entry['hintauc_evaluator']['hint_auc'][m]['ssim']:.3f}" for m in methods)
    lines += [f"Share of pixels given a hint: {share}.", f"Hint-AUC of SSIM (hintauc, 256 px): {ssim}.", ""]
    return lines


def targets(results: list[dict[str, Any]], speed_result: dict[str, Any] | None) -> list[dict[str, Any]]:
    """The goals above, each with `met` True, False or None (not measured)."""
    out = []
    for entry in results:
        per = entry["per_ratio"]
        dirs = entry["dirs"]
        if "colorgan-lineart" not in per:
            out.append({"target": f"{entry['folder']}: colorgan-lineart better than both G'MIC filters "
                                  "at every hint ratio", "met": None,
                        "detail": "colorgan-lineart not measured"})
            out.append({"target": f"{entry['folder']}: CIEDE2000 at 10 % hints at most half of white's",
                        "met": None, "detail": "colorgan-lineart not measured"})
            continue
        ours = per["colorgan-lineart"]
        rivals = [m for m in GMIC_METHODS if m in per]
        misses = [pct(a) for d, a in dirs.items() for m in rivals
                  if not (ours[d]["ciede2000"] < per[m][d]["ciede2000"]
                          and ours[d]["psnr"] > per[m][d]["psnr"])]
        misses = list(dict.fromkeys(misses))
        out.append({"target": f"{entry['folder']}: colorgan-lineart better than both G'MIC filters (lower "
                              "CIEDE2000 and higher PSNR) at every hint ratio",
                    "met": (not misses) if len(rivals) == 2 else None,
                    "detail": ("missed at " + ", ".join(misses)) if misses else
                              ("" if len(rivals) == 2 else "G'MIC not measured")})
        d = next(d for d, a in dirs.items() if abs(a - TARGET_RATIO) < 1e-9)
        if "white" in per:
            mine, white = ours[d]["ciede2000"], per["white"][d]["ciede2000"]
            out.append({"target": f"{entry['folder']}: CIEDE2000 at 10 % hints at most half of white's",
                        "met": mine <= TARGET_WHITE_SHARE * white,
                        "detail": f"{mine:.2f} against {TARGET_WHITE_SHARE * white:.2f} (white {white:.2f})"})
    timing = (speed_result or {}).get("methods", {}).get("colorgan-lineart")
    out.append({"target": f"{SPEED_SIDE} px line drawing with hints colored in at most {TARGET_SECONDS:g} s",
                "met": None if timing is None else timing["per_image_s"] <= TARGET_SECONDS,
                "detail": "not measured" if timing is None else
                          f"{timing['per_image_s']:.2f} s per image (one whole CLI call "
                          f"{timing['one_call_s']:.2f} s)"})
    return out


def speed_lines(result: dict[str, Any], markers: bool = False) -> list[str]:
    from bench import pages, tables

    lines = [f"Speed: one {result['side']} px line drawing ({Path(result['image']).name}, upscaled) with "
             f"{result['ratio']:.0%} hints ({result['hint_pixels']} hint pixels); per image = extra time "
             f"of a call with {result['extra_images']} more images, median of {result['repeats']}:", ""]
    if markers:
        lines.append(pages.marker(tables.LINEART_SOURCE, "speed"))
    return lines + [tables.lineart_speed(result), ""]


def report(payload: dict[str, Any], methods: list[str], markers: bool = False) -> str:
    """The figures as text: the terminal's report, and with `markers` the docs page's body."""
    lines = [f"Line art: {payload['line_art']}.",
             f"Hints: hintauc {payload['hintauc_version']} generate_hints ({payload['path_method']}, "
             f"{payload['hint_type']}, 64 x 64, stable tie-break), the protocol's ratios.", ""]
    for entry in payload["results"]:
        lines += folder_tables(entry, methods, markers)
    if payload.get("speed"):
        lines += speed_lines(payload["speed"], markers)
    for target in payload["targets"]:
        verdict = {True: "met", False: "missed", None: "not measured"}[target["met"]]
        detail = f" ({target['detail']})" if target["detail"] else ""
        lines.append(f"- **{verdict}**: {target['target']}{detail}")
    if payload["skipped"]:
        lines += ["", "Skipped: " + "; ".join(f"{m}: {why}" for m, why in payload["skipped"].items())]
    return "\n".join(lines)


def markdown_page(payload: dict[str, Any], methods: list[str], figure_path: Path | None, page: Path) -> str:
    """The docs page: every table under the line naming its source, results-lineart.json beside the
    page (`python -m bench.pages` checks it against that file)."""
    gmic = "\n".join(f"    {payload['gmic_commands'][m]}  # {m}" for m in GMIC_METHODS)
    lines = ["# Line art with hints: colorgan against G'MIC (`python -m bench.lineart`)", "",
             f"Measured {payload['date']} on {payload['machine']}, load average "
             f"{payload['load_average']:.2f} at the start, by `{payload['command']}`.", "",
             "Every answer gets the same line drawing and the same hints, at every hint ratio of hintauc's "
             "Hint-AUC protocol (the largest regions of the truth's Felzenszwalb segmentation get a scribble "
             "of their mean color). Scores: mean PSNR and CIEDE2000 per image at the image's size; "
             "Hint-AUC = trapezoid over the ratios (hintauc.hint_auc); hintauc's own Evaluator "
             "(256 x 256) alongside.", "",
             "G'MIC (`gmic` " + payload.get("gmic_version", "?") + "), hints as an RGBA top layer of color "
             "spots (opaque pixels):", "", gmic, "",
             "fx_colorize_lineart_smart's color layer is multiplied by the line art (its layer mode). At a "
             "ratio with no hint pixels the G'MIC filters return the line art.", ""]
    lines.append(report(payload, methods, markers=True))
    if figure_path is not None:
        relative = os.path.relpath(figure_path.resolve(), page.resolve().parent)
        lines += ["", f"![line art, hints, each method, truth]({relative})", ""]
    return "\n".join(lines) + "\n"


# --------------------------------------------------------------------------------- main


def write_page(payload: dict[str, Any], page: Path, figure_path: Path | None) -> None:
    """Write the docs page and, beside it, the JSON its tables name (tables.LINEART_SOURCE)."""
    from bench import tables

    page.parent.mkdir(parents=True, exist_ok=True)
    source = page.parent / tables.LINEART_SOURCE
    text = json.dumps(payload, indent=1) + "\n"
    if not source.exists() or source.read_text() != text:
        source.write_text(text)
        print(f"figures of the page's tables: {source}")
    page.write_text(markdown_page(payload, payload["methods"], figure_path, page))
    print(f"page: {page}")


def gmic_version() -> str:
    done = subprocess.run(["gmic", "-version"], capture_output=True, text=True)
    found = re.search(r"Version (\d[\d.]*)", done.stdout + done.stderr)
    return found.group(1) if found else "?"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["_worker"]:
        return worker(argv[1:])
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folders", nargs="+", default=list(DEFAULT_FOLDERS))
    parser.add_argument("--methods", nargs="+", choices=METHODS, default=list(METHODS))
    parser.add_argument("--limit", type=int, default=None, help="at most N images per folder")
    parser.add_argument("--size", type=int, choices=(256, SPEED_SIDE), default=None,
                        help="resize every truth to this square size first (default: the image's own size)")
    parser.add_argument("--run", type=Path, help="run directory for --kind gray (default: the shipped model)")
    parser.add_argument("--lineart-run", type=Path,
                        help="run directory for --kind lineart (default: colorize's own default)")
    parser.add_argument("--propagation-sigma", type=float, metavar="L",
                        help="colorgan-lineart: the edge sensitivity under the fill, to compare settings "
                             "(default: colorhelpers.lineart.regions.PROPAGATION_SIGMA_L)")
    parser.add_argument("--shading", type=float, metavar="S",
                        help="colorgan-lineart: how much network shading a filled region keeps "
                             "(default: colorhelpers.lineart.regions.SHADING)")
    parser.add_argument("--path-method", choices=("filfinder", "geodesic"), default="filfinder",
                        help="hintauc's scribble paths: filfinder (the paper; ~10 s an image here) "
                             "or geodesic")
    parser.add_argument("--hint-type", choices=("scribble", "dot"), default="scribble")
    parser.add_argument("--no-speed", action="store_true", help="skip the 512 px speed figure")
    parser.add_argument("--speed-images", type=int, default=4, help="K extra images of the speed figure")
    parser.add_argument("--speed-repeats", type=int, default=3)
    parser.add_argument("--work", type=Path, default=DEFAULT_WORK,
                        help="line art, hints (cached) and predictions (default: %(default)s)")
    parser.add_argument("--hintauc-python", type=Path, default=HINTAUC_PYTHON,
                        help="python of the venv that has hintauc (default: %(default)s)")
    parser.add_argument("--json", type=Path, help="write every figure to this JSON file")
    parser.add_argument("--markdown", type=Path, nargs="?", const=DEFAULT_MARKDOWN,
                        help=f"write a docs page (default when given: {DEFAULT_MARKDOWN})")
    parser.add_argument("--figure", type=Path, help="PNG: one held-out character at 10 %% hints "
                        "(with --markdown-from: the existing picture the page shows)")
    parser.add_argument("--markdown-from", type=Path, metavar="JSON",
                        help="measure nothing: write the --markdown page from this --json output")
    args = parser.parse_args(argv)
    if args.markdown_from is not None:
        payload = json.loads(args.markdown_from.read_text())
        write_page(payload, args.markdown or DEFAULT_MARKDOWN, args.figure)
        return 0

    if not args.hintauc_python.exists():
        print(f"error: {args.hintauc_python} not found: create hintauc's venv with `make bench-lineart`, or "
              f"python3 -m venv bench/.venv-hintauc && bench/.venv-hintauc/bin/pip install hintauc==0.3.3",
              file=sys.stderr)
        return 2
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    if args.propagation_sigma is not None or args.shading is not None:  # colorize runs in this process
        from colorhelpers.lineart import regions

        if args.propagation_sigma is not None:
            regions.PROPAGATION_SIGMA_L = args.propagation_sigma
        if args.shading is not None:
            regions.SHADING = args.shading
    load = os.getloadavg()[0]
    methods = list(dict.fromkeys(args.methods))
    skipped: dict[str, str] = {}
    has_gmic = shutil.which("gmic") is not None
    if not has_gmic:
        for m in GMIC_METHODS:
            if m in methods:
                skipped[m] = "no gmic on PATH"
        if any(m in methods for m in GMIC_METHODS):
            print("note: no `gmic` found: skipping gmic-smart and gmic-recolorize (apt-get install gmic)",
                  file=sys.stderr)
    kind_flag, kinds = colorgan_kinds() if any(m in methods for m in COLORGAN_METHODS) else (False, set())
    if "colorgan-lineart" in methods and "lineart" not in kinds:
        skipped["colorgan-lineart"] = "`python -m colorhelpers colorize --help` has no --kind lineart yet"
        print("note: colorgan-lineart skipped: `colorize` has no --kind lineart yet", file=sys.stderr)
    if "colorgan-gray" in methods and not kind_flag:
        print("note: colorize has no --kind: colorgan-gray is today's mode (no flag)", file=sys.stderr)

    results = []
    for folder in args.folders:
        if not Path(folder).is_dir():
            hint = " (build it: .venv/bin/python -m bench.testsets)" if "testsets" in folder else ""
            print(f"note: {folder} does not exist; skipped{hint}", file=sys.stderr)
            continue
        entry = run_folder(folder, methods, args, kind_flag, skipped)
        if entry is not None:
            results.append(entry)
    measured = [m for m in methods if any(m in e["per_ratio"] for e in results)]
    speed_result = None
    if not args.no_speed and results:
        speed_result = speed(results[0]["folder"], [m for m in measured if m != "white"], args, kind_flag)
    payload: dict[str, Any] = {
        "date": time.strftime("%Y-%m-%d %H:%M"), "machine": f"{os.cpu_count()} CPUs, no GPU used",
        "load_average": load, "command": "python -m bench.lineart " + " ".join(argv),
        "line_art": LINE_ART, "path_method": args.path_method, "hint_type": args.hint_type,
        "hintauc_version": (results[0]["protocol"]["versions"]["hintauc"] if results else None),
        "gmic_commands": {m: f"gmic i SPOTS.png i LINEART.png {GMIC_FILTERS[m]} c. 0,255 round. o. OUT.png rm"
                          for m in GMIC_METHODS},
        "methods": measured, "skipped": skipped, "results": results, "speed": speed_result}
    if has_gmic:
        payload["gmic_version"] = gmic_version()
    payload["targets"] = targets(results, speed_result)
    print(report(payload, measured))
    if args.figure and results:
        figure(results[0], measured, args.figure)
        print(f"\nfigure: {args.figure} (line art | hints | {' | '.join(measured)} | truth)")
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=1) + "\n")
    if args.markdown:
        write_page(payload, args.markdown, args.figure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
