"""Spreading a few colors over the regions they belong to: edge-aware optimization on L.

Taught in notebooks/09_hints.

Levin, Lischinski and Weiss ("Colorization using Optimization", 2004): neighbouring pixels
of similar lightness should get similar color. Written as one quadratic energy over the
ab of every pixel of a (small) working image,

    E(u) = sum_{r~s} w_rs (u_r - u_s)^2 + sum_r h_r (u_r - c_r)^2 + sum_r p_r (u_r - q_r)^2,

with w_rs = exp(-(L_r - L_s)^2 / (2 sigma^2)) over the 3x3 window (8 neighbours): large
inside a flat region, near zero across a drawn line or a sharp shading edge. h_r is large
at the hints (colors c_r), p_r small everywhere (the prior colors q_r: the network's
automatic prediction, or 0 for gray). Setting the gradient to zero gives one sparse
symmetric positive-definite system per channel, (Lap + H + P) u = H c + P q, solved
directly (SuperLU) for a and b at once. The Laplacian depends only on L, so it is built
once per image and reused after every click.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
import scipy.sparse.linalg as spla

#: Edge sensitivity in L units (0-100): a step of 2 sigma in lightness passes ~13 % of the color.
#: Chosen on training images only (notebook 09's loop; 60 anime training images, 10 hints,
#: CIEDE2000: sigma 2 4.70, 2.5 4.76, 3 4.87, 4 5.20). In cel-shaded art the small lightness
#: steps between flat regions are often color boundaries too, so stopping there pays.
SIGMA_L = 2.0
#: Pull of each hint pixel toward its color (against a neighbour weight of at most 1).
HINT_WEIGHT = 100.0
#: Pull of every pixel toward the prior: small, so that hints fill whole regions. Its reach is
#: about 1/sqrt(weight) pixels. 1e-5 was tried (bench/hint_gain.py): lower CIEDE2000 with 10
#: hints on anime training and held-out images (60 training images: 4.70 -> 4.56), but higher
#: on the anime faces and visual-novel sprites never tuned on, so the default stays.
PRIOR_WEIGHT = 1e-4
#: Up to this many hinted pixels, a click updates the factorized hint-free system (Woodbury).
MAX_LOW_RANK = 256


def edges(lightness: np.ndarray, sigma: float = SIGMA_L) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The energy's neighbour pairs of an [h, w] lightness image (L in 0-100) and their
    weights w_rs: flat index arrays (r, s, w), each of the 8 neighbours once per pixel pair."""
    h, w = lightness.shape
    index = np.arange(h * w).reshape(h, w)
    rows, cols, weights = [], [], []
    # Right, down, down-right and down-left cover each of the 8 neighbours once.
    for dy, dx in ((0, 1), (1, 0), (1, 1), (1, -1)):
        y0, y1 = 0, h - dy
        x0, x1 = max(0, -dx), w - max(0, dx)
        a = index[y0:y1, x0:x1]
        b = index[y0 + dy:y1 + dy, x0 + dx:x1 + dx]
        diff = lightness[y0:y1, x0:x1] - lightness[y0 + dy:y1 + dy, x0 + dx:x1 + dx]
        weight = np.exp(-(diff**2) / (2.0 * sigma**2))
        if dx and dy:
            weight = weight / np.sqrt(2.0)  # diagonal neighbours are further away
        rows.append(a.ravel())
        cols.append(b.ravel())
        weights.append(weight.ravel())
    return np.concatenate(rows), np.concatenate(cols), np.concatenate(weights)


def laplacian(lightness: np.ndarray, sigma: float = SIGMA_L) -> sp.csc_matrix:
    """Graph Laplacian D - W of an [h, w] lightness image (L in 0-100), 3x3 neighbourhood."""
    n = lightness.size
    r, c, v = edges(lightness, sigma)
    adjacency = sp.coo_matrix((np.r_[v, v], (np.r_[r, c], np.r_[c, r])), shape=(n, n)).tocsr()
    degree = np.asarray(adjacency.sum(axis=1)).ravel()
    return (sp.diags(degree) - adjacency).tocsc()


