"""What every chapter's setup cell does, in one call: :func:`start`.

A chapter opened in Colab finds its library missing; the setup cell installs ``dancenet`` alone
(Colab's own packages satisfy the rest) and then calls :func:`start`, which adds OpenCV only where
the runtime has none (two OpenCV builds side by side break each other), keeps the cache on Google
Drive when the reader asks, and prints the profile and what TensorFlow computes with — starting
TensorFlow there, quietly, so that no later cell is interrupted by its start-up log.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from importlib import metadata

from .devices import device_summary
from .profiles import Profile, get_profile
from .smoke import smoke_note


def opencv_requirement() -> str:
    """The OpenCV build ``dancenet`` installs where none is (its ``opencv`` extra), e.g.
    ``opencv-python-headless<6,>=4.8``."""
    for requirement in metadata.requires("dancenet") or ():
        name, _, marker = requirement.partition(";")
        if "extra" in marker and '"opencv"' in marker.replace("'", '"'):
            return name.strip()
    raise RuntimeError("dancenet's metadata names no OpenCV build (its [opencv] extra): reinstall dancenet")


def ensure_opencv() -> None:
    """Install :func:`opencv_requirement` when no OpenCV build provides ``cv2``; else do nothing."""
    if importlib.util.find_spec("cv2") is not None:
        return
    requirement = opencv_requirement()
    print(f"this runtime has no OpenCV: installing {requirement}")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", requirement], check=True)


def start(keep_models_on_drive: bool = False) -> Profile:
    """Ready a chapter: OpenCV where it is missing, the cache on Google Drive if asked (Colab
    only), then print the active profile and the devices; returns the profile."""
    ensure_opencv()
    if keep_models_on_drive:
        from .colab import keep_cache_on_drive

        print(f"cache on Google Drive: {keep_cache_on_drive()}")
    profile = get_profile()
    print(profile)
    if note := smoke_note(profile):
        print(note)
    print(device_summary())
    return profile
