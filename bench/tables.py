"""The docs pages' tables, as Markdown, from the JSON they come from (`render`).

Two kinds of JSON file in docs/ are sources (see `bench.pages`, which checks and rewrites the
pages' tables): benchmark outputs, whose tables are computed here from the raw figures
(`ANIME_TABLES`, `LINEART_TABLES`), and figure files (`bench.figures`), which hold each table's
figures as measured and its layout.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


# --- Tables ---------------------------------------------------------------------------------

def markdown_table(columns: list[str], align: str, rows: list[list[str]]) -> str:
    """A Markdown table; `align` has one letter per column, l or r."""
    if len(align) != len(columns):
        raise ValueError(f"align {align!r} has {len(align)} letters for {len(columns)} columns")
    lines = ["| " + " | ".join(columns) + " |",
             "| " + " | ".join("---:" if a == "r" else "---" for a in align) + " |"]
    for row in rows:
        if len(row) != len(columns):
            raise ValueError(f"row {row!r} has {len(row)} cells for {len(columns)} columns")
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def number(value: float | int, digits: int | None) -> str:
    """A figure as the pages write it.

    >>> number(55379, None), number(4.87, None), number(41.0, None), number(3.9, 2), number(1779.4, 0)
    ('55,379', '4.87', '41.0', '3.90', '1,779')
    """
    if digits is not None:
        return f"{value:,.{digits}f}"
    return f"{value:,}" if isinstance(value, int) else repr(float(value))


def cell(value, digits: int | None) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        raise TypeError(f"a table cell cannot be a boolean: {value!r}")
    if isinstance(value, (int, float)):
        return number(value, digits)
    if isinstance(value, list):
        return " / ".join(cell(v, digits) for v in value)
    raise TypeError(f"a table cell must be a string, a number, a list of numbers or null: {value!r}")


def figure_table(spec: dict) -> str:
    """A figure file's table (see the module docstring)."""
    columns = spec["columns"]
    digits = spec.get("digits") or [None] * len(columns)
    if len(digits) != len(columns):
        raise ValueError(f"digits has {len(digits)} entries for {len(columns)} columns")
    rows = [[cell(v, d) for v, d in zip(row, digits)] for row in spec["rows"]]
    return markdown_table(columns, spec.get("align") or "l" * len(columns), rows)


# --- Tables computed from `python -m bench.anime --json` -------------------------------------

#: What the pages call the folders and runs of bench.anime's output.
FOLDER_NAMES = {
    "data/anime/heldout": "held-out anime characters",
    "data/testsets/anime-faces": "never tuned on: anime faces",
    "data/testsets/vn-sprites": "never tuned on: visual-novel sprites",
    "data/testsets/painted-portraits": "never tuned on: painted portraits",
    "data/characters/heldout": "never tuned on: DiceBear characters",
}
RUN_NAMES = {"anime": "colorgan", "old-shipped": "previous model", "shipped": "colorgan"}
#: The run the summary describes: the shipped model, trained by `make train` into runs/anime.
SHIPPED = ("anime", "shipped")


def _share(value: float, of: float) -> str:
    return f"{value:.2f} ({value / of:.0%})"


def _guided_cells(entry: dict, run: str) -> list[str]:
    guided = entry.get("guided", {}).get(run)
    if not guided:
        return ["", ""]
    gray = guided["gray_ciede2000"]
    return [_share(guided["hints_ciede2000"], gray), _share(guided["reference_ciede2000"], gray)]


def anime_full(data: dict) -> str:
    """Every folder, the gray answer and every run, every score (docs/results-anime.md)."""
    columns = ["folder", "answer", "images", "PSNR (dB)", "CIEDE2000", "AuC", "rebalanced AuC",
               "colorfulness ratio", "10 hints: CIEDE2000 (of gray's)", "reference: CIEDE2000 (of gray's)"]
    rows = []
    for entry in data["results"]:
        answers = [("gray answer", entry["gray"], None)]
        answers += [(RUN_NAMES.get(name, name), scores, name) for name, scores in entry["runs"].items()]
        for answer, scores, run in answers:
            rows.append([f"`{entry['folder']}`", answer, str(scores["images"]), f"{scores['psnr']:.2f}",
                         f"{scores['ciede2000']:.2f}", f"{scores['auc']:.3f}",
                         f"{scores['auc_rebalanced']:.3f}", f"{scores['colorfulness_ratio']:.2f}"]
                        + (_guided_cells(entry, run) if run else ["", ""]))
    return markdown_table(columns, "llrrrrrrrr", rows)


def anime_summary(data: dict) -> str:
    """The shipped model against the gray answer, automatic and guided (docs/results.md), in
    the order of `FOLDER_NAMES`."""
    columns = ["folder (images)", "CIEDE2000 ↓ gray / colorgan", "PSNR (dB) ↑ gray / colorgan",
               "colorfulness ratio", "10 hints: CIEDE2000 (of gray's)", "reference: CIEDE2000 (of gray's)"]
    order = list(FOLDER_NAMES)
    rows = []
    for entry in sorted(data["results"], key=lambda e: order.index(e["folder"]) if e["folder"] in order
                        else len(order)):
        run = next((name for name in SHIPPED if name in entry["runs"]), None)
        if run is None:
            raise ValueError(f"{entry['folder']}: no run named {' or '.join(SHIPPED)}")
        gray, scores = entry["gray"], entry["runs"][run]
        name = FOLDER_NAMES.get(entry["folder"], entry["folder"])
        rows.append([f"{name} ({scores['images']})", f"{gray['ciede2000']:.2f} / {scores['ciede2000']:.2f}",
                     f"{gray['psnr']:.2f} / {scores['psnr']:.2f}", f"{scores['colorfulness_ratio']:.2f}",
                     *_guided_cells(entry, run)])
    return markdown_table(columns, "lrrrrr", rows)


