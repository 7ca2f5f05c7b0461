"""Colours that keep WCAG AA contrast, and the check behind that claim.

Every mark colour reaches 4.5:1 against the white background (WCAG 2.2, 1.4.11 asks 3:1 for
graphics; 4.5:1 also lets white labels sit on the marks, 1.4.3). Colour is never the only cue:
segments carry their percentage, Likert levels keep their side of the zero line and a legend in
scale order, trend series also differ by dash and point shape and are labelled at their end.
"""

from __future__ import annotations

BACKGROUND = "#ffffff"
TEXT = "#1a1a1a"
MUTED_TEXT = "#4d4d4d"
RULE = "#1a1a1a"
BAR = "#1f5590"  # single series
HIGHLIGHT = "#0b3866"  # median bracket, own answer
APART = "#595959"  # "Ne sait pas", "Impossible à estimer"

# Likert, from the most positive to the most negative level.
DIVERGING = ["#0b3866", "#2a65a8", "#a34a00", "#6b2a00"]
# Series of trend lines and grouped bars.
CATEGORICAL = [
    "#1f5590",
    "#a34a00",
    "#2b6b2e",
    "#6b3f8f",
    "#8a1c3c",
    "#4d4d4d",
    "#005f73",
    "#7a5200",
]
DASHES = [[1, 0], [6, 3], [2, 2], [8, 3, 2, 3], [4, 4], [1, 3], [10, 2], [3, 6]]
SHAPES = ["circle", "square", "triangle-up", "diamond", "cross", "triangle-down", "stroke", "wedge"]


def _channel(value: int) -> float:
    c = value / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(colour: str) -> float:
    """WCAG 2.2 relative luminance of a #rrggbb colour."""
    colour = colour.lstrip("#")
    r, g, b = (int(colour[i : i + 2], 16) for i in (0, 2, 4))
    return 0.2126 * _channel(r) + 0.7152 * _channel(g) + 0.0722 * _channel(b)


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2.2 contrast ratio, from 1 to 21."""
    lighter, darker = sorted((relative_luminance(first), relative_luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)
