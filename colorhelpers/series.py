"""Executing the series: each notebook again only when something it read has changed.

Used by `make execute` (`python -m colorhelpers.series`). A notebook's outputs depend on
its own code, on the package's modules it imports, on the data folders it lists, and on
the files it opens (a shipped model, say). While `make execute` runs a notebook, its
kernel notes them: every Python module it loaded from the repository, every folder it
listed and every file it opened there (Python's audit hooks see each `open`, `os.listdir`
and `os.scandir`). `notebooks/inputs.json` keeps a hash of each, per notebook, and the minutes its last
execution took (the README's series table quotes them). The next
`make execute` compares them with today's files and executes only the notebooks whose
inputs changed, in order, printing each one's time and the total.

Runs are not inputs: they are made from inputs (data and recipe) and kept in the run store
(`TutorialSettings.run_for`), so a notebook whose recipe is unchanged reads its runs from
disk, and one whose recipe changed trains new ones. Files that git ignores (`runs/`, the
test-only folders under `data/testsets`) are left out, so a fresh clone agrees with the
machine that executed the notebooks.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import subprocess
import sys
import time
from collections.abc import Iterable
from pathlib import Path

#: The repository root, and where each notebook's inputs are kept.
REPO_ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = REPO_ROOT / "notebooks"
STAMPS = NOTEBOOKS / "inputs.json"

#: Set by `execute` in the kernel's environment: where the kernel writes what it read.
RECORD_ENV = "COLORGAN_RECORD_INPUTS"

_seen: set[tuple[str, str]] = set()  # (event, absolute path) noted by the audit hook
_recording = False


def _note(event: str, args: tuple) -> None:
    # Called for every audited event of the process: keep it cheap and never raise.
    if event not in ("open", "os.listdir", "os.scandir") or not args:
        return
    path = args[0]
    if isinstance(path, (str, os.PathLike)):
        _seen.add(("open" if event == "open" else "list", os.path.abspath(path)))


def record_inputs() -> None:
    """Start noting the files and folders this process opens or lists (once per process;
    audit hooks cannot be removed, so a second call does nothing)."""
    global _recording
    if not _recording:
        _recording = True
        sys.addaudithook(_note)


def save_recorded_inputs(path: Path | str) -> None:
    """Write what this process read from the repository to `path` (JSON): the modules it
    loaded, the files it opened and the folders it listed."""
    modules = {os.path.abspath(module.__file__) for module in list(sys.modules.values())
               if getattr(module, "__file__", None)}
    seen = {"modules": sorted(modules), "opened": sorted(p for e, p in _seen if e == "open"),
            "listed": sorted(p for e, p in _seen if e == "list")}
    Path(path).write_text(json.dumps(seen))


def visible_files(root: Path = REPO_ROOT) -> set[str]:
    """The repository's files that git does not ignore (tracked or not), relative to `root`."""
    listing = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                             cwd=root, capture_output=True, check=True).stdout.decode()
    return {name for name in listing.split("\0") if name}


def file_hash(path: Path) -> str:
    """Sixteen hex digits of the SHA-256 of a file's bytes ("missing" if there is none)."""
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16] if path.is_file() else "missing"


def folder_hash(folder: str, visible: set[str], root: Path = REPO_ROOT) -> str:
    """A hash of the names and contents of a folder's files, Python modules left out (they
    count as modules, through imports), so a file added, removed or changed changes it."""
    prefix = folder.rstrip("/") + "/"
    names = sorted(name for name in visible if name.startswith(prefix) and "/" not in name[len(prefix):]
                   and not name.endswith(".py"))
    digest = hashlib.sha256()
    for name in names:
        digest.update(f"{name}\t{file_hash(root / name)}\n".encode())
    return digest.hexdigest()[:16]