def tradeoff_table(data: dict) -> str:
    """bench.gan_tradeoff's answers per folder: scores and the machine judge (docs/results-anime.md)."""
    columns = ["folder (images)", "answer", "saturation", "PSNR (dB)", "CIEDE2000", "colorfulness ratio",
               "judge: accuracy (%)"]
    names = {"run": data.get("run_name", "run")}
    rows = [[f"{FOLDER_NAMES.get(folder, folder)} ({entry['images']})", names.get(answer, answer),
             f"{row['saturation']:.2f}",
             f"{row['psnr']:.2f}", f"{row['ciede2000']:.2f}", f"{row['colorfulness_ratio']:.2f}",
             f"{100 * row['judge']:.1f} ± {100 * row['judge_std']:.1f}"]
            for folder, entry in data["folders"].items() for answer, row in entry["answers"].items()]
    return markdown_table(columns, "llrrrrr", rows)


#: Tables computed from bench outputs: {json file: {table name: function of the loaded JSON}}.
ANIME_TABLES: dict[str, dict[str, Callable[[dict], str]]] = {
    "results-anime.json": {"anime": anime_full, "anime-summary": anime_summary},
    "gan-tradeoff.json": {"tradeoff": tradeoff_table},
}


# --- Tables computed from `python -m bench.lineart --json` ----------------------------------

#: The line-art page's source, beside it in docs/.
LINEART_SOURCE = "results-lineart.json"
#: Per-ratio tables of one folder: (score, name of hintauc's Evaluator's score).
LINEART_SCORES = {"ciede2000": "deltae", "psnr": "psnr"}


def _ratio(alpha: float) -> str:
    return f"{alpha * 100:g} %"


def lineart_table_name(folder: str, score: str) -> str:
    """'data/testsets/anime-faces', 'psnr' -> 'testsets-anime-faces-psnr'."""
    stem = folder.strip("/").removeprefix("data/")
    return f"{re.sub(r'[^A-Za-z0-9_]+', '-', stem).strip('-')}-{score}"


def lineart_ratio_table(entry: dict, methods: list[str], score: str) -> str:
    """One folder of bench.lineart's output: `score` (ciede2000 or psnr) of every method at every
    hint ratio, its Hint-AUC over the ratios, and hintauc's Evaluator's Hint-AUC (256 px)."""
    dirs = entry["dirs"]
    evaluator = entry["hintauc_evaluator"]["hint_auc"]
    columns = ["method", *(_ratio(a) for a in dirs.values()), "Hint-AUC", "Hint-AUC (hintauc, 256 px)"]
    rows = [[m, *(f"{entry['per_ratio'][m][d][score]:.2f}" for d in dirs),
             f"{entry['hint_auc'][m][score]:.2f}", f"{evaluator[m][LINEART_SCORES[score]]:.2f}"]
            for m in methods if m in entry["per_ratio"]]
    return markdown_table(columns, "l" + "r" * (len(columns) - 1), rows)


def lineart_speed(speed: dict) -> str:
    """Seconds per image and per whole call of every method, and per image against G'MIC smart."""
    methods = speed["methods"]
    reference = methods.get("gmic-smart", {}).get("per_image_s")
    rows = [[method, f"{t['per_image_s']:.3f}", f"{t['one_call_s']:.3f}",
             f"{t['per_image_s'] / reference:.2f}x" if reference and reference > 0 else ""]
            for method, t in methods.items()]
    columns = ["method", "per image, s", "one whole call, s", "per image / G'MIC smart"]
    return markdown_table(columns, "lrrr", rows)


def lineart_tables(data: dict) -> dict[str, Callable[[dict], str]]:
    """The line-art page's tables, by name, in the page's order: per folder, CIEDE2000 and PSNR
    per hint ratio (`lineart_table_name`), then "speed" if it was measured."""
    tables: dict[str, Callable[[dict], str]] = {}
    for i, entry in enumerate(data["results"]):
        for score in LINEART_SCORES:
            name = lineart_table_name(entry["folder"], score)
            if name in tables:
                raise ValueError(f"two folders give the table name {name!r}")
            tables[name] = (lambda d, i=i, score=score:
                            lineart_ratio_table(d["results"][i], d["methods"], score))
    if data.get("speed"):
        tables["speed"] = lambda d: lineart_speed(d["speed"])
    return tables


#: Tables computed from bench outputs whose tables depend on what was measured (the folders):
#: {json file: function of the loaded JSON giving {table name: function of the loaded JSON}}.
LINEART_TABLES: dict[str, Callable[[dict], dict[str, Callable[[dict], str]]]] = {
    LINEART_SOURCE: lineart_tables,
}


def render(source: str, name: str, docs: Path = DOCS) -> str:
    """The table `name` of `docs/<source>`, as Markdown."""
    path = docs / source
    if not path.is_file():
        raise LookupError(f"{source} does not exist in {docs}")
    data = json.loads(path.read_text())
    if source in ANIME_TABLES:
        if name not in ANIME_TABLES[source]:
            raise LookupError(f"{source} has no table {name!r} (known: {', '.join(ANIME_TABLES[source])})")
        return ANIME_TABLES[source][name](data)
    if source in LINEART_TABLES:
        computed = LINEART_TABLES[source](data)
        if name not in computed:
            raise LookupError(f"{source} has no table {name!r} (known: {', '.join(computed) or 'none'})")
        return computed[name](data)
    tables = data.get("tables", {})
    if name not in tables:
        raise LookupError(f"{source} has no table {name!r} (it has: {', '.join(tables) or 'none'})")
    return figure_table(tables[name])
