"""How far apart two colours look, with normal colour vision and with each common colour-vision deficiency.

For the tests of chart palettes (``from colour_vision import colour_difference``). A deficiency is simulated
with the matrices of Machado, Oliveira and Fernandes (2009, IEEE TVCG 15(6)) at full severity, applied in
linear sRGB: protanopia and deuteranopia (the red-green deficiencies, about 1 man in 12) and tritanopia
(blue-yellow, rare). The difference is CIEDE2000 in CIELAB (D65): about 2 is the smallest step a viewer sees
between two large patches; lines a couple of pixels thick need tens.
"""

from __future__ import annotations

import math

import numpy as np
from matplotlib.colors import to_rgb

VISION = {
    "normal": np.eye(3),
    "protanopia": np.array([[0.152286, 1.052583, -0.204868], [0.114503, 0.786281, 0.099216],
                            [-0.003882, -0.048116, 1.051998]]),
    "deuteranopia": np.array([[0.367322, 0.860646, -0.227968], [0.280085, 0.672501, 0.047413],
                              [-0.011820, 0.042940, 0.968881]]),
    "tritanopia": np.array([[1.255528, -0.076749, -0.178779], [-0.078411, 0.930809, 0.147602],
                            [0.004733, 0.691367, 0.303900]]),
}
_SRGB_TO_XYZ = np.array([[0.4124564, 0.3575761, 0.1804375], [0.2126729, 0.7151522, 0.0721750],
                         [0.0193339, 0.1191920, 0.9503041]])
_WHITE = np.array([0.95047, 1.0, 1.08883])


def _lab(colour: str, vision: str) -> tuple[float, float, float]:
    """CIELAB of a matplotlib colour as a viewer with ``vision`` sees it."""
    rgb = np.array(to_rgb(colour))
    linear = np.where(rgb <= 0.04045, rgb / 12.92, ((rgb + 0.055) / 1.055) ** 2.4)
    xyz = _SRGB_TO_XYZ @ np.clip(VISION[vision] @ linear, 0.0, 1.0) / _WHITE
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return 116 * f[1] - 16, 500 * (f[0] - f[1]), 200 * (f[1] - f[2])


def _ciede2000(lab1: tuple[float, float, float], lab2: tuple[float, float, float]) -> float:
    """CIEDE2000 (Sharma, Wu and Dalal 2005), with kL = kC = kH = 1."""
    (l1, a1, b1), (l2, a2, b2) = lab1, lab2
    c_mean = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1 = math.degrees(math.atan2(b1, a1)) % 360 if c1 else 0.0
    h2 = math.degrees(math.atan2(b2, a2)) % 360 if c2 else 0.0
    dh = 0.0 if c1 * c2 == 0 else (h2 - h1 + 180) % 360 - 180
    d_hue = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(dh / 2))
    l_mean, c_mean = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        h_mean = h1 + h2
    elif abs(h1 - h2) <= 180:
        h_mean = (h1 + h2) / 2
    else:
        h_mean = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(h_mean - 30)) + 0.24 * math.cos(math.radians(2 * h_mean))
         + 0.32 * math.cos(math.radians(3 * h_mean + 6)) - 0.20 * math.cos(math.radians(4 * h_mean - 63)))
    s_l = 1 + 0.015 * (l_mean - 50) ** 2 / math.sqrt(20 + (l_mean - 50) ** 2)
    s_c, s_h = 1 + 0.045 * c_mean, 1 + 0.015 * c_mean * t
    r_t = (-2 * math.sqrt(c_mean ** 7 / (c_mean ** 7 + 25 ** 7))
           * math.sin(math.radians(60 * math.exp(-(((h_mean - 275) / 25) ** 2)))))
    terms = ((l2 - l1) / s_l, (c2 - c1) / s_c, d_hue / s_h)
    return math.sqrt(sum(x * x for x in terms) + r_t * terms[1] * terms[2])


def colour_difference(first: str, second: str, vision: str = "normal") -> float:
    """CIEDE2000 between two matplotlib colours as seen with ``vision`` (a key of :data:`VISION`)."""
    return _ciede2000(_lab(first, vision), _lab(second, vision))


