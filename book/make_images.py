"""Make the book's cover and logo from the synthetic stage, and the pipeline diagram from the
profiles' shapes (run once; the PNGs are committed).

.venv/bin/python book/make_images.py
"""

from pathlib import Path

import cv2
import numpy as np

from dancenet import background, sequence, stage
from dancenet.artifacts import STAGE_SEED
from dancenet.profiles import get_profile

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


def pipeline_shapes(name: str) -> list[tuple[str, str]]:
    """Each stage of the pipeline and the shape of what it holds, in the profile ``name``."""
    p = get_profile(name)
    (vh, vw), (h, w), d, k = p.video_size, p.image_size, p.latent_dim, p.mixtures
    return [
        ("video", f"(N, {vh}, {vw}, 3)"),
        ("framed\nsilhouettes", f"(N, {h}, {w}, 1)"),
        ("encoder:\nμ, log σ², z", f"3 × (N, {d})"),
        ("codes of\nthe dance", f"(N, {d})"),
        ("stacked LSTMs\nover windows", f"(B, {sequence.WINDOW}, {d})"),
        ("MDN head:\nK × (μ, σ), π", f"(B, {sequence.WINDOW}, {k * (2 * d + 1):,})"),
        ("sample,\nfeed back", f"(T, {d})"),
        ("decoder:\na new dance", f"(T, {h}, {w}, 1)"),
    ]


def pipeline_figure(path: Path) -> None:
    """The pipeline as a row of boxes, the ``gpu`` profile's shapes in each and the ``cpu`` one's below."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    gpu, cpu = pipeline_shapes("gpu"), pipeline_shapes("cpu")
    chapters = ["ch. 1", "ch. 2", "ch. 3, 5", "ch. 5", "ch. 7", "ch. 6, 7", "ch. 8", "ch. 4, 8"]
    fig, ax = plt.subplots(figsize=(10, 4.4), dpi=150)
    fig.subplots_adjust(0, 0, 1, 0.92)
    ax.set(xlim=(0, 4), ylim=(0, 2))
    ax.axis("off")
    for i, ((label, big), (_, small), chapter) in enumerate(zip(gpu, cpu, chapters)):
        x, y = (i % 4) + 0.5, 1.5 if i < 4 else 0.5
        ax.add_patch(plt.Rectangle((x - 0.45, y - 0.42), 0.9, 0.84, fc="#eef2f8", ec="#37b", lw=1.2))
        ax.text(x, y + 0.2, label, ha="center", va="center", fontsize=10, weight="bold")
        ax.text(x, y - 0.1, big, ha="center", va="center", fontsize=10, family="monospace")
        ax.text(x, y - 0.25, f"cpu: {small}", ha="center", va="center", fontsize=9, color="#555")
        ax.text(x + 0.42, y - 0.4, chapter, ha="right", va="bottom", fontsize=8.5, color="#37b")
        if i % 4 < 3:
            ax.annotate("", (x + 0.55, y), (x + 0.45, y), arrowprops={"arrowstyle": "->", "color": "#333"})
    ax.annotate(
        "",
        (0.5, 0.92),
        (3.5, 1.08),
        arrowprops={"arrowstyle": "->", "color": "#333", "connectionstyle": "arc3"},
    )
    fig.suptitle(
        "The pipeline: shapes in the gpu profile (the original), the cpu profile's below; "
        "N frames, B windows, T generated frames",
        fontsize=10,
    )
    fig.savefig(path, bbox_inches="tight")
    print("wrote", path)


def save(name: str, image: np.ndarray) -> None:
    cv2.imwrite(str(STATIC / name), cv2.cvtColor(image, cv2.COLOR_RGB2BGR))
    print("wrote", STATIC / name, image.shape)


if __name__ == "__main__":
    STATIC.mkdir(exist_ok=True)
    save("cover.png", cover())
    save("logo.png", logo())
    pipeline_figure(STATIC / "pipeline.png")
