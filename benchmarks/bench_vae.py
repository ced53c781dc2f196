"""Training throughput of the original's exact VAE at 120×208 on this machine, against its fp32 ceiling.

Both figures come from the same run: the machine's measured fp32 matrix-multiply rate, and the
VAE's training rate in images/s converted to FLOP/s with the model's counted FLOPs per image.
Run: python benchmarks/bench_vae.py
"""

import os
import time
from datetime import date

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from _machine import machine  # noqa: E402

from dancenet import vae  # noqa: E402


def matmul_flops_per_second(n: int = 2048, repeats: int = 10) -> float:
    """Best sustained fp32 rate of an n×n matrix product (2n³ FLOPs each)."""
    a = tf.random.normal((n, n))
    b = tf.random.normal((n, n))
    product = tf.function(lambda x, y: tf.matmul(x, y))
    product(a, b).numpy()
    best = 0.0
    for _ in range(repeats):
        start = time.perf_counter()
        product(a, b).numpy()
        best = max(best, 2 * n**3 / (time.perf_counter() - start))
    return best


def forward_flops(model: keras.Model) -> int:
    """Multiply-adds ×2 of the convolution and dense layers for one image."""
    total = 0
    for layer in model.layers:
        if isinstance(layer, keras.layers.Conv2D):
            h, w, c_out = layer.output.shape[1:]
            k_h, k_w, c_in, _ = layer.kernel.shape
            total += 2 * h * w * k_h * k_w * c_in * c_out
        elif isinstance(layer, keras.layers.Dense):
            positions = int(np.prod(layer.output.shape[1:-1])) if len(layer.output.shape) > 2 else 1
            total += 2 * positions * layer.kernel.shape[0] * layer.kernel.shape[1]
    return total


def training_images_per_second(batch: int = 100, steps: int = 3) -> float:
    model = vae.build_vae("gpu", seed=0)
    model.compile(optimizer=keras.optimizers.RMSprop(1e-3))
    images = (np.random.default_rng(0).random((batch * steps, 120, 208, 1)) > 0.9).astype(np.float32)
    model.fit(images[:batch], batch_size=batch, epochs=1, verbose=0)  # trace and warm up
    start = time.perf_counter()
    model.fit(images, batch_size=batch, epochs=1, verbose=0, shuffle=False)
    return batch * steps / (time.perf_counter() - start)


def main() -> None:
    print(
        f"# the original's VAE, training throughput, {date.today()}, {machine()}, TensorFlow {tf.__version__}"
    )
    ceiling = matmul_flops_per_second()
    print(f"fp32 matmul ceiling (2048×2048):       {ceiling / 1e9:8.1f} GFLOP/s")
    per_image = forward_flops(vae.build_encoder("gpu")) + forward_flops(vae.build_decoder("gpu"))
    print(
        f"the original's VAE, forward pass:       {per_image / 1e9:8.2f} GFLOP/image "
        f"(training ≈ 3× forward: {3 * per_image / 1e9:.2f})"
    )
    rate = training_images_per_second()
    achieved = rate * 3 * per_image
    print(
        f"training, batch 100 at 120×208:         {rate:8.2f} images/s = {achieved / 1e9:.1f} GFLOP/s "
        f"= {achieved / ceiling:.0%} of the matmul ceiling"
    )


if __name__ == "__main__":
    main()
