"""Check the docs pages' tables against the JSON they come from, or rewrite them from it.

Every Markdown table on a page in docs/ sits right under a line that names its source:

    <!-- table: results-anime.json anime -->

that is, a JSON file in docs/ and a table in it. Two kinds of JSON file are sources:

- benchmark outputs: `docs/results-anime.json`, written by `python -m bench.anime --json`, and
  `docs/results-lineart.json`, written by `python -m bench.lineart --markdown` beside its page.
  Their tables are computed here from the raw figures (`ANIME_TABLES`, `LINEART_TABLES`).
- figure files, `docs/<page>.json`, for the benchmarks that print their figures instead of
  writing JSON. They hold the figures as measured, and the table's layout:

      {"tables": {"NAME": {"source": "the command and date", "columns": ["test images", ...],
                           "align": "lrr", "digits": [null, 2, 2], "rows": [["wide", [7.5, 20.04], ...]]}}}

  A cell is a string (written as it is), a number (`digits` decimals for its column; with
  `null` an integer gets thousands separators and a float is written as stored), a list
  of numbers (joined by " / "), or null (empty).

A page table without such a line, a source that does not exist, or a table that differs
from what its source gives is a problem. tests/test_docs.py runs `check_pages` and the
README checks below; neither imports TensorFlow.

    python -m bench.pages            # check docs/, README.md and bench/README.md; exit 1 on problems
    python -m bench.pages --write    # rewrite every docs table from its JSON, then check
"""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections.abc import Callable
from pathlib import Path

from bench import series_times

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"

#: The line that names a table's source: a JSON file in docs/ and a table name in it.
MARKER = re.compile(r"^<!-- table: (?P<source>[\w.-]+\.json) (?P<name>[\w-]+) -->\s*$")


def marker(source: str, name: str) -> str:
    """The line above a table that names its source (`MARKER`)."""
    line = f"<!-- table: {source} {name} -->"
    if not MARKER.match(line):
        raise ValueError(f"not a table source: {source!r} {name!r}")
    return line
#: "issue 17", "issues 3 and 4", "PR 12", "#17" (not a "#1fb83a" color, not "#697677" in quotes).
ISSUE_NUMBER = re.compile(r"\b(?:issues?|PRs?|pull requests?)\s+#?\d+|(?<![\w\"'&/#])#\d+(?![\w-])", re.I)
#: Words of a work order, not of a reader's page: verdicts against goals set for the work
#: ("target 60 %", "PASS", "45 % asked: not met"), talk of issues, the project's own hangs, and
#: paths into the checks that graded it. "asked for" and lowercase "pass" are ordinary prose.
INTERNAL = re.compile(r"\btarget(?:s|ed)?\b|\b(?:PASS|MISS|MISSED|MET)\b|\basked\b(?! for)|\bnot met\b"
                      r"|\b(?:the|this|that|an?) issue\b|\bhung\b|\bshared/checks\b", re.I)
CASE_SENSITIVE = {"pass", "miss", "missed", "met"}  # only the shouted verdicts are internal
#: A file of the repository named by its path: it must exist.
REPO_PATH = re.compile(r"(?<![\w/.-])(?:colorhelpers|bench|tests|data|notebooks)/[\w/.-]*\w\.(?:py|ipynb)\b")
#: Markdown images: ![alt](path).
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)\s]+)\)")
README_MAX_LINES = 260


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


# --- Pages ----------------------------------------------------------------------------------

def page_tables(text: str) -> list[tuple[int, int, re.Match | None]]:
    """(first line, end line, marker match or None) of every table in a page; lines from 0.

    Tables inside fenced code blocks are not tables.
    """
    lines = text.split("\n")
    found, i, fenced = [], 0, False
    while i < len(lines):
        if lines[i].lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and lines[i].startswith("|"):
            start = i
            while i < len(lines) and lines[i].startswith("|"):
                i += 1
            marker = MARKER.match(lines[start - 1]) if start > 0 else None
            found.append((start, i, marker))
            continue
        i += 1
    return found


def lone_markers(lines: list[str]) -> list[int]:
    """Lines (from 0) of '<!-- table: ... -->' markers with no table right under them."""
    found, fenced = [], False
    for i, line in enumerate(lines):
        if line.lstrip().startswith("```"):
            fenced = not fenced
        if not fenced and MARKER.match(line) and not (i + 1 < len(lines) and lines[i + 1].startswith("|")):
            found.append(i)
    return found


