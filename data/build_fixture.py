"""Rebuild data/fixture, the tests' tiny data set, as a slice of data/anime.

The fixture has the layout of data/anime (`train/`, `heldout/`) and holds byte-identical
copies of some of its files, under the same names, so what the tests and the notebooks'
fixture mode read is the default data, only less of it:

- train: 24 of the 93 training identities, evenly spaced in sorted order, one image each;
- heldout: 8 of the 10 held-out identities, evenly spaced, one image each.

Of an identity's colorings the smallest file is taken (the fixture stays small in bytes).
Every image of an identity sits on one side of data/anime's split, so the fixture keeps
that split: no identity is on both sides. tests/test_fixture.py checks all of this.

    python data/build_fixture.py                 # from data/anime into data/fixture
    python data/build_fixture.py --check         # only say whether data/fixture is current

Needs nothing but the standard library.
"""

from __future__ import annotations

import argparse
import shutil
from pathlib import Path

DATA = Path(__file__).resolve().parent
#: Images per side of the fixture, one per identity.
COUNTS = {"train": 24, "heldout": 8}


def identity(name: str) -> str:
    """The identity of an anime image: its file name without the coloring number.

    >>> identity("m_punk_07.png")
    'm_punk'
    """
    return name.rsplit("_", 1)[0]


def evenly_spaced(items: list[str], count: int) -> list[str]:
    """`count` items at evenly spaced positions of `items`, first and last included.

    >>> evenly_spaced(list("abcdefghij"), 4)
    ['a', 'd', 'g', 'j']
    """
    if count > len(items):
        raise SystemExit(f"need {count} identities, only {len(items)} available")
    if count == 1:
        return items[:1]
    return [items[round(i * (len(items) - 1) / (count - 1))] for i in range(count)]


def fixture_files(anime: Path = DATA / "anime") -> dict[str, list[str]]:
    """The file names the fixture takes from each side of `anime`, sorted."""
    chosen = {}
    for split, count in COUNTS.items():
        files = sorted(p for p in (anime / split).iterdir() if p.is_file() and not p.name.startswith("."))
        by_identity: dict[str, list[Path]] = {}
        for path in files:
            by_identity.setdefault(identity(path.name), []).append(path)
        names = evenly_spaced(sorted(by_identity), count)
        # The smallest file of each identity (ties: the first name).
        chosen[split] = sorted(min(by_identity[n], key=lambda p: (p.stat().st_size, p.name)).name
                               for n in names)
    return chosen


def build(anime: Path = DATA / "anime", out: Path = DATA / "fixture") -> dict[str, list[str]]:
    """Delete and rewrite `out`'s `train/` and `heldout/` as copies of the chosen files."""
    chosen = fixture_files(anime)
    for split, names in chosen.items():
        shutil.rmtree(out / split, ignore_errors=True)
        (out / split).mkdir(parents=True)
        for name in names:
            shutil.copyfile(anime / split / name, out / split / name)
    return chosen


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--anime", type=Path, default=DATA / "anime", help="source (default: data/anime)")
    parser.add_argument("--out", type=Path, default=DATA / "fixture", help="fixture (default: data/fixture)")
    parser.add_argument("--check", action="store_true", help="only check that --out is current")
    args = parser.parse_args()
    if args.check:
        chosen = fixture_files(args.anime)
        stale = [f"{split}/{name}" for split, names in chosen.items() for name in names
                 if not (args.out / split / name).is_file()
                 or (args.out / split / name).read_bytes() != (args.anime / split / name).read_bytes()]
        extra = [f"{p.parent.name}/{p.name}" for split in COUNTS for p in sorted((args.out / split).glob("*"))
                 if p.name not in chosen[split]]
        print("fixture is current" if not stale + extra else f"fixture is stale: {stale + extra}")
        raise SystemExit(1 if stale + extra else 0)
    chosen = build(args.anime, args.out)
    size = sum((args.out / split / name).stat().st_size for split, names in chosen.items() for name in names)
    print(f"fixture: train {len(chosen['train'])}, held-out {len(chosen['heldout'])}, "
          f"{size / 1000:.0f} kB in {args.out}")


if __name__ == "__main__":
    main()
