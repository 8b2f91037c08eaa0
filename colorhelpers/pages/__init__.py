"""Part 8, manga pages (notebooks/12_pages_and_palettes): panels found by their gutters and
borders (`panels`), printed screentone turned back into gray tones (`screentone`), a drawing
repeated on a page found and colored alike (`repeats`), and a page colored panel by panel on
the one road (`page`)."""

from colorhelpers.pages.page import PageResult, colorize_page, colorize_page_path, page_signs
from colorhelpers.pages.panels import Panel, find_panels
from colorhelpers.pages.repeats import Repeat, find_repeats
from colorhelpers.pages.screentone import descreen, find_screen

__all__ = ["PageResult", "Panel", "Repeat", "colorize_page", "colorize_page_path", "descreen", "find_panels",
           "find_repeats", "find_screen", "page_signs"]