def _page_problems(path: Path, docs: Path, write: bool) -> list[str]:
    original = path.read_text()
    lines = original.split("\n")
    problems = []
    for i in reversed(lone_markers(lines)):  # a new marker: --write puts its table under it
        marker = MARKER.match(lines[i])
        if not write:
            problems.append(f"{path.name}:{i + 1}: {marker['source']} {marker['name']}: no table under it")
            continue
        try:
            lines[i + 1:i + 1] = render(marker["source"], marker["name"], docs).split("\n")
        except (LookupError, KeyError, TypeError, ValueError) as error:
            problems.append(f"{path.name}:{i + 1}: {marker['source']} {marker['name']}: {error}")
    text = "\n".join(lines)
    # From the last table up, so that rewriting one does not move the ones above it.
    for start, end, marker in reversed(page_tables(text)):
        where = f"{path.name}:{start + 1}"
        if marker is None:
            problems.append(f"{where}: a table with no '<!-- table: FILE.json NAME -->' line above it")
            continue
        try:
            expected = render(marker["source"], marker["name"], docs)
        except (LookupError, KeyError, TypeError, ValueError) as error:
            problems.append(f"{where}: {marker['source']} {marker['name']}: {error}")
            continue
        actual = "\n".join(lines[start:end])
        if actual != expected:
            if write:
                lines[start:end] = expected.split("\n")
                continue
            diff = "\n".join(difflib.unified_diff(actual.split("\n"), expected.split("\n"), "page", "json",
                                                  lineterm="", n=0))
            problems.append(f"{where}: differs from {marker['source']} {marker['name']}:\n{diff}")
    if write:
        new = "\n".join(lines)
        if new != original:
            path.write_text(new)
            print(f"rewrote the tables of {path}")
    return problems


def check_pages(docs: Path = DOCS, write: bool = False) -> list[str]:
    """Problems with the tables of every page in `docs` (rewritten from their JSON first if `write`)."""
    problems = []
    for page in sorted(docs.glob("*.md")):
        problems += _page_problems(page, docs, write)
    return problems


# --- Texts: README, docs pages, bench/README --------------------------------------------------

def text_problems(path: Path, repo: Path = REPO) -> list[str]:
    """Issue numbers, paths that leave the repository (`../`), internal words (`INTERNAL`) and
    repository files that do not exist (`REPO_PATH`, looked up in `repo`) in one text."""
    name = path.relative_to(REPO) if path.is_relative_to(REPO) else path
    problems = []
    for n, line in enumerate(path.read_text().split("\n"), 1):
        for match in ISSUE_NUMBER.finditer(line):
            problems.append(f"{name}:{n}: an issue number: {match.group(0)!r}")
        if "../" in line:
            problems.append(f"{name}:{n}: a '../' path")
        for match in INTERNAL.finditer(line):
            word = match.group(0)
            if word.lower() not in CASE_SENSITIVE or word.isupper():
                problems.append(f"{name}:{n}: internal language: {word!r}")
        for match in REPO_PATH.finditer(line):
            if not (repo / match.group(0)).exists():
                problems.append(f"{name}:{n}: no such file: {match.group(0)}")
    return problems


def readme_problems(readme: Path = REPO / "README.md", docs: Path = DOCS) -> list[str]:
    """The README guides: short, the two commands first, its pictures exist, its quoted figure holds."""
    text = readme.read_text()
    lines = text.rstrip("\n").split("\n")
    problems = []
    if len(lines) > README_MAX_LINES:
        problems.append(f"README.md has {len(lines)} lines (at most {README_MAX_LINES})")
    head = [line.strip() for line in lines[:8]]
    commands = [line.split()[:2] for line in head if line.startswith("make ")]
    if commands[:2] != [["make", "train"], ["make", "test"]]:
        problems.append("README.md does not start with `make train` and `make test` (its first 8 lines)")
    for target in IMAGE.findall(text):
        if "://" not in target and not (readme.parent / target).is_file():
            problems.append(f"README.md shows {target}, which does not exist")
    # The time of `make train` is measured once, in docs/scale.json; the README quotes it.
    try:
        rows = json.loads((docs / "scale.json").read_text())["tables"]["make-train"]["rows"]
        minutes = next(row[1] for row in rows if row[0].startswith("wall time"))
    except (OSError, KeyError, StopIteration, ValueError) as error:
        problems.append(f"docs/scale.json: no make-train wall time ({error})")
    else:
        train_line = next((line for line in head if line.startswith("make train")), "")
        if f"{minutes} min" not in train_line:
            problems.append(f"README.md: the `make train` line does not say {minutes} min (docs/scale.json)")
    return problems + series_times.readme_problems(text, docs)


def all_problems(write: bool = False) -> list[str]:
    problems = check_pages(DOCS, write=write) + readme_problems()
    for path in [REPO / "README.md", REPO / "bench" / "README.md", *sorted(DOCS.glob("*.md"))]:
        problems += text_problems(path)
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--write", action="store_true", help="rewrite the docs tables from their JSON first")
    args = parser.parse_args(argv)
    problems = all_problems(write=args.write)
    for problem in problems:
        print(problem)
    if not problems:
        print("docs tables agree with their JSON; README and bench/README checked")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
