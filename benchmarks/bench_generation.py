"""Generation speed: the compiled, batched loop against one ``model.predict`` call per frame.

The same model (the ``cpu`` profile's model with memory; weights do not change the speed) and the
same warm-up, measured in one run. The per-frame ``predict`` loop is the original's way of
generating; the compiled loop is ``choreography.Choreographer``.
Run: python benchmarks/bench_generation.py
"""

import os
import time
from datetime import date

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from _machine import machine  # noqa: E402

from dancenet import choreography, sequence  # noqa: E402

STEPS = 300


def frames_per_second(generate, frames: int, repeats: int = 3) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        generate()
        best = min(best, time.perf_counter() - start)
    return frames / best


def measure(profile: str) -> None:
    """Print the three speeds for the profile's model with memory."""
    keras.utils.set_random_seed(0)
    model = sequence.build_sequence_model(profile)
    twin = sequence.stateful_twin(model)
    composer = choreography.Choreographer(model)
    codes = np.random.default_rng(0).normal(size=(sequence.WINDOW, model.input.shape[-1]))
    warm = codes.astype(np.float32)
    composer.generate(warm, 5)  # compile
    predict = frames_per_second(lambda: choreography.generate_with_predict(twin, warm, STEPS, 0.5), STEPS, 1)
    one = frames_per_second(lambda: composer.generate(warm, STEPS, 0.5), STEPS)
    eight = frames_per_second(lambda: composer.generate(np.stack([warm] * 8), STEPS, 0.5), 8 * STEPS)
    print(
        f"{profile} profile model ({model.count_params():,} parameters), {STEPS} frames after a "
        f"{sequence.WINDOW}-code warm-up:"
    )
    print(f"  model.predict per frame (the original's way): {predict:8.1f} frames/s")
    print(f"  compiled loop, 1 dancer:                      {one:8.1f} frames/s = {one / predict:6.1f}×")
    print(f"  compiled loop, 8 dancers:                     {eight:8.1f} frames/s = {eight / predict:6.1f}×")


def main() -> None:
    print(f"# generation speed, {date.today()}, {machine()}, TensorFlow {tf.__version__}")
    for profile in ("cpu", "gpu"):
        measure(profile)


if __name__ == "__main__":
    main()
