"""Screentone: the dot screens of printed manga, turned back into gray tones before coloring.

Taught in notebooks/12_pages_and_palettes. A printed page draws its mid-tones as regular grids
of black dots on white. Pure black and pure white hold no color (CIELab's gamut closes at both
ends), so a colorizer that keeps the input's lightness leaves such a page gray. A regular screen
is a bright spot in the page's 2-D Fourier spectrum, away from the middle: `find_screen` finds
the highest spot (log magnitude, smoothed over a few bins, above its wide neighbourhood) and its
period. Notching that spot alone leaves the dots (a screen over part of a page spreads its
energy around the spot), so `descreen` low-passes the page with a Gaussian half the period
wide, which averages each dot with its cell. A third of the period came a little closer to
the digital gray (PSNR) but left a ripple that cut the page's flat regions, which palettes
and references are matched on, into half as many (notebook 12 compares the choices).
"""

from __future__ import annotations

import cv2
import numpy as np

#: Frequencies below this (cycles per pixel) are the drawing's shapes, never a screen (periods over 12 px).
LOWEST = 1 / 12
#: A page whose spectrum's highest spot stands this much above its neighbourhood (log) is screened.
SCREENED = 2.7
#: The spot's smoothing and its neighbourhood, in frequency bins.
SPOT_SIGMA, NEIGHBOURHOOD = 2.0, 61
#: The low-pass's width, as a share of the screen's period.
SIGMA_PER_PERIOD = 1 / 2


def find_screen(gray: np.ndarray) -> tuple[float, float]:
    """(strength, period in pixels) of the strongest regular pattern of a uint8 gray page finer
    than 12 px: strength above `SCREENED` for a dot screen, lower for digital gray and line art."""
    image = np.asarray(gray, np.float32)
    spectrum = cv2.dft(image - image.mean(), flags=cv2.DFT_COMPLEX_OUTPUT)
    magnitude = np.fft.fftshift(np.log1p(cv2.magnitude(spectrum[..., 0], spectrum[..., 1])))
    spot = cv2.GaussianBlur(magnitude, (0, 0), SPOT_SIGMA)
    height = spot - cv2.blur(spot, (NEIGHBOURHOOD, NEIGHBOURHOOD))
    fy = np.fft.fftshift(np.fft.fftfreq(image.shape[0]))[:, None]
    fx = np.fft.fftshift(np.fft.fftfreq(image.shape[1]))[None, :]
    radius = np.hypot(fy, fx)
    height[radius < LOWEST] = -np.inf
    peak = np.unravel_index(np.argmax(height), height.shape)
    return float(height[peak]), float(1.0 / radius[peak])


def descreen(gray: np.ndarray, period: float | None = None) -> np.ndarray:
    """A uint8 gray page [h, w] with its dot screen (of `period` px, found if None) averaged
    into gray tones: uint8 gray."""
    if period is None:
        period = find_screen(gray)[1]
    return cv2.GaussianBlur(np.asarray(gray, np.uint8), (0, 0), SIGMA_PER_PERIOD * period)
