"""How long the series takes to re-execute: `make execute`'s minutes, recorded and quoted.

`make execute` (`colorhelpers.series`) prints how many minutes each notebook took and the
total. From what a run in a fresh clone printed, with no runs on disk, this writes
docs/scale.json's make-execute table, with what was measured:

    make execute | tee execute.log
    python -m bench.series_times execute.log "make execute in a fresh clone, nothing cached (DATE), ..."
    python -m bench.pages --write     # docs/scale.md's table from it

The README's series table quotes each notebook's minutes and the total; `readme_problems`
(run by bench.pages and tests/test_docs.py) fails when they differ from the table, or when
the README's "N min in all" differs from what the committed notebooks' own executions took
(their minutes in notebooks/inputs.json, which `make execute` records).
"""

from __future__ import annotations

import argparse
import json
import re
from pathlib import Path

from bench.figures import write_table

REPO = Path(__file__).resolve().parent.parent
DOCS = REPO / "docs"
#: What `colorhelpers.series.execute` prints after each notebook, and at the end.
NOTEBOOK_LINE = re.compile(r"^(\d\d_\w+): (\d+\.\d) min$", re.MULTILINE)
TOTAL_LINE = re.compile(r"^(\d+) notebooks executed in (\d+\.\d) min$", re.MULTILINE)
TABLE = "make-execute"
TOTAL = "all eleven"


def record(log: str, source: str, docs: Path = DOCS) -> dict:
    """Write docs/scale.json's make-execute table from what one `make execute` printed."""
    rows = [[name, float(minutes)] for name, minutes in NOTEBOOK_LINE.findall(log)]
    total = TOTAL_LINE.search(log)
    if not rows or total is None or int(total[1]) != len(rows):
        raise ValueError("not the output of one whole `make execute`: no notebook lines, or no total")
    rows.append([TOTAL, float(total[2])])
    return write_table("scale.json", TABLE, {"source": source, "columns": ["notebook", "minutes"],
                                             "align": "lr", "digits": [None, 1], "rows": rows}, docs)


STAMPS = REPO / "notebooks" / "inputs.json"


def committed_minutes(stamps: Path = STAMPS) -> float:
    """Minutes the committed notebooks' executions took in all (notebooks/inputs.json)."""
    return sum(stamp["minutes"] for stamp in json.loads(stamps.read_text()).values())


def readme_problems(readme_text: str, docs: Path = DOCS, stamps: Path = STAMPS) -> list[str]:
    """Where the README's series table or its total differs from docs/scale.json's make-execute,
    or its "N min in all" from the committed notebooks' own minutes (`committed_minutes`)."""
    try:
        rows = json.loads((docs / "scale.json").read_text())["tables"][TABLE]["rows"]
    except (OSError, KeyError, ValueError) as error:
        return [f"docs/scale.json: no {TABLE} table ({error})"]
    problems = []
    committed = f"{committed_minutes(stamps):.0f} min in all"
    if committed not in " ".join(readme_text.split()):
        problems.append(f"README.md does not say the committed notebooks took {committed} ({stamps.name})")
    for name, minutes in rows:
        if name == TOTAL:
            if f"{minutes} min" not in " ".join(readme_text.split()):
                problems.append(f"README.md does not say the series took {minutes} min (docs/scale.json)")
            continue
        row = next((line for line in readme_text.splitlines() if line.startswith(f"| [{name}]")), None)
        if row is None or not row.rstrip().endswith(f"| {minutes} |"):
            problems.append(f"README.md: the series table's row {name} does not end with {minutes} minutes"
                            " (docs/scale.json)")
    return problems


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("log", type=Path, help="what `make execute` printed")
    parser.add_argument("source", help="what was measured: the command, the machine, the date")
    args = parser.parse_args()
    table = record(args.log.read_text(), args.source)
    for name, minutes in table["rows"]:
        print(f"{name:24} {minutes:5.1f} min")


if __name__ == "__main__":
    main()
