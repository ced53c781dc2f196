"""Rendering speed of the synthetic stage at the original's 120×208: frames per second.

Run: python benchmarks/bench_stage.py
"""

import tempfile
import time
from datetime import date
from pathlib import Path

from _machine import machine

from dancenet import stage
from dancenet.artifacts import STAGE_SEED


def best_seconds(run, repeats: int = 3) -> float:
    """The fastest of ``repeats`` timed runs (the others paid for warm-up and interruptions)."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times)


def report(name: str, n_frames: int, seconds: float, note: str) -> None:
    print(
        f"{name:<18} {n_frames / seconds:8.0f} frames/s  ({1000 * seconds / n_frames:.2f} ms/frame, "
        f"best of 3{note})"
    )


def main(n_frames: int = 600, seed: int = STAGE_SEED) -> None:
    print(f"# synthetic stage, {date.today()}, {machine()}")
    settings = stage.StageSettings()
    print(
        f"clip: {n_frames} frames at {settings.height}×{settings.width}, "
        f"supersample {settings.supersample}, seed {seed}"
    )
    stage.render_clip(30, seed=seed, progress=False)  # imports and caches warmed up
    seconds = best_seconds(lambda: stage.render_clip(n_frames, seed=seed, progress=False))
    report("render_clip", n_frames, seconds, "")
    with tempfile.TemporaryDirectory() as folder:
        seconds = best_seconds(
            lambda: stage.write_stage_video(Path(folder), n_frames, seed=seed, progress=False)
        )
    report("write_stage_video", n_frames, seconds, ", with MP4 encoding and the ground truth files")


if __name__ == "__main__":
    main()
