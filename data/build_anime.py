#!/usr/bin/env python3
"""Build colorgan's anime character set from the GearHead portraits (Debian, LGPL-2+).

The roguelikes GearHead and GearHead 2 (Joseph Hewitt; portraits by Ladene Kosaka,
fmunoz.geo, Phil Muñoz and others) ship about a hundred manga-style, cel-shaded bust
portraits, 100x150 pixels, drawn with color KEYS so that the game can recolor them:

    red ramp     (r > 0, g = b = 0)   clothes (and, in many portraits, the eyes and mouth)
    yellow ramp  (r = g, b = 0)       skin
    green ramp   (g > 0, r = b = 0)   hair
    pure blue    (0, 0, 255)          transparent background
    gray         (r = g = b)          kept as drawn: lines, metal, white cloth

The intensity of a ramp (its max channel) is the shading. Edges are antialiased mixtures of
those, e.g. (0, 0, 141) is a dark line over the background and (100, 100, 0) can be skin in
shadow or a hair/clothes edge.

This script:

1. gets the packages `gearhead-data` and `gearhead2-data` (`apt-get download` into a temporary
   folder; or `--debs DIR` with the .deb files; or `--source DIR` with both already extracted
   by `dpkg -x` into the same DIR), collects `por_*.png`, drops `por_x_*` (robots, silhouette,
   dog) and portraits without skin, and dedupes by a hash of the pixels. The identity of a
   portrait is its file name without `por_`, without the flag suffix `(JA-)` and without the
   artist prefixes `joe_/ladi_/phil_/wip_` (e.g. `f_gentle`);
2. splits each pixel additively into key components (`decompose`): foreground alpha (one minus
   the blue background's share), kept gray, clothes, skin and hair intensities, plus a label
   for small red blobs in the face (eyes, mouth). Hair/clothes edges that only look yellow are
   given back to red + green. The decomposition is saved losslessly in `<out>/keys/` (the key
   image itself and a strip of the component maps; `--from-keys` rebuilds from them offline);
3. recolors each portrait many times (`render`): skin from realistic anime skin tones and the
   game's skin palette (hue kept in the peach-orange range), hair in natural colors and, less
   often, anime ones, clothes from the game's clothing palette or any hue, eyes and lips their
   own colors; every color is a painted ramp (shadows darker and hue-shifted: warm for skin,
   cooler for cool colors; highlights lighter and less saturated), indexed by the key's
   intensity relative to the region's flat base tone, so that the lightness stays a render of
   the drawing; the drawn gray is kept; varied backgrounds (white, off-white, pastel, gradient,
   two-tone, bokeh, soft noise, a few dark ones);
4. crops each coloring as the whole bust padded to a square, the upper two thirds, or a close-up
   of the head (random jitter and mirror), renders at twice the output size and downsizes with
   LANCZOS to `--size` (128);
5. splits by identity: every coloring of an identity goes to `heldout/` when the SHA-1 of the
   identity, read as an integer, is 0 mod `--split-mod` (8), else to `train/`;
6. writes `<out>/LICENSE.txt` (LGPL-2+, attribution, what was changed) and `<out>/README.md`.

Output names are `<portrait>_<nn>.png`; runs are deterministic (seeded from the portrait name
and the coloring number). Usage (repository root; needs apt-get and dpkg, or --debs/--source):

    python data/build_anime.py                          # data/anime, 10 / 6 colorings
    python data/build_anime.py --from-keys              # rebuild from data/anime/keys only
    python data/build_anime.py --train-colorings 16 --heldout-colorings 8   # ~36 MB
"""

from __future__ import annotations

import argparse
import glob
import hashlib
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

import numpy as np
from PIL import Image
from scipy import ndimage

PACKAGES = ("gearhead-data", "gearhead2-data")
PORTRAIT_DIRS = ("usr/share/games/gearhead/Image", "usr/share/games/gearhead2/image")
ARTIST_PREFIXES = ("joe", "ladi", "phil", "wip")
SRC_W, SRC_H = 100, 150
PANELS = ("alpha", "gray", "clothes", "skin", "hair", "face")  # order of the strip in keys/
FACE_EYE, FACE_LIP = 128, 255  # values of the "face" panel

# ----------------------------------------------------------------------------------------
# color science (sRGB D65 <-> CIELab), small and vectorised
# ----------------------------------------------------------------------------------------
_M = np.array([[0.4124564, 0.3575761, 0.1804375],
               [0.2126729, 0.7151522, 0.0721750],
               [0.0193339, 0.1191920, 0.9503041]])
_MI = np.linalg.inv(_M)
_WHITE = np.array([0.95047, 1.0, 1.08883])


def srgb_to_lin(c):
    c = np.asarray(c, float) / 255.0
    return np.where(c <= 0.04045, c / 12.92, ((c + 0.055) / 1.055) ** 2.4)


def lin_to_srgb(c):
    c = np.clip(c, 0, 1)
    return 255.0 * np.where(c <= 0.0031308, 12.92 * c, 1.055 * c ** (1 / 2.4) - 0.055)


