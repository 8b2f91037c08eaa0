"""Part 8, manga pages (notebooks/12_pages_and_palettes): panels found by their gutters and
borders (`panels`), printed screentone turned back into gray tones (`screentone`), and a page
colored panel by panel on the one road (`page`)."""

from colorhelpers.pages.page import PageResult, colorize_page, colorize_page_path, page_signs
from colorhelpers.pages.panels import Panel, find_panels
from colorhelpers.pages.screentone import descreen, find_screen

__all__ = ["PageResult", "Panel", "colorize_page", "colorize_page_path", "descreen", "find_panels",
           "find_screen",
           "page_signs"]