def inputs_of(seen: dict[str, list[str]], script: Path, root: Path = REPO_ROOT) -> dict[str, str]:
    """A notebook's inputs, `{"path": hash}` for files and `{"path/": hash}` for folders:
    its script, the repository's modules it loaded and files it opened, the folders it
    listed that hold data (files that are not Python); git-ignored paths left out."""
    visible = visible_files(root)
    base = root.resolve()

    def relative(path: str) -> str | None:
        try:
            return Path(path).resolve().relative_to(base).as_posix()
        except ValueError:
            return None

    files = {relative(p) for p in [*seen["modules"], *seen["opened"]]} | {script.relative_to(root).as_posix()}
    files.discard(relative(__file__))  # the executor, not an input
    inputs = {name: file_hash(root / name) for name in sorted(f for f in files if f in visible)}
    own = script.parent.relative_to(root).as_posix()
    for folder in sorted({r for r in map(relative, seen["listed"]) if r and counts_as_input(r + "/", own)}):
        if any(name.startswith(folder + "/") and not name.endswith(".py") for name in visible):
            inputs[folder + "/"] = folder_hash(folder, visible, root)
    return inputs


def counts_as_input(name: str, notebooks: str) -> bool:
    """False for the notebooks' own folder: listing it (the kernel's working folder) is no
    input, and its files change with every execution of the series' other notebooks."""
    return name != notebooks.rstrip("/") + "/"


def current_hash(name: str, visible: set[str], root: Path = REPO_ROOT) -> str:
    """Today's hash of an input named as `inputs_of` names it."""
    return folder_hash(name[:-1], visible, root) if name.endswith("/") else file_hash(root / name)


def read_stamps(path: Path = STAMPS) -> dict[str, dict]:
    """The inputs noted at each notebook's last execution, by notebook name."""
    return json.loads(path.read_text()) if path.is_file() else {}


def changed_inputs(notebook: Path, stamps: dict[str, dict], root: Path = REPO_ROOT) -> list[str]:
    """Why `notebook` must be executed again: the inputs that changed since its last
    execution (all of them, as "never executed here", without a stamp). Empty: up to date."""
    stamp = stamps.get(notebook.stem)
    if stamp is None:
        return ["never executed by make execute"]
    if file_hash(notebook) != stamp["notebook"]:
        return [f"{notebook.name} itself was changed since"]
    visible, own = visible_files(root), notebook.parent.relative_to(root).as_posix()
    return [name for name, digest in stamp["inputs"].items()
            if counts_as_input(name, own) and current_hash(name, visible, root) != digest]


def output_text(notebook: dict) -> str:
    """All text a notebook's code cells printed or displayed (images left out), from its JSON."""
    parts = []
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            parts.append("".join(output.get("text", "")))
            parts.append("\n".join(output.get("traceback", [])))  # errors
            for kind, value in output.get("data", {}).items():
                if kind.startswith("text/"):
                    parts.append("".join(value))
    return "\n".join(parts)


#: A row of `evaluation.ablation.format_table`: a name, then PSNR, CIEDE2000, AuC, colorfulness, minutes.
VARIANT_ROW = re.compile(r"^(?P<name>\S.*?)\s+(?P<psnr>\d+\.\d+)\s+(?P<ciede2000>\d+\.\d+)\s+"
                         r"(?P<auc>\d\.\d+)\s+(?P<colorfulness>\d+\.\d+)\s+(?P<minutes>\d+\.\d+)$",
                         re.MULTILINE)
#: A row of notebook 04's per-epoch table: epoch, training L1 | PSNR, CIEDE2000, AuC, colorfulness.
EPOCH_ROW = re.compile(r"^\s*(\d+)\s+\d\.\d+ \|\s+\d+\.\d+\s+(\d+\.\d+)\s", re.MULTILINE)