def rgb_to_lab(rgb):
    xyz = srgb_to_lin(rgb) @ _M.T / _WHITE
    f = np.where(xyz > 216 / 24389, np.cbrt(xyz), (24389 / 27 * xyz + 16) / 116)
    return np.stack([116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]),
                     200 * (f[..., 1] - f[..., 2])], -1)


def lab_to_lin(lab):
    L, a, b = lab[..., 0], lab[..., 1], lab[..., 2]
    fy = (L + 16) / 116
    f = np.stack([fy + a / 500, fy, fy - b / 200], -1)
    xyz = np.where(f ** 3 > 216 / 24389, f ** 3, (116 * f - 16) / (24389 / 27)) * _WHITE
    return xyz @ _MI.T


def lch_to_rgb(L, C, h):
    """sRGB (0..255) of LCh(ab) colors; chroma is reduced until the color is in gamut."""
    L, C, h = np.broadcast_arrays(np.asarray(L, float), np.asarray(C, float), np.asarray(h, float))
    hr = np.deg2rad(h)
    lo, hi = np.zeros_like(C), np.ones_like(C)
    def lin(s):
        return lab_to_lin(np.stack([L, s * C * np.cos(hr), s * C * np.sin(hr)], -1))
    ok = np.all((lin(hi) >= -1e-4) & (lin(hi) <= 1 + 1e-4), -1)
    lo[ok] = 1.0
    for _ in range(14):  # bisection on the chroma scale
        mid = (lo + hi) / 2
        inside = np.all((lin(mid) >= -1e-4) & (lin(mid) <= 1 + 1e-4), -1)
        lo = np.where(inside, mid, lo)
        hi = np.where(inside, hi, mid)
    return lin_to_srgb(lin(lo))


def to_lch(rgb):
    lab = rgb_to_lab(np.asarray(rgb, float))
    hue = np.rad2deg(np.arctan2(lab[..., 2], lab[..., 1])) % 360
    return lab[..., 0], np.hypot(lab[..., 1], lab[..., 2]), hue


def y_to_l(y):
    return np.where(y > 216 / 24389, 116 * np.cbrt(y) - 16, 24389 / 27 * y)


def l_to_y(L):
    fy = (np.asarray(L, float) + 16) / 116
    return np.where(fy ** 3 > 216 / 24389, fy ** 3, (116 * fy - 16) / (24389 / 27))


def hue_toward(h, target, amount):
    d = (target - h + 180) % 360 - 180
    return (h + amount * d) % 360


# ----------------------------------------------------------------------------------------
# palettes
# ----------------------------------------------------------------------------------------
# Own anime skin tones (mostly light to medium, as in anime), (name, sRGB, weight).
SKIN_OWN = [
    ("porcelain", (253, 234, 224), 6), ("pale peach", (255, 226, 210), 10),
    ("light", (250, 214, 190), 12), ("light warm", (246, 204, 174), 12),
    ("peach", (242, 192, 164), 10), ("light medium", (232, 180, 146), 8),
    ("medium", (214, 160, 122), 6), ("tan", (198, 140, 100), 5),
    ("brown", (160, 106, 74), 4), ("dark brown", (112, 70, 48), 3), ("deep", (84, 52, 38), 2),
]
SKIN_HUE = (38.0, 66.0)  # allowed LCh hue range of a skin base (peach-orange); no yellow-green
SKIN_CHROMA_MAX = 32.0
HAIR_NATURAL = [
    ("black", (34, 31, 38), 9), ("blue black", (30, 34, 52), 4), ("soft black", (52, 46, 50), 5),
    ("dark brown", (72, 48, 36), 9), ("brown", (112, 74, 50), 9), ("chestnut", (142, 80, 50), 6),
    ("light brown", (166, 122, 82), 5), ("dark blonde", (192, 152, 94), 4),
    ("blonde", (232, 202, 134), 6), ("platinum", (238, 230, 206), 3), ("auburn", (150, 62, 42), 4),
    ("red", (192, 72, 46), 3), ("ginger", (212, 112, 60), 3), ("gray", (160, 160, 166), 2),
    ("white", (236, 236, 240), 1),
]
HAIR_ANIME = [
    ("pink", (246, 162, 192), 4), ("hot pink", (228, 92, 150), 2), ("blue", (72, 112, 210), 3),
    ("light blue", (140, 190, 240), 3), ("navy", (42, 56, 112), 2), ("purple", (132, 90, 190), 3),
    ("lavender", (192, 166, 226), 2), ("silver", (200, 206, 218), 4), ("teal", (40, 156, 158), 2),
    ("mint", (132, 210, 190), 1), ("crimson", (176, 32, 52), 1), ("green", (82, 160, 92), 1),
]
HAIR_ANIME_RATE = 0.28
EYES = [
    ("blue", (58, 108, 200)), ("light blue", (112, 172, 232)), ("green", (66, 150, 80)),
    ("emerald", (30, 140, 112)), ("brown", (120, 74, 40)), ("dark brown", (78, 48, 30)),
    ("amber", (212, 140, 40)), ("hazel", (150, 120, 60)), ("violet", (140, 90, 200)),
    ("red", (200, 40, 52)), ("gray", (128, 138, 150)), ("gold", (220, 180, 60)),
]
LIPS = [(204, 92, 104), (214, 112, 124), (184, 72, 84), (222, 124, 134), (194, 102, 96)]


