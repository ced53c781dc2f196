"""Make the book's cover and logo from the synthetic stage (run once; the PNGs are committed).

.venv/bin/python book/make_images.py
"""

from pathlib import Path

import cv2
import numpy as np

from dancenet import background, stage
from dancenet.artifacts import STAGE_SEED

STATIC = Path(__file__).with_name("_static")


def cover(n: int = 6) -> np.ndarray:
    """Stage frames on top, the silhouettes extracted from them below."""
    clip = stage.render_clip(30 * 24, seed=STAGE_SEED, progress=False)
    masks = background.remove_background(clip.frames, "median")
    picks = np.linspace(40, len(clip.frames) - 40, n).astype(int)
    top = np.concatenate([clip.frames[i] for i in picks], axis=1)
    bottom = np.concatenate(
        [np.repeat(masks[i, ..., None] * 255, 3, axis=-1).astype(np.uint8) for i in picks], axis=1
    )
    return np.concatenate([top, bottom], axis=0)


def logo(size: int = 160) -> np.ndarray:
    """One silhouette, white on a dark square."""
    dancer = stage.Stage(seed=STAGE_SEED)
    _, mask = dancer.render(stage.move_pose(stage.MOVES[3], 0.25), 0)
    ys, xs = np.nonzero(mask)
    crop = mask[max(ys.min() - 4, 0) : ys.max() + 5, max(xs.min() - 20, 0) : xs.max() + 21]
    crop = cv2.resize(
        crop.astype(np.float32), (size * crop.shape[1] // crop.shape[0], size), interpolation=cv2.INTER_AREA
    )
    canvas = np.full((size + 20, size + 20, 3), (34, 30, 60), np.float32)
    left = (canvas.shape[1] - crop.shape[1]) // 2
    region = canvas[10 : 10 + size, max(left, 0) : max(left, 0) + crop.shape[1]]
    alpha = crop[:, : region.shape[1], None]
    canvas[10 : 10 + size, max(left, 0) : max(left, 0) + crop.shape[1]] = region * (1 - alpha) + 255 * alpha
    return canvas.astype(np.uint8)


def save(name: str, image: np.ndarray) -> None:
    cv2.imwrite(str(STATIC / name), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    print("wrote", STATIC / name, image.shape)


if __name__ == "__main__":
    STATIC.mkdir(exist_ok=True)
    save("cover.png", cover())
    save("logo.png", logo())
