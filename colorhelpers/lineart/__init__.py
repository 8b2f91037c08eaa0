"""Part 10, line art (notebooks/11_line_art): which model colors an input (`kind`), and hints that
fill the regions closed by the lines (`regions`). The training pairs live in `colorhelpers.data.lines`."""

from colorhelpers.lineart.kind import KIND_CHOICES, Models, choose_kind, kind_of
from colorhelpers.lineart.regions import FILLS, LineArtGuide, line_regions, region_fill

__all__ = ["FILLS", "KIND_CHOICES", "LineArtGuide", "Models", "choose_kind", "kind_of", "line_regions",
           "region_fill"]