def parse_sdl_colors(path):
    """GearHead's GameData/sdl_colors.txt: `FLAGS:Name <r g b>`; flags `Personal R Y G Mecha R Y G`."""
    out = []
    for line in Path(path).read_text(errors="replace").splitlines():
        m = re.match(r"^([-+]{6}):(.+?)\s*<(\d+)\s+(\d+)\s+(\d+)>", line.strip())
        if m:
            out.append((m.group(2), m.group(1), tuple(int(v) for v in m.group(3, 4, 5))))
    return out


def game_palettes(colors):
    cloth = [(n, rgb) for n, f, rgb in colors if f[0] == "+"]
    skin = []
    for n, f, rgb in colors:
        if f[1] != "+":
            continue
        L, C, h = to_lch(rgb)
        if 90 < h < 200:  # Goth Skin: pale green, the tint this set must not learn
            continue
        skin.append((n, tuple(np.round(lch_to_rgb(L, min(C, SKIN_CHROMA_MAX),
                                                  np.clip(h, *SKIN_HUE))).astype(int))))
    return cloth, skin


# ----------------------------------------------------------------------------------------
# sources
# ----------------------------------------------------------------------------------------
def get_packages(args, tmp):
    """Return (root with both packages extracted, {package: version})."""
    versions = {}
    if args.source:
        root = Path(args.source)
        for p in PACKAGES:
            cl = root / "usr/share/doc" / p / "changelog.Debian.gz"
            if cl.exists():
                head = subprocess.run(["zcat", str(cl)], capture_output=True, text=True).stdout
                m = re.match(r"\S+ \(([^)]+)\)", head)
                versions[p] = m.group(1) if m else "?"
        return root, versions
    debdir = Path(args.debs) if args.debs else Path(tmp) / "debs"
    if not args.debs:
        debdir.mkdir()
        subprocess.run(["apt-get", "download", *PACKAGES], cwd=debdir, check=True)
    root = Path(tmp) / "root"
    root.mkdir()
    for p in PACKAGES:
        debs = sorted(debdir.glob(f"{p}_*.deb"))
        if not debs:
            raise SystemExit(f"no {p}_*.deb in {debdir}")
        deb = debs[-1]
        versions[p] = subprocess.run(["dpkg-deb", "-f", str(deb), "Version"], capture_output=True,
                                     text=True, check=True).stdout.strip()
        subprocess.run(["dpkg-deb", "-x", str(deb), str(root)], check=True)
    return root, versions


def identity_of(filename):
    n = re.sub(r"^por_", "", Path(filename).stem)
    n = re.sub(r"\(.*\)$", "", n).rstrip("_")
    return re.sub(r"^([fmn])_({})_".format("|".join(ARTIST_PREFIXES)), r"\1_", n)


def collect(root):
    """Deduped portraits: list of dicts (portrait, identity, source, also, rgb).

    `identity` (the split unit) is the name without the artist prefix; drawings that share it
    (e.g. m_punk, m_ladi_punk, m_phil_punk) stay on one side of the split. `portrait` (the file
    name) keeps such a drawing apart: the artist prefix is joined on (m_ladipunk), or a number
    added when there is none (gearhead2's second f_vanda is f_vanda2).
    """
    seen, out = {}, []
    for d in PORTRAIT_DIRS:
        for f in sorted(glob.glob(str(Path(root) / d / "por_*.png"))):
            if not os.path.exists(f):  # a symlink into a package that is not extracted here
                continue
            rgb = np.asarray(Image.open(f).convert("RGB"))
            h = hashlib.sha1(rgb.tobytes()).hexdigest()
            rel = os.path.relpath(f, root)
            if h in seen:
                seen[h]["also"].append(rel)
                continue
            raw = re.sub(r"\(.*\)$", "", re.sub(r"^por_", "", Path(f).stem)).rstrip("_")
            seen[h] = dict(identity=identity_of(f), raw=raw, source=rel, also=[], rgb=rgb)
            out.append(seen[h])
    taken = set()
    # drawings without an artist prefix claim the plain name first
    for rec in sorted(out, key=lambda r: r["raw"] != r["identity"]):
        name = rec["identity"]
        if name in taken and rec["raw"] != rec["identity"]:
            name = re.sub(r"^([fmn])_({})_".format("|".join(ARTIST_PREFIXES)), r"\1_\2", rec["raw"])
        base, n = name, 2
        while name in taken:
            name = f"{base}{n}"
            n += 1
        taken.add(name)
        rec["portrait"] = name
    return out


