"""What TensorFlow computes with, found without its start-up log reaching the reader.

TensorFlow writes its C++ log (``I0000 … cpu_feature_guard.cc…``, ``E0000 … failed call to
cuInit``, oneDNN's notices) straight to file descriptor 2: there is no Python logging to configure,
and ``TF_CPP_MIN_LOG_LEVEL`` does not reach the lines printed before absl starts. A user reads them
as errors. :func:`start_tensorflow` imports TensorFlow and starts its devices while descriptor 2
goes to a temporary file, and passes on every line that is not TensorFlow's own; every chapter's
setup cell and every command of the command line calls it before anything else computes.

Nothing here decides a result (the profile chosen is in every cache key by its values), so the
cache leaves this module out of its keys (:data:`dancenet.cache.OUTPUT_ONLY`).
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
from contextlib import contextmanager
from functools import cache

#: a line of TensorFlow's C++ log — ``I0000 00:00:1795524884.904483 6512 port.cc:153] …`` (2.21), or
#: ``2026-12-07 12:45:01.123456: E external/…/cuda_platform.cc:51] …`` (2.20, Colab's) — or the line
#: absl prints before its first message, or the CPU-instructions notice's second line
_TENSORFLOW_LOG = re.compile(
    r"^([IWEF]\d{4} \d\d:\d\d:\d+\.\d+ +\d+ \S+:\d+\]"
    r"|\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d+: [IWEF] \S+:\d+\]"
    r"|WARNING: All log messages before absl|To enable the following instructions)"
)


@contextmanager
def without_tensorflow_log():
    """While the block runs, send descriptor 2 to a temporary file; afterwards, write every line
    that is not TensorFlow's log on to ``sys.stderr``."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile(mode="w+b") as captured:
        os.dup2(captured.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            captured.seek(0)
            other = [
                line
                for line in captured.read().decode(errors="replace").splitlines(keepends=True)
                if not _TENSORFLOW_LOG.match(line)
            ]
            if other:
                sys.stderr.write("".join(other))


def _log_kernel_choices(tf) -> None:
    """Run, once, the op whose first use makes oneDNN log its kernel choice on CPUs without
    AVX-512 (the gradient of ``repeat``, which the decoder's upsampling uses), so that the line
    lands in the quiet block and not in the middle of a training."""
    x = tf.zeros((1, 1))
    with tf.GradientTape() as tape:
        tape.watch(x)
        y = tf.repeat(x, 2, axis=0)
    tape.gradient(y, x)


@cache
def start_tensorflow() -> tuple[str, ...]:
    """Import TensorFlow and start its devices, quietly (once per process); returns the names of
    the GPUs it sees."""
    with without_tensorflow_log():
        import tensorflow as tf

        found = tf.config.list_physical_devices("GPU")
        _log_kernel_choices(tf)
    return tuple(tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name) for gpu in found)


def gpus() -> list[str]:
    """The names of the GPUs TensorFlow sees (starting TensorFlow quietly if it has not started)."""
    return list(start_tensorflow())


def gpu_available() -> bool:
    """Whether TensorFlow sees a GPU."""
    return bool(gpus())


def device_summary() -> str:
    """One line on what TensorFlow computes with, printed at the top of every chapter."""
    names = gpus()
    if not names:
        return "TensorFlow sees no GPU: the chapter computes on the CPU"
    return f"TensorFlow sees {len(names)} GPU{'s' if len(names) > 1 else ''}: {', '.join(names)}"
