"""A generated product taxonomy for the hierarchical tests and benchmark.

Four departments, three categories in each and three sub-categories in each category: 36
classes on 3 levels ("Home > Kitchen > Knives"). Each row is one product with eight numeric
measurements and a categorical channel:

- `m0`..`m2` place the department (one cluster centre per department, with noise);
- `m3`, `m4` place the category *within its department*: the three categories sit at three
  angles of a circle, rotated by a different amount in each department, so the same point
  means a different category under a different parent (a flat linear model over the 36
  classes cannot draw those regions; one classifier per parent can);
- `m5`, `m6` do the same for the sub-category within its category; with `styles=2` each
  sub-category comes in two styles on opposite sides of the circle, so a sub-category is two
  regions (as products of one sub-category often are), which no linear boundary separates;
- `m7` and `channel` are noise.

Class sizes follow a long tail (the largest class about 6x the smallest), and two
sub-categories get only 3 rows, fewer than the folds need: shipml folds them into their
category, with a warning.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

DEPARTMENTS = {
    "Fashion": {
        "Shoes": ["Sneakers", "Boots", "Sandals"],
        "Bags": ["Backpacks", "Totes", "Wallets"],
        "Outerwear": ["Coats", "Jackets", "Vests"],
    },
    "Home": {
        "Kitchen": ["Knives", "Pans", "Kettles"],
        "Bedding": ["Sheets", "Pillows", "Duvets"],
        "Lighting": ["Lamps", "Bulbs", "Strips"],
    },
    "Sports": {
        "Cycling": ["Helmets", "Lights", "Locks"],
        "Running": ["Watches", "Belts", "Vests"],
        "Climbing": ["Ropes", "Harnesses", "Chalk"],
    },
    "Garden": {
        "Tools": ["Spades", "Shears", "Rakes"],
        "Plants": ["Seeds", "Bulbs", "Shrubs"],
        "Furniture": ["Benches", "Tables", "Loungers"],
    },
}
TINY = {("Sports", "Climbing", "Chalk"), ("Garden", "Plants", "Shrubs")}


def taxonomy_frame(
    rows: int = 2400, seed: int = 0, noise: float = 0.55, styles: int = 1
) -> pd.DataFrame:
    """Products with `department`, `category`, `subcategory` (the levels), their joined
    `path` ("Fashion/Shoes/Sneakers") and the measurements."""
    rng = np.random.default_rng(seed)
    leaves = [
        (d, c, s) for d, cats in DEPARTMENTS.items() for c, subs in cats.items() for s in subs
    ]
    weights = 1.0 / np.sqrt(1.0 + rng.permutation(len(leaves)))
    sizes = np.maximum((weights / weights.sum() * rows).astype(int), 3)
    sizes = np.array([3 if leaf in TINY else n for leaf, n in zip(leaves, sizes, strict=True)])
    centres = rng.normal(0.0, 2.0, size=(len(DEPARTMENTS), 3))
    parts = []
    for (d, c, s), n in zip(leaves, sizes, strict=True):
        di = list(DEPARTMENTS).index(d)
        ci = list(DEPARTMENTS[d]).index(c)
        si = DEPARTMENTS[d][c].index(s)
        m = rng.normal(0.0, noise, size=(n, 8))
        m[:, :3] += centres[di]
        m[:, 3:5] += _on_circle(ci, turn=0.7 * di)
        style = rng.integers(0, styles, n)[:, None] * np.pi  # the opposite side for style 1
        m[:, 5:7] += _on_circle(si, turn=0.45 * (3 * di + ci) + style)
        part = pd.DataFrame(m, columns=[f"m{i}" for i in range(8)])
        part["channel"] = rng.choice(["web", "store", "app"], size=n)
        part["department"], part["category"], part["subcategory"] = d, c, s
        parts.append(part)
    out = pd.concat(parts, ignore_index=True).sample(frac=1.0, random_state=seed)
    out = out.reset_index(drop=True)
    out["path"] = out["department"] + "/" + out["category"] + "/" + out["subcategory"]
    return out


def _on_circle(i: int, turn: float | np.ndarray) -> np.ndarray:
    angle = 2 * np.pi * i / 3 + np.asarray(turn)
    return 1.6 * np.stack([np.cos(angle), np.sin(angle)], axis=-1).reshape(-1, 2)