# ----------------------------------------------------------------------------------------
# decomposition
# ----------------------------------------------------------------------------------------
def decompose(rgb):
    """Split a key image into uint8 component maps (PANELS) and the background color."""
    P = rgb.astype(float)
    border = np.concatenate([P[0], P[-1], P[:, 0], P[:, -1]])
    blueish = border[border[:, 2] - border[:, :2].max(1) > 100]
    B = np.median(blueish, 0) if len(blueish) else np.array([0.0, 0.0, 255.0])
    eB = B[2] - B[:2].max()
    # background share: the blue in excess of red and green (keys and grays have none)
    e = P[..., 2] - P[..., :2].max(-1)
    t = np.clip((e - 4) / (eB - 4), 0, 1)
    alpha = 1 - t
    F = (P - t[..., None] * B) / np.maximum(alpha, 1e-3)[..., None]
    F = np.clip(F, 0, 255)
    F[alpha < 0.03] = 0
    alpha[alpha < 0.03] = 0
    k = F.min(-1)
    cr, cg = F[..., 0] - k, F[..., 1] - k
    y = np.minimum(cr, cg)
    red, grn = cr - y, cg - y
    # "yellow" far from any real skin is a red/green (clothes/hair) edge: (1,1,0) = (1,0,0)+(0,1,0)
    skin_core = (y > 60) & (red < 0.3 * y) & (grn < 0.3 * y)
    near_skin = ndimage.binary_dilation(skin_core, iterations=2)
    fake = ~near_skin & (y > 0)
    red[fake] += y[fake]
    grn[fake] += y[fake]
    y[fake] = 0
    face = find_face_marks(red, y, grn, k, alpha)
    comp = dict(alpha=alpha * 255, gray=k, clothes=red, skin=y, hair=grn, face=face)
    return {n: np.clip(np.round(comp[n]), 0, 255).astype(np.uint8) for n in PANELS}


def find_face_marks(red, y, grn, k, alpha):
    """Label small red blobs enclosed by skin in the face: eyes (FACE_EYE) and mouth (FACE_LIP)."""
    face = np.zeros(red.shape)
    skin_core = (y > 60) & (red < 0.3 * y) & (grn < 0.3 * y)
    red_core = (red > 40) & (red > 1.5 * (y + grn))
    cloth_core = red_core.copy()
    lab, n = ndimage.label(red_core)
    blobs = []
    for i, sl in enumerate(ndimage.find_objects(lab), 1):
        m = lab[sl] == i
        area = m.sum()
        if area < 2 or area > 70 or sl[0].start > 95:
            continue
        y0, x0 = max(sl[0].start - 3, 0), max(sl[1].start - 3, 0)
        big = (lab[y0:sl[0].stop + 3, x0:sl[1].stop + 3] == i)
        ring = ndimage.binary_dilation(big, iterations=2) & ~big
        r_skin = skin_core[y0:sl[0].stop + 3, x0:sl[1].stop + 3][ring].mean()
        r_line = (((y + red + grn) < 40) & (alpha > 0.5))[y0:sl[0].stop + 3, x0:sl[1].stop + 3][ring].mean()
        r_cloth = (cloth_core & (lab != i))[y0:sl[0].stop + 3, x0:sl[1].stop + 3][ring].mean()
        if r_skin < 0.2 or r_cloth > 0.08 or r_skin + r_line < 0.75:
            continue
        cy, cx = ndimage.center_of_mass(lab == i)
        h, w = sl[0].stop - sl[0].start, sl[1].stop - sl[1].start
        blobs.append(dict(i=i, cy=cy, cx=cx, h=h, w=w, area=area))
    eyes = set()
    for a in blobs:  # a pair side by side is a pair of eyes
        for b in blobs:
            if a is not b and abs(a["cy"] - b["cy"]) < 5 and 6 < abs(a["cx"] - b["cx"]) < 32:
                eyes |= {a["i"], b["i"]}
    if eyes:
        eye_y = np.mean([b["cy"] for b in blobs if b["i"] in eyes])
    elif len(blobs) >= 2:  # no pair: the topmost blob is an eye, what is well below it a mouth
        eye_y = min(b["cy"] for b in blobs) + 2
    else:
        eye_y = None
    for b in blobs:
        if b["i"] in eyes:
            label = FACE_EYE
        elif eye_y is not None:
            label = FACE_LIP if b["cy"] > eye_y + 6 else FACE_EYE
        else:
            label = FACE_LIP if b["w"] >= 2.5 * b["h"] else FACE_EYE
        face[ndimage.binary_dilation(lab == b["i"], iterations=1)] = label
    return face


def save_keys(rec, comp, keydir):
    Image.fromarray(rec["rgb"]).save(keydir / f"{rec['portrait']}.png", optimize=True)
    strip = np.concatenate([comp[n] for n in PANELS], 1)
    Image.fromarray(strip, "L").save(keydir / f"{rec['portrait']}.components.png", optimize=True)


def load_components(path):
    strip = np.asarray(Image.open(path))
    return {n: strip[:, i * SRC_W:(i + 1) * SRC_W] for i, n in enumerate(PANELS)}


