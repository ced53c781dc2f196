"""Where the training time of the original's VAE goes, layer by layer, on this machine.

Each layer of the original's exact encoder and decoder runs alone — forward and backward (gradients for
its weights and, except for the first layer, its input) on a batch of 100 inputs of its real
shape — and is timed. Its counted FLOPs (3× the forward FLOPs, like bench_vae.py) over its time
give its own rate, compared with the fp32 matmul ceiling measured in the same run. The layers' times
add up to about one training step, so the table shows which layers hold the throughput back.
Run: python benchmarks/bench_vae_layers.py
"""

import os
import time
from datetime import date

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from _machine import machine  # noqa: E402
from bench_vae import matmul_flops_per_second  # noqa: E402

from dancenet import vae  # noqa: E402

BATCH = 100


def layer_flops(layer) -> int:
    """Forward multiply-adds ×2 for one image (0 for layers without weights)."""
    if isinstance(layer, keras.layers.Conv2D):
        h, w, c_out = layer.output.shape[1:]
        k_h, k_w, c_in, _ = layer.kernel.shape
        return 2 * h * w * k_h * k_w * c_in * c_out
    if isinstance(layer, keras.layers.Dense):
        positions = int(np.prod(layer.output.shape[1:-1])) if len(layer.output.shape) > 2 else 1
        return 2 * positions * layer.kernel.shape[0] * layer.kernel.shape[1]
    return 0


def seconds_per_step(layer, input_shape, needs_input_gradient: bool, repeats: int = 5) -> float:
    """Best time of one forward + backward pass of ``layer`` alone on a batch."""
    x = tf.random.normal((BATCH, *input_shape))
    weights = layer.trainable_weights

    @tf.function
    def step(x):
        with tf.GradientTape() as tape:
            tape.watch(x)
            y = layer(x)
            loss = tf.reduce_sum(y * y)
        targets = weights + ([x] if needs_input_gradient else [])
        return tape.gradient(loss, targets) if targets else loss

    tf.nest.map_structure(lambda t: t.numpy(), step(x))
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        tf.nest.map_structure(lambda t: t.numpy(), step(x))
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    print(
        f"# the original's VAE, per-layer forward + backward, batch {BATCH}, {date.today()}, {machine()}, "
        f"TensorFlow {tf.__version__}"
    )
    ceiling = matmul_flops_per_second()
    print(f"fp32 matmul ceiling (2048×2048): {ceiling / 1e9:.1f} GFLOP/s\n")
    print(
        f"{'model':<8}{'layer':<20}{'input shape':<18}{'ms/batch':>9}{'share':>7}"
        f"{'GFLOP/batch':>12}{'GFLOP/s':>9}{'of ceiling':>11}"
    )
    rows = []
    for model in (vae.build_encoder("gpu", seed=0), vae.build_decoder("gpu")):
        for index, layer in enumerate(model.layers[1:]):
            if isinstance(layer, vae.Sampling):
                continue
            input_shape = tuple(layer.input.shape[1:])
            seconds = seconds_per_step(layer, input_shape, needs_input_gradient=index > 0)
            rows.append((model.name, layer.name, input_shape, seconds, 3 * BATCH * layer_flops(layer)))
    total = sum(row[3] for row in rows)
    for name, layer, shape, seconds, flops in rows:
        rate = flops / seconds
        print(
            f"{name:<8}{layer:<20}{str(shape):<18}{seconds * 1e3:>9.1f}{seconds / total:>7.0%}"
            f"{flops / 1e9:>12.1f}{rate / 1e9:>9.1f}{rate / ceiling:>11.0%}"
        )
    flops = sum(row[4] for row in rows)
    print(
        f"\nsum of layers: {total * 1e3:.0f} ms/batch = {BATCH / total:.1f} images/s, "
        f"{flops / total / 1e9:.1f} GFLOP/s = {flops / total / ceiling:.0%} of the ceiling "
        f"(loss, optimizer and data pipeline not included)"
    )


if __name__ == "__main__":
    main()
