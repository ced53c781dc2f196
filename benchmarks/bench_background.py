"""Background removal on a 600-frame stage clip at 120×208: mean mask IoU and speed per method.

Run: python benchmarks/bench_background.py   (figures go to BENCHMARKS.md)
"""

import tempfile
import time
from datetime import date
from pathlib import Path

import numpy as np
from _machine import machine

from dancenet import background, stage, video
from dancenet.artifacts import STAGE_SEED


def main(n_frames: int = 600, seed: int = STAGE_SEED) -> None:
    print(f"# background removal, {date.today()}, {machine()}")
    with tempfile.TemporaryDirectory() as folder:
        recording = stage.write_stage_video(Path(folder), n_frames, seed=seed, progress=False)
        frames = video.read_frames(recording.video_path, progress=False)
    truth = recording.masks
    print(
        f"clip: {len(frames)} frames at {frames.shape[1]}×{frames.shape[2]} "
        f"(random seed {seed}, after MP4 round trip)"
    )
    print(f"{'method':<12}{'mean IoU':>10}{'median':>9}{'min':>8}{'ms/frame':>10}")
    for method in background.METHODS:
        start = time.perf_counter()
        masks = background.remove_background(frames, method)
        elapsed = time.perf_counter() - start
        scores = background.iou(masks, truth)
        print(
            f"{method:<12}{scores.mean():>10.3f}{np.median(scores):>9.3f}{scores.min():>8.3f}"
            f"{1000 * elapsed / len(frames):>10.2f}"
        )


if __name__ == "__main__":
    main()
