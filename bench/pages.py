"""Check the docs pages' tables against the JSON they come from, or rewrite them from it.

Every Markdown table on a page in docs/ sits right under a line that names its source:

    <!-- table: results-anime.json anime -->

that is, a JSON file in docs/ and a table in it. Two kinds of JSON file are sources:

- benchmark outputs: `docs/results-anime.json`, written by `python -m bench.anime --json`, and
  `docs/results-lineart.json`, written by `python -m bench.lineart --markdown` beside its page.
  Their tables are computed from the raw figures (`bench.tables`: `ANIME_TABLES`, `LINEART_TABLES`).
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
from pathlib import Path

from bench import series_times
from bench.tables import render

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
