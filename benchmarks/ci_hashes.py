"""Hashes of what the ``ci`` pipeline makes, to prove that a refactoring changed no result.

Builds every artifact of the ``ci`` profile in a fresh cache, and two dances through the command
line (one without music, one to a 100-bpm song) from a fresh stage video, then prints one SHA-256
per artifact (of its arrays, its model weights and its scores, never of its cache key or file
metadata) and per dance (of its decoded frames). Run it before and after a change on one machine,
and compare: BENCHMARKS.md records the runs (the first, at 95f354b, named the artifacts in a list of
its own, as that commit had no RECIPES).

Run: python benchmarks/ci_hashes.py
"""

import hashlib
import io
import json
import os
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np


def array_digest(digest, array: np.ndarray) -> None:
    digest.update(str(array.dtype).encode() + str(array.shape).encode())
    digest.update(np.ascontiguousarray(array).tobytes())


def file_digest(digest, path: Path) -> None:
    """Feed a cached file's content: arrays of .npz/.npy, weights of .keras, scores of metrics.json."""
    if path.suffix == ".npz":
        with np.load(path) as data:
            for name in sorted(set(data.files) - {"source"}):  # "source": a path, not a result
                digest.update(name.encode())
                array_digest(digest, data[name])
    elif path.suffix == ".npy":
        array_digest(digest, np.load(path))
    elif path.suffix == ".keras":
        with zipfile.ZipFile(path) as archive:  # the weights file inside, read as arrays
            import h5py

            with h5py.File(io.BytesIO(archive.read("model.weights.h5")), "r") as weights:
                weights.visititems(lambda name, item: _dataset_digest(digest, name, item))
    elif path.name == "metrics.json":
        digest.update(json.dumps(json.loads(path.read_text()), sort_keys=True).encode())
    elif path.name in ("settings.json", "meta.json"):
        return  # the cache key's description, and the stage's own metadata: not results
    else:
        digest.update(path.read_bytes())


def _dataset_digest(digest, name, item) -> None:
    if hasattr(item, "shape") and not name.startswith("optimizer"):
        digest.update(name.encode())
        array_digest(digest, item[()])


def folder_hash(folder: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(folder)).encode())
        file_digest(digest, path)
    return digest.hexdigest()[:16]


def video_hash(path: Path) -> str:
    from dancenet import video

    digest = hashlib.sha256()
    array_digest(digest, video.read_frames(path, progress=False))
    return digest.hexdigest()[:16]


def main() -> None:
    with tempfile.TemporaryDirectory() as work:
        work = Path(work)
        env = {**os.environ, "DANCENET_CACHE": str(work / "cache"), "DANCENET_PROFILE": "ci"}
        os.environ.update(env)
        from dancenet.artifacts import RECIPES, Pipeline

        pipeline = Pipeline("ci", progress=False)
        for name in RECIPES:
            pipeline.artifact(name).get()
        for name in RECIPES:
            (folder,) = (work / "cache").glob(f"{name}-ci-*")
            print(f"{name:26s} {folder_hash(folder)}")
        # ci's barely trained dances come out empty, which the command line refuses to write (exit
        # 3); the hashes are of what it would write, so its check is switched off here
        cli = [sys.executable, "-c", "import sys, dancenet.cli as c; c.FIGURE_FRAMES = 0; sys.exit(c.main())"]

        def run(*args):
            result = subprocess.run([*cli, *args], env=env, capture_output=True, text=True)
            if result.returncode:
                sys.exit(f"dancenet {' '.join(args)} failed:\n{result.stderr[-3000:]}")

        run("stage", "--out", str(work / "stage"), "--frames", "600", "--seed", "21")
        run("song", "--out", str(work / "song.wav"), "--bpm", "100", "--seconds", "8")
        clip = str(work / "stage" / "stage.mp4")
        run("dance", "--video", clip, "--out", str(work / "dance.mp4"), "--frames", "60", "--profile", "ci")
        print(f"{'dance':26s} {video_hash(work / 'dance.mp4')}")
        run("dance", "--video", clip, "--music", str(work / "song.wav"), "--out", str(work / "music.mp4"))
        print(f"{'dance --music':26s} {video_hash(work / 'music.mp4')}")


if __name__ == "__main__":
    main()
