"""Running the course in Google Colab: keeping what it trains on Google Drive.

A Colab session starts with an empty disk, so without this every new session trains the models
again. :func:`keep_cache_on_drive` mounts the reader's Drive and points the artifact cache
(:mod:`dancenet.cache`) at a folder on it; every chapter's setup cell offers it.
"""

from __future__ import annotations

import os
from pathlib import Path

from .cache import CACHE_ENV, cache_dir

#: where Colab mounts Google Drive, and the folder the cache goes to on it
DRIVE = Path("/content/drive")
FOLDER = "dancenet-cache"


def keep_cache_on_drive(folder: str = FOLDER) -> Path:
    """Mount Google Drive (Colab asks the reader's permission) and cache artifacts in ``folder`` on
    it, under My Drive; returns the cache folder. Outside Colab, a clear error says what to do."""
    try:
        from google.colab import drive
    except ImportError:
        raise RuntimeError(
            "Google Drive can be mounted only in Colab; elsewhere set DANCENET_CACHE to a folder "
            "of your own to keep the cache there"
        ) from None
    if not folder.strip() or Path(folder).is_absolute():
        raise ValueError(f"folder must be a name under My Drive, such as {FOLDER!r}, not {folder!r}")
    drive.mount(str(DRIVE))
    os.environ[CACHE_ENV] = str(DRIVE / "MyDrive" / folder)
    return cache_dir()