# ----------------------------------------------------------------------------------------
# painted ramps
# ----------------------------------------------------------------------------------------
def ramp(base_rgb, vbase, kind):
    """A 256x3 sRGB lookup table: key intensity v -> painted color; v = vbase gives the base color.

    Below the base the luminance falls like (v / vbase) ** 2.2 (so that lightness follows the
    drawing's shading) while the hue turns (warm toward red for skin and warm colors, toward
    violet for cool ones) and the chroma first rises; above it the color lightens toward a
    less saturated, slightly yellower highlight. v = 0 is black, so antialiased edges into a
    line blend the way the drawing does.
    """
    v = np.arange(256, dtype=float)
    t = v / max(vbase, 1.0)
    L0, C0, h0 = (float(x) for x in to_lch(base_rgb))
    Y0 = float(l_to_y(L0))
    s = np.clip(1 - t, 0, 1)                      # shadow depth
    sm = np.clip(s / 0.45, 0, 1)
    sm = sm * sm * (3 - 2 * sm)                   # smoothstep
    L = y_to_l(Y0 * np.clip(t, 0, 1) ** 2.2)
    if kind == "skin":
        h = hue_toward(h0, 30.0, 0.45 * sm)
        C = C0 * (1 + 0.3 * sm) + 3 * sm
    else:
        warm = h0 < 110 or h0 > 330
        h = hue_toward(h0, 25.0 if warm else 285.0, (0.22 if warm else 0.3) * sm)
        C = C0 * (1 + 0.2 * sm) + (3 * sm if C0 > 8 else 0)
    C = np.minimum(C, 1.1 * L + 4)                # deep shadows lose their color
    hi = np.clip((t - 1) / max(255.0 / max(vbase, 1) - 1, 0.08), 0, 1)
    L = np.where(t > 1, L0 + (min(L0 + 22, 99) - L0) * hi, L)
    C = np.where(t > 1, C0 * (1 - 0.35 * hi), C)
    warm = kind == "skin" or h0 < 110 or h0 > 330
    h = np.where(t > 1, hue_toward(h0, 85.0, 0.25 * hi) if warm else h0, h)
    lut = lch_to_rgb(L, C, h)
    lut[0] = 0
    return lut


def base_level(channel, core):
    vals = channel[core]
    return float(np.percentile(vals, 60)) if len(vals) >= 10 else 200.0


# ----------------------------------------------------------------------------------------
# rendering
# ----------------------------------------------------------------------------------------
def pick(rng, items, weights=None):
    if weights is None:
        return items[rng.integers(len(items))]
    w = np.asarray(weights, float)
    return items[rng.choice(len(items), p=w / w.sum())]


def jitter(rng, rgb, dl=3.0, dc=3.0, dh=4.0):
    L, C, h = (float(x) for x in to_lch(rgb))
    return lch_to_rgb(np.clip(L + rng.normal(0, dl), 2, 98), max(C + rng.normal(0, dc), 0),
                      h + rng.normal(0, dh))


def choose_colors(rng, pal):
    # the game's skin entries, the light ones (L* > 70) as often as an own tone, dark ones less
    skins = SKIN_OWN + [(n, rgb, 4.0 if to_lch(rgb)[0] > 70 else 1.5) for n, rgb in pal["skin"]]
    skin = pick(rng, skins, [w for _, _, w in skins])
    L, C, h = (float(x) for x in to_lch(skin[1]))
    skin_rgb = lch_to_rgb(np.clip(L + rng.normal(0, 2.5), 20, 96),
                          np.clip(C + rng.normal(0, 2.5), 6, SKIN_CHROMA_MAX),
                          np.clip(h + rng.normal(0, 3), *SKIN_HUE))
    hairs = HAIR_ANIME if rng.random() < HAIR_ANIME_RATE else HAIR_NATURAL
    hair = pick(rng, hairs, [w for _, _, w in hairs])
    if rng.random() < 0.6:
        cloth_name, cloth = pick(rng, pal["cloth"])
    else:  # any hue
        cloth_name = "random"
        cloth = lch_to_rgb(rng.uniform(25, 85), rng.uniform(10, 70), rng.uniform(0, 360))
    eye = pick(rng, EYES)
    lip = np.asarray(pick(rng, LIPS), float)
    lip = 0.55 * lip + 0.45 * skin_rgb * np.array([0.95, 0.7, 0.7])  # lips follow the skin tone
    return dict(skin=(skin[0], skin_rgb), hair=(hair[0], jitter(rng, hair[1])),
                clothes=(cloth_name, jitter(rng, cloth, 4, 5, 6)), eyes=(eye[0], jitter(rng, eye[1])),
                lips=("lips", lip))


