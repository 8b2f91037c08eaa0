"""Part 7, clips (notebooks/10_animation): steady colors along the optical flow as a guide on
the road (`flow`), and test clips with known motion with their two scores (`motion`)."""

from colorhelpers.clips.flow import CARRY, FlowTracker, Steadier, SteadyGuide
from colorhelpers.clips.motion import FrameBrowser, MovingClip, mean_ciede2000, moving_clip, warping_error

__all__ = ["CARRY", "FlowTracker", "FrameBrowser", "MovingClip", "Steadier", "SteadyGuide", "mean_ciede2000",
           "moving_clip", "warping_error"]
