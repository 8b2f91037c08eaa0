"""Manga pages and palettes: test pages colored automatically and with palettes, against the gray answer.

    .venv/bin/python -m bench.manga [--folder data/anime/heldout] [--pages 6] [--json FILE]
    .venv/bin/python -m bench.manga --folder data/testsets/anime-faces     # never tuned on

Each test page (`colorhelpers.pages.testpages`) lays out three bordered panels on a 1200x1800
page: a character (panel A), its face at a larger zoom (panel B: the same source pixels) and
the next character with a speech balloon (panel C); once in digital gray and once printed as a
dot screen. Each character's palette is made (`colorhelpers.hints.palette`) from a reference
in another framing, the picture mirrored and moved (`hints.reference.shifted_mirror`), and both
characters' palettes guide the whole page. Printed per page and as means: CIEDE2000 and the
chroma error (the output's ab on the truth's L) as shares of the gray answer's, the colorfulness
ratio to the truth, and consistency (CIEDE2000 between panels A and B at the same source pixels)
as a multiple of the truth's own (resampling alone); for the page colored whole (squeezed to
the model, as a single picture), panel by panel each on its own, panel by panel with repeated
drawings colored alike (`colorhelpers.pages.repeats`, the default), and that with the palettes. Then the
descreening choices (PSNR of the descreened page against the digital gray) and the seconds for a
1200x1800 page, as a ratio to coloring it whole in the same run.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
from colorhelpers import import_tensorflow_quietly  # noqa: E402

#: Targets: consistency within this multiple of the truth's own; with palettes, CIEDE2000 within
#: this share of the gray answer's on gray pages, chroma error on screened pages; seconds per page.
CONSISTENCY, CIEDE_SHARE, CHROMA_SHARE, SECONDS = 1.5, 0.6, 0.7, 10.0


def pictures(folder: Path, count: int) -> list[tuple[str, object]]:
    """The first picture of each of `count` characters (names <identity>_NN.png; else the first files)."""
    import numpy as np
    from PIL import Image

    from colorhelpers.data import find_images

    chosen, seen = [], set()
    for path in find_images(folder, require_color=False):
        identity = path.stem.rsplit("_", 1)[0]
        if identity not in seen:
            seen.add(identity)
            chosen.append((path.name, np.asarray(Image.open(path).convert("RGB"))))
    return chosen[:count]


def write_table(name: str, means: dict, timings: dict, source: str) -> None:
    """The means as table `name` of docs/pages.json (`python -m bench.pages --write` puts it
    on docs/pages.md)."""
    from bench.figures import write_table as write_figures

    keys = ("ciede2000 share", "chroma share", "colorfulness ratio", "consistency x own")
    rows = [[*label.split(" ", 1), *(round(means[label][k], 2) for k in keys)] for label in means]
    write_figures("pages.json", name, {"source": f"{source}; seconds per page: " + ", ".join(
        f"{k} {v:.1f} s" for k, v in timings.items()), "columns": [
        "page", "colored", "CIEDE2000 / gray answer's", "chroma error / gray answer's",
        "colorfulness / truth's", "consistency / truth's own"], "align": "llrrrr",
        "digits": [None, None, 2, 2, 2, 1], "rows": rows})


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--folder", type=Path, default=Path("data/anime/heldout"))
    parser.add_argument("--pages", type=int, default=6)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    parser.add_argument("--save", type=Path, help="write the test pages and results here")
    parser.add_argument("--table", help="also write the means as this table of docs/pages.json")
    args = parser.parse_args()
    import_tensorflow_quietly()
    import cv2
    import numpy as np

    from colorhelpers.hints import HintGuide
    from colorhelpers.hints.palette import merged, palette_from_picture
    from colorhelpers.hints.reference import shifted_mirror
    from colorhelpers.lineart import Models
    from colorhelpers.pages import colorize_page, descreen, find_screen
    from colorhelpers.pages.page import page_gray
    from colorhelpers.pages.testpages import build_page, consistency, gray_page, page_scores, screentone

    colorizer = Models().get("gray")[0]
    chosen = pictures(args.folder, args.pages + 1)
    rows, descreening = [], {"none": [], "median 5": [], "gaussian period/3": [], "gaussian period/2": []}
    for (name, source), (_, other) in zip(chosen, chosen[1:]):
        page = build_page(source, other)
        palettes = merged([palette_from_picture(shifted_mirror(source), "a"),
                           palette_from_picture(shifted_mirror(other), "c")])
        gray = gray_page(page.truth)
        toned = screentone(gray)
        answer = page_scores(gray, page)
        own = consistency(page.truth, page)
        toned_gray, digital_gray = page_gray(toned), page_gray(gray)
        period = find_screen(toned_gray)[1]
        for method, out in (("none", toned_gray), ("median 5", cv2.medianBlur(toned_gray, 5)),
                            ("gaussian period/3", cv2.GaussianBlur(toned_gray, (0, 0), period / 3)),
                            ("gaussian period/2", descreen(toned_gray, period))):
            error = (out.astype(float) - digital_gray)[page.inside]
            descreening[method].append(10 * np.log10(255 ** 2 / np.mean(error ** 2)))
        guide = lambda h, palettes=palettes: HintGuide(palette=palettes)  # noqa: E731
        for version, picture in (("gray", gray), ("screened", toned)):
            results = {"whole": colorizer.still(picture),
                       "panels alone": colorize_page(colorizer, picture, copy_repeats=False).rgb,
                       "panels": colorize_page(colorizer, picture).rgb,
                       "palettes": colorize_page(colorizer, picture, guide).rgb}
            for method, out in results.items():
                scores = page_scores(out, page)
                rows.append({"page": name, "version": version, "method": method,
                             "ciede2000 share": scores["ciede2000"] / answer["ciede2000"],
                             "chroma share": scores["chroma"] / answer["chroma"],
                             "colorfulness ratio": scores["colorfulness"],
                             "consistency x own": scores["consistency"] / own,
                             "ciede2000": scores["ciede2000"], "consistency": scores["consistency"],
                             "own consistency": own, "answer ciede2000": answer["ciede2000"]})
                if args.save:
                    from PIL import Image
                    args.save.mkdir(parents=True, exist_ok=True)
                    Image.fromarray(out).save(args.save / f"{Path(name).stem}-{version}-{method}.png")
    keys = ("ciede2000 share", "chroma share", "colorfulness ratio", "consistency x own")
    methods = ("whole", "panels alone", "panels", "palettes")
    pages = len(rows) // (2 * len(methods))
    print(f"{args.folder}: {pages} pages (1200x1800), shares of the gray answer's error, "
          "consistency as a multiple of the truth's own")
    print(f"{'page':24s} {'version':9s} {'method':12s} " + " ".join(f"{k:>18s}" for k in keys))
    for row in rows:
        print(f"{row['page']:24s} {row['version']:9s} {row['method']:12s} "
              + " ".join(f"{row[k]:18.2f}" for k in keys))
    means = {}
    for version in ("gray", "screened"):
        for method in methods:
            group = [r for r in rows if r["version"] == version and r["method"] == method]
            means[f"{version} {method}"] = {k: statistics.mean(r[k] for r in group) for k in keys}
            print(f"{'mean':24s} {version:9s} {method:12s} "
                  + " ".join(f"{means[f'{version} {method}'][k]:18.2f}" for k in keys))
    print("descreening, PSNR (dB) against the digital gray inside the panels: "
          + ", ".join(f"{k} {statistics.mean(v):.1f}" for k, v in descreening.items()))
    # Seconds for a 1200x1800 page (after one page to trace the models), against coloring it whole.
    timings = {}
    for label, run in (("whole", lambda: colorizer.still(gray)),
                       ("panels", lambda: colorize_page(colorizer, gray)),
                       ("screened + palettes", lambda: colorize_page(colorizer, toned, guide))):
        times = []
        for _ in range(3):
            start = time.perf_counter()
            run()
            times.append(time.perf_counter() - start)
        timings[label] = statistics.median(times)
    print("seconds per 1200x1800 page (median of 3): " + ", ".join(
        f"{k} {v:.2f} s ({v / timings['whole']:.1f}x whole)" for k, v in timings.items()))
    checks = {
        "consistency (panels)": (max(means["gray panels"]["consistency x own"],
                                     means["screened panels"]["consistency x own"]), CONSISTENCY),
        "consistency (palettes)": (max(means["gray palettes"]["consistency x own"],
                                       means["screened palettes"]["consistency x own"]), CONSISTENCY),
        "CIEDE2000 share, gray, palettes": (means["gray palettes"]["ciede2000 share"], CIEDE_SHARE),
        "chroma share, screened, palettes": (means["screened palettes"]["chroma share"], CHROMA_SHARE),
        "seconds, screened + palettes": (timings["screened + palettes"], SECONDS)}
    for label, (value, target) in checks.items():
        print(f"{label}: {value:.2f} (target <= {target}): {'PASS' if value <= target else 'MISS'}")
    if args.table:
        write_table(args.table, means, timings, f"python -m bench.manga --folder {args.folder} "
                    f"--pages {args.pages} ({pages} pages, {time.strftime('%Y-%m-%d')})")
    if args.json:
        args.json.write_text(json.dumps({"rows": rows, "means": means, "timings": timings,
                                         "descreening": {k: statistics.mean(v)
                                                         for k, v in descreening.items()}},
                                        indent=1))


if __name__ == "__main__":
    main()