@dataclass
class Propagator:
    """Solves the energy above for one image; build once per image, call `solve` per click."""

    lightness: np.ndarray  # [h, w] lightness, 0-100, at the working resolution
    sigma: float = SIGMA_L
    hint_weight: float = HINT_WEIGHT
    prior_weight: float = PRIOR_WEIGHT

    def __post_init__(self) -> None:
        self.shape = self.lightness.shape
        self.lap = laplacian(np.asarray(self.lightness, np.float64), self.sigma)
        self._base = None  # the factorized system without hints, made on first use
        self._columns: dict[int, np.ndarray] = {}  # base^-1 e_i for each hinted pixel i seen so far
        self._prior_key, self._prior_solution = None, None

    def solve(self, hint_weight: np.ndarray, hint_ab: np.ndarray, prior_ab: np.ndarray | None) -> np.ndarray:
        """ab [h, w, 2] minimising the energy.

        `hint_weight` [h, w] is 0 where there is no hint (a multiple of `self.hint_weight`
        elsewhere, less for soft hints such as a reference's), `hint_ab` [h, w, 2] the hint
        colors, `prior_ab` [h, w, 2] the prior (None: gray, ab = 0).
        """
        n = self.lightness.size
        h = np.asarray(hint_weight, np.float64).ravel()
        c = np.asarray(hint_ab, np.float64).reshape(n, 2)
        q = np.zeros((n, 2)) if prior_ab is None else np.asarray(prior_ab, np.float64).reshape(n, 2)
        hinted = np.flatnonzero(h)
        if not len(hinted):
            return q.reshape(*self.shape, 2).astype(np.float32)
        if len(hinted) > MAX_LOW_RANK:  # scribbles, reference regions: one direct solve
            system = self.lap + sp.diags(h + self.prior_weight)
            rhs = h[:, None] * c + self.prior_weight * q
            u = spla.splu(system.tocsc(), permc_spec="MMD_AT_PLUS_A").solve(rhs)
        else:
            u = self._low_rank_solve(hinted, h[hinted], c[hinted], q)
        return u.reshape(*self.shape, 2).astype(np.float32)

    def _low_rank_solve(self, hinted: np.ndarray, h: np.ndarray, c: np.ndarray, q: np.ndarray) -> np.ndarray:
        """A few hints are a low-rank change of the hint-free system B = Lap + p I: Woodbury.

        With U the hinted pixels' unit vectors and H their weights, (B + U H U^T)^-1 b =
        y - Z (H^-1 + U^T Z)^-1 U^T y, where y = B^-1 b and Z = B^-1 U. B is factorized once
        per image and each hinted pixel's column of Z once, so a click costs one triangular
        solve and a small dense k x k system instead of a new factorization.
        """
        if self._base is None:
            base = (self.lap + sp.identity(self.lightness.size) * self.prior_weight).tocsc()
            self._base = spla.splu(base, permc_spec="MMD_AT_PLUS_A")
        key = (q.ctypes.data, q.shape, float(q.sum()))
        if key != self._prior_key:
            self._prior_key, self._prior_solution = key, self._base.solve(self.prior_weight * q)
        missing = [i for i in hinted.tolist() if i not in self._columns]
        if missing:
            unit = np.zeros((self.lightness.size, len(missing)))
            unit[missing, np.arange(len(missing))] = 1.0
            for i, column in zip(missing, self._base.solve(unit).T):
                self._columns[i] = column
        z = np.stack([self._columns[i] for i in hinted.tolist()], axis=1)  # [n, k]
        y = self._prior_solution + z @ (h[:, None] * c)  # B^-1 (H c + p q)
        small = np.diag(1.0 / h) + z[hinted]
        return y - z @ np.linalg.solve(small, y[hinted])


def fill(lightness: np.ndarray, fixed: np.ndarray, fixed_ab: np.ndarray, soft_weight: np.ndarray,
         soft_ab: np.ndarray, prior_ab: np.ndarray, sigma: float = SIGMA_L,
         prior_weight: float = PRIOR_WEIGHT) -> np.ndarray:
    """ab [h, w, 2] where the `fixed` pixels keep `fixed_ab` exactly and the others minimise the
    energy above with them as its boundary (soft hints `soft_weight`/`soft_ab` and the prior
    as in `Propagator.solve`). Only the free pixels' equations are built and solved, so a
    frame whose colors are mostly carried (`colorhelpers.clips.keyframes`) costs a small
    system, not the image's."""
    free = ~np.asarray(fixed, bool).ravel()
    n, k = lightness.size, int(free.sum())
    out = np.asarray(fixed_ab, np.float64).reshape(n, 2).copy()
    if not k:
        return out.reshape(*lightness.shape, 2).astype(np.float32)
    number = np.cumsum(free) - 1  # each free pixel's place among the free pixels
    weight = np.asarray(soft_weight, np.float64).ravel()
    diagonal = (weight + prior_weight)[free]
    rhs = (weight[free, None] * np.asarray(soft_ab, np.float64).reshape(n, 2)[free]
           + prior_weight * np.asarray(prior_ab, np.float64).reshape(n, 2)[free])
    r, s, w = edges(np.asarray(lightness, np.float64), sigma)
    rows, cols, values = [np.arange(k)], [np.arange(k)], []
    for p, q in ((r, s), (s, r)):  # each pair's equation at either end that is free
        at_free, both = free[p], free[p] & free[q]
        diagonal = diagonal + np.bincount(number[p[at_free]], w[at_free], minlength=k)
        rows.append(number[p[both]])
        cols.append(number[q[both]])
        values.append(-w[both])
        edge = at_free & ~free[q]  # a fixed neighbour: its known color moves to the right side
        rhs += np.stack([np.bincount(number[p[edge]], w[edge] * out[q[edge], c], minlength=k)
                         for c in range(2)], axis=1)
    entries = np.concatenate([diagonal, *values]), (np.concatenate(rows), np.concatenate(cols))
    system = sp.coo_matrix(entries, shape=(k, k)).tocsc()
    # Diagonally dominant and symmetric: factorized without pivoting, which is faster.
    factors = spla.splu(system, permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                        options={"SymmetricMode": True})
    out[free] = factors.solve(rhs)
    return out.reshape(*lightness.shape, 2).astype(np.float32)
