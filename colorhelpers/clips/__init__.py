"""Part 7, clips (notebooks/10_animation): steady colors along the optical flow as a guide on
the road (`flow`), test clips with known motion with their two scores (`motion`), keyframes
carried both ways (`keyframes`), and what a user gives for a clip and which road it takes (`color`)."""

from colorhelpers.clips.flow import CARRY, FlowTracker, Steadier, SteadyGuide
from colorhelpers.clips.motion import FrameBrowser, MovingClip, mean_ciede2000, moving_clip, warping_error

__all__ = ["CARRY", "FlowTracker", "FrameBrowser", "MovingClip", "Steadier", "SteadyGuide", "mean_ciede2000",
           "moving_clip", "warping_error"]