def variant_rows(text: str) -> dict[str, dict[str, str]]:
    """{variant: {score: value as printed}} of every variant table in a notebook's output text
    (the first row of each name), for the checks that read committed outputs."""
    rows: dict[str, dict[str, str]] = {}
    for row in VARIANT_ROW.finditer(text):
        rows.setdefault(row["name"], {k: v for k, v in row.groupdict().items() if k != "name"})
    return rows


def epoch_ciede2000(text: str) -> list[tuple[str, str]]:
    """(epoch, held-out CIEDE2000) as printed in notebook 04's per-epoch table."""
    return EPOCH_ROW.findall(text)


def execute_notebook(notebook: Path, seen_file: Path, timeout: int | None = None) -> None:
    """Execute `notebook` in place in a fresh kernel that notes what it reads into `seen_file`."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    # The kernel imports this checkout's package, whatever an editable install points at.
    env = {**os.environ, RECORD_ENV: str(seen_file),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), os.environ.get("PYTHONPATH")]))}
    client = NotebookClient(nb, timeout=timeout, kernel_name="python3",
                            resources={"metadata": {"path": str(notebook.parent)}})
    client.execute(env=env)
    nbformat.write(nb, notebook)


def execute(notebooks: Iterable[Path], force: bool = False, stamps_file: Path = STAMPS,
            root: Path = REPO_ROOT) -> list[str]:
    """Execute in order each notebook whose inputs changed (every one with `force`), noting
    its new inputs after each; print why, how long each took, and the total. Returns the
    names of the notebooks executed."""
    stamps, executed, started = read_stamps(stamps_file), [], time.perf_counter()
    for notebook in notebooks:
        reasons = ["asked to"] if force else changed_inputs(notebook, stamps, root)
        if not reasons:
            print(f"{notebook.stem}: up to date", flush=True)
            continue
        shown = ", ".join(reasons[:4]) + (f" and {len(reasons) - 4} more" if len(reasons) > 4 else "")
        print(f"{notebook.stem}: executing ({shown})", flush=True)
        began = time.perf_counter()
        seen_file = stamps_file.with_name(f".seen-{notebook.stem}.json")
        try:
            execute_notebook(notebook, seen_file)
            seen = json.loads(seen_file.read_text())
        finally:
            seen_file.unlink(missing_ok=True)
        minutes = round((time.perf_counter() - began) / 60, 1)
        stamps[notebook.stem] = {"notebook": file_hash(notebook), "minutes": minutes,
                                 "inputs": inputs_of(seen, notebook.with_suffix(".py"), root)}
        stamps_file.write_text(json.dumps(stamps, indent=1, sort_keys=True) + "\n")
        executed.append(notebook.stem)
        print(f"{notebook.stem}: {minutes:.1f} min", flush=True)
    print(f"{len(executed)} notebooks executed in {(time.perf_counter() - started) / 60:.1f} min", flush=True)
    return executed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m colorhelpers.series", description=__doc__.split("\n")[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="notebooks (default: all, in order)")
    parser.add_argument("--force", action="store_true", help="execute them whether or not anything changed")
    parser.add_argument("--check", action="store_true",
                        help="only say which would be executed (exit 1 if any)")
    args = parser.parse_args(argv)
    notebooks = [p.resolve() for p in args.notebooks] or sorted(NOTEBOOKS.glob("[0-9][0-9]_*.ipynb"))
    if args.check:
        stamps = read_stamps(STAMPS)
        stale = {nb.stem: changed_inputs(nb, stamps, REPO_ROOT) for nb in notebooks}
        for name, reasons in stale.items():
            print(f"{name}: {'up to date' if not reasons else 'out of date: ' + ', '.join(reasons)}")
        return 1 if any(stale.values()) else 0
    from nbclient.exceptions import CellExecutionError

    try:
        execute(notebooks, force=args.force, stamps_file=STAMPS, root=REPO_ROOT)
    except CellExecutionError as err:  # the failing cell's code and error, without the client's stack
        print(f"a cell failed; its notebook was left as it was:\n{err}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