def background(rng, S):
    yy = np.linspace(0, 1, S)[:, None, None]
    kind = pick(rng, ["white", "offwhite", "pastel", "gradient", "twotone", "bokeh", "noise", "dark"],
                [14, 12, 20, 20, 10, 12, 6, 6])
    def pastel(lo=84, hi=96, cmax=24):
        return lch_to_rgb(rng.uniform(lo, hi), rng.uniform(6, cmax), rng.uniform(0, 360))
    if kind == "white":
        bg = np.full((S, S, 3), 255.0)
    elif kind == "offwhite":
        tone = lch_to_rgb(rng.uniform(93, 98), rng.uniform(1, 6), rng.uniform(0, 360))
        bg = np.broadcast_to(tone, (S, S, 3)).copy()
    elif kind == "pastel":
        bg = np.broadcast_to(pastel(), (S, S, 3)).copy()
    elif kind == "gradient":
        a = pastel(80, 96, 28)
        b = pastel(88, 99, 14) if rng.random() < 0.6 else np.full(3, 255.0)
        bg = a + (b - a) * yy if rng.random() < 0.5 else b + (a - b) * yy
    elif kind == "twotone":
        a, b = pastel(), pastel(70, 92, 30)
        xx = np.linspace(0, 1, S)[None, :, None]
        if rng.random() < 0.5:
            m = yy > rng.uniform(0.45, 0.75) + 0 * xx
        else:
            m = (yy + rng.uniform(-0.6, 0.6) * xx) > rng.uniform(0.5, 0.8)
        m = ndimage.gaussian_filter(m.astype(float)[..., 0], 1.0)[..., None]
        bg = a * (1 - m) + b * m
    elif kind == "bokeh":
        bg = np.broadcast_to(pastel(78, 94, 26), (S, S, 3)).copy()
        Y, X = np.mgrid[0:S, 0:S]
        for _ in range(int(rng.integers(6, 16))):
            cx, cy, r = rng.uniform(0, S), rng.uniform(0, S), rng.uniform(0.04, 0.14) * S
            col = pastel(88, 99, 30)
            m = np.clip((r - np.hypot(X - cx, Y - cy)) / (0.25 * r), 0, 1)[..., None] * rng.uniform(0.3, 0.7)
            bg = bg * (1 - m) + col * m
    elif kind == "noise":
        base = pastel(86, 97, 14)
        n = ndimage.gaussian_filter(rng.normal(0, 1, (S // 4, S // 4)), 1.2)
        n = np.kron(n / (n.std() + 1e-6), np.ones((4, 4)))
        n = ndimage.gaussian_filter(n, 2.0)
        bg = base + rng.uniform(4, 9) * n[..., None]
    else:  # dark
        a = lch_to_rgb(rng.uniform(15, 38), rng.uniform(5, 30), rng.uniform(0, 360))
        b = lch_to_rgb(rng.uniform(10, 30), rng.uniform(5, 30), rng.uniform(0, 360))
        bg = a + (b - a) * yy
    return np.clip(bg, 0, 255), kind


def face_center(comp):
    skin = comp["skin"].astype(float)
    m = skin[:90] > 60
    if m.sum() < 30:
        m = (comp["skin"][:90] > 0) | (comp["hair"][:90] > 60)
    ys, xs = np.nonzero(m)
    return float(np.median(xs)), float(np.median(ys))


def crop_box(rng, kind, comp):
    """(x0, y0, side) of the square crop in source pixels (may extend past the portrait)."""
    if kind == "bust":
        side = rng.uniform(138, 152)
        return (SRC_W - side) / 2 + rng.uniform(-4, 4), SRC_H - side + rng.uniform(0, 4), side
    if kind == "upper":
        side = rng.uniform(88, 102)
        return (SRC_W - side) / 2 + rng.uniform(-4, 4), rng.uniform(-2, 8), side
    cx, cy = face_center(comp)
    side = rng.uniform(58, 78)
    x0 = np.clip(cx - side / 2 + rng.uniform(-4, 4), -6, SRC_W - side + 6)
    y0 = np.clip(cy - side * 0.52 + rng.uniform(-4, 4), -6, SRC_H - side)
    return x0, y0, side


def resample(a, box, S, pad=80):
    """Crop `box` (x0, y0, side) out of a float map (zero outside) and resize it to SxS, bicubic."""
    p = np.pad(a.astype(np.float32), pad)
    x0, y0, side = box
    im = Image.fromarray(p, "F").resize((S, S), Image.BICUBIC,
                                        box=(x0 + pad, y0 + pad, x0 + pad + side, y0 + pad + side))
    return np.asarray(im, dtype=float)


def render(comp, levels, pal, rng, size, crop_kind):
    S = 2 * size
    colors = choose_colors(rng, pal)
    luts = {
        "clothes": ramp(colors["clothes"][1], levels["clothes"], "cloth"),
        "skin": ramp(colors["skin"][1], levels["skin"], "skin"),
        "hair": ramp(colors["hair"][1], levels["hair"], "hair"),
        "eyes": ramp(colors["eyes"][1], levels["eyes"], "eye"),
        "lips": ramp(colors["lips"][1], levels["lips"], "skin"),
    }
    box = crop_box(rng, crop_kind, comp)
    mirror = rng.random() < 0.5
    maps = {n: np.clip(resample(comp[n], box, S), 0, 255) for n in PANELS if n != "face"}
    face = comp["face"]
    eye_m = np.clip(resample((face == FACE_EYE) * 1.0, box, S), 0, 1)
    lip_m = np.clip(resample((face == FACE_LIP) * 1.0, box, S), 0, 1)
    def look(lut, v):
        return np.stack([np.interp(v, np.arange(256), lut[:, c]) for c in range(3)], -1)
    red = maps["clothes"]
    cloth_m = np.clip(1 - eye_m - lip_m, 0, 1)[..., None]
    fg = (maps["gray"][..., None]
          + look(luts["clothes"], red) * cloth_m
          + look(luts["eyes"], red) * eye_m[..., None]
          + look(luts["lips"], red) * lip_m[..., None]
          + look(luts["skin"], maps["skin"])
          + look(luts["hair"], maps["hair"]))
    fg = np.clip(fg, 0, 255)
    bg, bg_kind = background(rng, S)
    a = (maps["alpha"] / 255.0)[..., None]
    out = fg * a + bg * (1 - a)
    if mirror:
        out = out[:, ::-1]
    img = Image.fromarray(np.clip(np.round(out), 0, 255).astype(np.uint8)).resize((size, size), Image.LANCZOS)
    info = {k: v[0] for k, v in colors.items()}
    info.update(background=bg_kind, crop=crop_kind, mirror=bool(mirror))
    return img, info


def region_levels(comp):
    c = {n: comp[n].astype(float) for n in PANELS}
    def pure(own, *others):
        return (c[own] > 40) & (sum(c[o] for o in others) < 0.3 * c[own])
    face = comp["face"]
    return {
        "clothes": base_level(c["clothes"], pure("clothes", "skin", "hair") & (face == 0)),
        "skin": base_level(c["skin"], pure("skin", "clothes", "hair")),
        "hair": base_level(c["hair"], pure("hair", "skin", "clothes")),
        "eyes": base_level(c["clothes"], (face == FACE_EYE) & (c["clothes"] > 40)),
        "lips": base_level(c["clothes"], (face == FACE_LIP) & (c["clothes"] > 40)),
    }


# ----------------------------------------------------------------------------------------
# main
# ----------------------------------------------------------------------------------------
def split_of(identity, mod):
    return "heldout" if int(hashlib.sha1(identity.encode()).hexdigest(), 16) % mod == 0 else "train"


def seed_of(portrait, n, seed):
    return int.from_bytes(hashlib.sha1(f"{seed}:{portrait}:{n}".encode()).digest()[:8], "little")


CROPS = ("bust", "face", "upper")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="data/anime")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--debs", help="folder with gearhead-data_*.deb and gearhead2-data_*.deb")
    g.add_argument("--source", help="folder where both packages are extracted (dpkg -x)")
    g.add_argument("--from-keys", action="store_true", help="rebuild from <out>/keys (no packages)")
    ap.add_argument("--train-colorings", type=int, default=10)
    ap.add_argument("--heldout-colorings", type=int, default=6)
    ap.add_argument("--size", type=int, default=128)
    ap.add_argument("--split-mod", type=int, default=8)
    ap.add_argument("--seed", default="colorgan-anime")
    ap.add_argument("--contact-sheet", help="also write an 8x8 contact sheet of training images here")
    args = ap.parse_args()
    t_start = time.time()
    out = Path(args.out)
    keydir = out / "keys"

    with tempfile.TemporaryDirectory() as tmp:
        if args.from_keys:
            manifest = json.loads((keydir / "manifest.json").read_text())
            colors = manifest["palette"]
            recs = manifest["portraits"]
            versions = manifest["packages"]
            comps = {r["portrait"]: load_components(keydir / f"{r['portrait']}.components.png") for r in recs}
            pal = dict(cloth=[(n, tuple(c)) for n, c in colors["cloth"]],
                       skin=[(n, tuple(c)) for n, c in colors["skin"]])
            n_scanned = manifest["scanned"]
            dropped = manifest["dropped"]
        else:
            root, versions = get_packages(args, tmp)
            n_scanned = sum(len(glob.glob(str(Path(root) / d / "por_*.png"))) for d in PORTRAIT_DIRS)
            sdl = parse_sdl_colors(Path(root) / "usr/share/games/gearhead/GameData/sdl_colors.txt")
            cloth, skin = game_palettes(sdl)
            pal = dict(cloth=cloth, skin=skin)
            found = collect(root)
            if keydir.exists():
                shutil.rmtree(keydir)
            keydir.mkdir(parents=True)
            recs, comps, dropped = [], {}, {"robot/silhouette/dog (por_x_*)": [], "no skin": []}
            for rec in found:
                if rec["identity"].startswith("x_"):
                    dropped["robot/silhouette/dog (por_x_*)"].append(rec["source"])
                    continue
                comp = decompose(rec["rgb"])
                if ((comp["skin"] > 60) & (comp["clothes"] < 20) & (comp["hair"] < 20)).sum() < 150:
                    dropped["no skin"].append(rec["source"])
                    continue
                save_keys(rec, comp, keydir)
                comps[rec["portrait"]] = load_components(keydir / f"{rec['portrait']}.components.png")
                recs.append({k: rec[k] for k in ("portrait", "identity", "source", "also")})
            manifest = dict(packages=versions, scanned=n_scanned, dropped=dropped, panels=list(PANELS),
                            palette=dict(cloth=[(n, list(map(int, c))) for n, c in cloth],
                                         skin=[(n, list(map(int, c))) for n, c in skin]),
                            portraits=recs)
            (keydir / "manifest.json").write_text(json.dumps(manifest, indent=1) + "\n")

    for sub in ("train", "heldout"):
        if (out / sub).exists():
            shutil.rmtree(out / sub)
        (out / sub).mkdir(parents=True)
    counts = {"train": [set(), 0], "heldout": [set(), 0]}
    log = []
    for r in recs:
        split = split_of(r["identity"], args.split_mod)
        comp = comps[r["portrait"]]
        levels = region_levels(comp)
        n_col = args.train_colorings if split == "train" else args.heldout_colorings
        for n in range(n_col):
            rng = np.random.default_rng(seed_of(r["portrait"], n, args.seed))
            img, info = render(comp, levels, pal, rng, args.size, CROPS[n % len(CROPS)])
            name = f"{r['portrait']}_{n:02d}.png"
            img.save(out / split / name, optimize=True)
            log.append(dict(file=f"{split}/{name}", identity=r["identity"], **info))
        counts[split][0].add(r["identity"])
        counts[split][1] += n_col
    (out / "colorings.jsonl").write_text("".join(json.dumps(x) + "\n" for x in log))
    write_docs(out, versions, recs, counts, args)

    if args.contact_sheet:
        files = sorted((out / "train").glob("*.png"))
        pickf = [files[i] for i in np.linspace(0, len(files) - 1, 64).astype(int)]
        sheet = Image.new("RGB", (8 * args.size, 8 * args.size), "white")
        for i, f in enumerate(pickf):
            sheet.paste(Image.open(f), ((i % 8) * args.size, (i // 8) * args.size))
        sheet.save(args.contact_sheet)

    size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
    print("packages:  " + ", ".join(f"{p} {v}" for p, v in versions.items()))
    print(f"scanned:   {n_scanned} por_*.png files")
    for why, lst in dropped.items():
        print(f"dropped:   {len(lst):3d}  {why}: {', '.join(Path(s).name for s in lst)}")
    print(f"portraits: {len(recs)} distinct ({len({r['identity'] for r in recs})} identities)")
    for s in ("train", "heldout"):
        print(f"{s:9s}  {len(counts[s][0]):3d} identities, {counts[s][1]:5d} images")
    print(f"size:      {size / 1e6:.1f} MB in {out}   ({time.time() - t_start:.0f} s)")


def write_docs(out, versions, recs, counts, args):
    ver = ", ".join(f"`{p}` {v}" for p, v in versions.items())
    held = sorted(counts["heldout"][0])
    (out / "LICENSE.txt").write_text(f"""\
Anime character images derived from the GearHead portraits
==========================================================

Source: the Debian packages {ver}
(GearHead and GearHead 2, http://gearhead.roguelikedevelopment.org/ and
https://sourceforge.net/projects/gearhead2/files/).

Copyright 2002-2017 Joseph Hewitt <pyrrho12@yahoo.ca>.
Portraits by Ladene Kosaka, fmunoz.geo and Phil Muñoz (credited for "Portraits" in
GearHead's Credits.txt, as copied into Debian's copyright file), and others.

Licence: GNU Lesser General Public License, version 2 of the License, or (at your option)
any later version (gearhead-data: "version 2 ... or any later version"; gearhead2-data:
"version 2.1 ... or any later version"). On Debian systems the full text is in
/usr/share/common-licenses/LGPL-2 and /usr/share/common-licenses/LGPL-2.1; LGPL-2.1.txt
here is a copy of the latter; also https://www.gnu.org/licenses/old-licenses/lgpl-2.1.html .

    This package is free software; you can redistribute it and/or modify it under the terms
    of the GNU Lesser General Public License as published by the Free Software Foundation;
    either version 2 of the License, or (at your option) any later version.

    This package is distributed in the hope that it will be useful, but WITHOUT ANY
    WARRANTY; without even the implied warranty of MERCHANTABILITY or FITNESS FOR A
    PARTICULAR PURPOSE. See the GNU Lesser General Public License for more details.

What was changed (by colorgan's data/build_anime.py): the portraits' color keys were split
into region maps (keys/, which also holds the unmodified key images); every image in train/
and heldout/ is a recoloring of one portrait (new skin, hair, clothes, eye and lip colors,
painted shading ramps, a new background), cropped (whole bust padded to a square, upper two
thirds, or head close-up), possibly mirrored, and resized to {args.size}x{args.size}. The
modified images are distributed under the same licence, LGPL-2 or later.
""")
    lgpl = Path("/usr/share/common-licenses/LGPL-2.1")
    if lgpl.exists():  # the licence's full text travels with the images
        shutil.copyfile(lgpl, out / "LGPL-2.1.txt")
    (out / "README.md").write_text(f"""\
# Anime characters (GearHead portraits)

Recolorings of {len(recs)} manga-style bust portraits ({len({r['identity'] for r in recs})} identities) from
{ver}; licence LGPL-2+, see LICENSE.txt. Built by `data/build_anime.py`
(documented in `data/README.md`, section "Anime characters (GearHead portraits)").

- `train/`: {counts['train'][1]} images of {len(counts['train'][0])} identities \
({args.train_colorings} colorings each)
- `heldout/`: {counts['heldout'][1]} images of {len(counts['heldout'][0])} identities \
({args.heldout_colorings} colorings each):
  {', '.join(held)}
- split: SHA-1 of the identity (an integer) mod {args.split_mod} == 0 -> heldout; never both sides
- `keys/<portrait>.png`: the original key image; `keys/<portrait>.components.png`: its
  decomposition, six 100x150 panels side by side: {', '.join(PANELS)} (alpha = 255 - background
  share; gray, clothes, skin, hair = additive key intensities; face = {FACE_EYE} eyes, {FACE_LIP} mouth)
- `keys/manifest.json`: portraits, sources, palettes; `colorings.jsonl`: the colors of each image

Rebuild: `python data/build_anime.py` (apt-get download) or `python data/build_anime.py --from-keys`.
""")


if __name__ == "__main__":
    main()
