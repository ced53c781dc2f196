"""How much context does ours need to learn the phrases? (``cpu`` profile unless ``--profile``.)

Ours (``sequence.ABLATION["memory"]``) trained on the long dance with windows of 16, 64 (the
course's, cached) and 256 codes — about 1, 4 and 17 s, against 4 to 8 s for one combination — for
the same number of epochs (``artifacts.long_dance_epochs``), each from the same start. Scored on
the held-out dance after a lead-in of 256 codes, so every model predicts the same targets with as
much of the past as it reads (its window); then twenty dances of two minutes from each, generated
with the LSTM state rebuilt over the model's own window, read by the move judge and the structure
judges as in ``bench_structure.py``.

Everything the course trains is cached (``$DANCENET_CACHE``); the windows of 16 and 256 are
trained here. Run: python benchmarks/bench_context.py
"""

import argparse
import os
import time
from datetime import date

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402
from _machine import machine  # noqa: E402
from bench_structure import DANCERS, SECONDS  # noqa: E402

from dancenet import artifacts, choreography, sequence, structure  # noqa: E402
from dancenet.artifacts import Pipeline  # noqa: E402

WINDOWS = (16, 64, 256)
LEAD_IN = 256


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="cpu")
    args = parser.parse_args()
    pipeline = Pipeline(args.profile, progress=False)
    profile = pipeline.profile
    vae, judge = pipeline.vae.model, pipeline.move_judge.model
    long, held = pipeline.long_dance, pipeline.held_out_dance
    data = sequence.prepare_dances(long.codes, held.codes, lead_in=LEAD_IN)
    fps, bpm = long.fps, long.bpm
    length = round(SECONDS * fps)
    epochs = artifacts.long_dance_epochs(profile)
    print(f"{machine()}, {date.today()}, profile {args.profile}: windows {WINDOWS}, {epochs} epochs each")
    rows = {}
    for window in WINDOWS:
        started = time.perf_counter()
        if window == sequence.WINDOW:
            model = pipeline.sequence_model("memory").model
        else:
            model, _ = sequence.train_sequence_model(
                data, profile, epochs=epochs, window=window, progress=False, **sequence.ABLATION["memory"]
            )
        trained = time.perf_counter() - started
        nll = sequence.held_out_nll(model, data, context=window).mean()
        dancer = choreography.Choreographer(model, context=window)
        warm = data.train[-window:]
        codes = dancer.generate(
            np.repeat(warm[None], DANCERS, axis=0), length, choreography.DEFAULT_TEMPERATURE, seed=0
        )
        rows[f"window {window}"] = [
            structure.structure_measures(
                structure.judged_runs(judge, vae.decode(data.scaler.inverse(c)), fps), fps, bpm
            )
            for c in codes
        ]
        print(
            f"window {window}: trained in {trained:.0f} s, held-out NLL {nll:.3f} nats per dimension, "
            f"dances judged in {time.perf_counter() - started - trained:.0f} s"
        )
    print(structure.structure_table(rows))


if __name__ == "__main__":
    main()
