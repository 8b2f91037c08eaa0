"""Part 6, colors you choose (notebooks/09_hints): hint points and scribbles (`points`), spread
edge-aware (`propagation`), a reference image matched by region (`reference`), as a guide on the
road (`guide`), measured (`sweep`) and clicked (`widget`)."""

from colorhelpers.hints.guide import HintColorizer, HintGuide
from colorhelpers.hints.points import Hints, HintsError, read_all_hints, read_hints, simulate_hints
from colorhelpers.hints.propagation import Propagator
from colorhelpers.hints.reference import Reference, reference_hints, shifted_mirror
from colorhelpers.hints.sweep import hint_sweep, reference_test
from colorhelpers.hints.widget import HintWidget

__all__ = ["HintColorizer", "HintGuide", "HintWidget", "Hints", "HintsError", "Propagator", "Reference",
           "hint_sweep", "read_all_hints", "read_hints", "reference_hints", "reference_test",
           "shifted_mirror",
           "simulate_hints"]
