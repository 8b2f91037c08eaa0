"""The figures files of docs/ (`docs/<name>.json`): named tables that `python -m bench.pages
--write` renders into the pages that mark them (`<!-- table: <name>.json <table> -->`).

A benchmark writes its measured table here with `write_table`, never by hand, so the pages'
tables always come from a command.
"""

from __future__ import annotations

import json
from pathlib import Path

DOCS = Path(__file__).resolve().parent.parent / "docs"


def write_table(figures_file: str, name: str, table: dict, docs: Path = DOCS) -> dict:
    """Put `table` ({"source", "columns", "align", "digits", "rows"}) into docs/`figures_file`
    as table `name`, keeping the file's other tables; returns the table."""
    path = docs / figures_file
    figures = json.loads(path.read_text()) if path.exists() else {}
    figures.setdefault("tables", {})[name] = table
    path.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n")
    return table
