"""DanceNet, the course: the library behind the chapters.

Each module holds one idea of the pipeline, in reading order:
``profiles`` → ``stage`` (a package: the synthetic dancer and the routine it dances) → ``video`` →
``background`` → ``vae`` (with ``estimators``) → ``mdn`` → ``sequence`` → ``choreography``.
``training`` is the training loop they share; ``cache`` is the mechanism that keeps what each chapter
makes, ``artifacts`` the recipes for it; ``widgets`` and ``plotting`` draw; ``cli`` is the
``dancenet`` command.
"""

import importlib.util

__version__ = "0.1.0"

if importlib.util.find_spec("cv2") is None:
    raise ImportError(
        'dancenet needs OpenCV and finds none: pip install "dancenet[opencv]" (or any OpenCV build, '
        "such as opencv-python-headless)"
    )
