"""Argument checks every module shares: a bad value fails at once, with a message naming it."""

from __future__ import annotations

import numpy as np


def check_positive_int(value, name: str) -> int:
    """``value`` as an ``int`` when it is a whole number ≥ 1, or a ``ValueError`` naming it."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise ValueError(f"{name} must be a positive integer (at least 1), got {value!r}")
    return int(value)


def check_image_size(size) -> tuple[int, int]:
    """``(height, width)`` as ints, or a ``ValueError`` when the model cannot take that size.

    The encoder halves the image three times and the decoder doubles it back, so both sides must be
    divisible by 8 for the reconstruction to come out the same size as the input.
    """
    try:
        height, width = (int(v) for v in size)
    except (TypeError, ValueError):
        raise ValueError(f"image size must be (height, width), got {size!r}") from None
    if height <= 0 or width <= 0 or height % 8 or width % 8:
        raise ValueError(
            f"image size {height}×{width} is not usable: height and width must be positive and "
            f"divisible by 8 (the encoder pools by 2 three times), e.g. 120×208 or 64×104"
        )
    return height, width


def check_sequence(latents, name: str = "latent sequence", dtype=np.float32) -> np.ndarray:
    """``latents`` as an array ``(T, D)``, T ≥ 2, all finite — or a ``ValueError`` saying which."""
    latents = np.asarray(latents, dtype)
    if latents.ndim != 2 or len(latents) < 2:
        raise ValueError(f"expected a {name} of shape (T, D) with T ≥ 2, got {latents.shape}")
    if not np.isfinite(latents).all():
        raise ValueError(f"the {name} contains NaN or infinity")
    return latents