def contrast_ratio(first, second) -> float:
    """WCAG 2 contrast ratio of two matplotlib colours: (L1 + 0.05) / (L2 + 0.05), L the relative luminance."""
    def luminance(colour) -> float:
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in to_rgb(colour)]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]
    high, low = sorted((luminance(first), luminance(second)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def _painted(artist) -> list:
    """The colours an artist paints a mark in (its line, its marker's face and edge, a patch's fill and edge)."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch
    out = []
    if isinstance(artist, Line2D):
        if artist.get_linestyle() not in ("None", "none", "", " ") and artist.get_linewidth() > 0:
            out.append(artist.get_color())
        if artist.get_marker() not in ("None", "none", "", " ", None):
            out += [artist.get_markerfacecolor(), artist.get_markeredgecolor()]
    elif isinstance(artist, Patch):
        out.append(artist.get_facecolor())
        if artist.get_linewidth() > 0:
            out.append(artist.get_edgecolor())
    return [c for c in out if not (isinstance(c, str) and c.lower() == "none") and to_rgba_alpha(c) > 0]


def to_rgba_alpha(colour) -> float:
    from matplotlib.colors import to_rgba
    return to_rgba(colour)[3]


def marks_below(ax, minimum: float = 3.0) -> list[tuple[str, str, float]]:
    """(label, colour, contrast) of every mark of ``ax`` (lines, markers, bars, and the legend's keys) whose
    most contrasting colour has less than ``minimum`` contrast with the axes' background (WCAG 1.4.11)."""
    from matplotlib.colors import to_hex
    background = ax.get_facecolor()
    legend = ax.get_legend()
    artists = [*ax.lines, *ax.patches, *(legend.legend_handles if legend is not None else [])]
    below = []
    for artist in artists:
        colours = _painted(artist)
        if not colours:
            continue
        best = max(colours, key=lambda c: contrast_ratio(c, background))
        ratio = contrast_ratio(best, background)
        if ratio < minimum:
            below.append((str(artist.get_label()), to_hex(best), round(ratio, 2)))
    return below


def texts_below(figure, minimum: float = 4.5) -> list[tuple[str, str, str, float]]:
    """(text, colour, background, contrast) of every text drawn on ``figure`` (titles, tick labels, axis labels,
    annotations, legend entries) that has less than ``minimum`` contrast with a background it stands on (WCAG
    1.4.3; 4.5:1 for text of normal size).

    The backgrounds are read from the figure drawn without its texts: each colour that covers at least a quarter
    of a text's box (a bar, a heat-map cell, the axes or the page), under the text's own box if it has one (its
    fill laid over them with its alpha). A text that decides at drawing time not to show (``fits`` False) is
    skipped, as are empty and hidden ones.
    """
    from matplotlib.colors import to_hex, to_rgba
    from matplotlib.text import Text

    canvas = figure.canvas
    if not hasattr(canvas, "buffer_rgba"):
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    texts = [t for t in figure.findobj(Text) if t.get_visible() and t.get_text().strip() and getattr(t, "fits", True)]
    boxes = [t.get_window_extent(renderer) for t in texts]
    for text in texts:
        text.set_visible(False)
    try:
        canvas.draw()
        pixels = np.asarray(canvas.buffer_rgba())[..., :3].astype(float) / 255
    finally:
        for text in texts:
            text.set_visible(True)
    height, width = pixels.shape[:2]
    below = []
    for text, box in zip(texts, boxes):
        x0, x1 = max(0, int(box.x0)), min(width, int(np.ceil(box.x1)))
        y0, y1 = max(0, int(height - box.y1)), min(height, int(np.ceil(height - box.y0)))
        if x1 <= x0 or y1 <= y0:
            continue  # outside the figure: not drawn
        area = pixels[y0:y1, x0:x1].reshape(-1, 3)
        colours, counts = np.unique(np.round(area, 3), axis=0, return_counts=True)
        grounds = [tuple(c) for c, n in zip(colours, counts) if n >= 0.25 * len(area)]
        patch = text.get_bbox_patch()
        if patch is not None and patch.get_visible():
            *fill, alpha = to_rgba(patch.get_facecolor())
            grounds = [tuple(alpha * np.array(fill) + (1 - alpha) * np.array(g)) for g in grounds]
        *ink, ink_alpha = to_rgba(text.get_color(), text.get_alpha())
        for ground in grounds:
            seen = tuple(ink_alpha * np.array(ink) + (1 - ink_alpha) * np.array(ground))
            ratio = contrast_ratio(seen, ground)
            if ratio < minimum:
                below.append((text.get_text(), to_hex(seen), to_hex(ground), round(ratio, 2)))
    return below
