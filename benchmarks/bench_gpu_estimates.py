"""What each chapter costs in the ``gpu`` profile on a GPU: training FLOPs, counted, and minutes on a
T4-class and an A100-class GPU, estimated — computed on any machine, nothing trained, no GPU needed.

Why: every time the course has measured is a CPU time (BENCHMARKS.md). A reader who opens a chapter
on Colab with a GPU gets the ``gpu`` profile (the original DanceNet, exactly, at 120×208 on 20,000
frames) and wants to know first whether it takes a minute or an hour — above all for the first
chapter of a fresh session, which builds everything upstream of it too.

FLOPs are counted on the Keras models the course builds in the ``gpu`` profile (built, never
fitted). One sample's forward pass costs 2 × the multiply-adds of its Conv2D, Conv2DTranspose,
Dense, LSTM and MDN layers: every kernel weight is used once per output position (per time step
for an LSTM); pooling, upsampling, activations, bias adds and the losses are left out. A training
step costs ≈ 3 × forward: the forward pass, and a backward pass of about twice its cost (one
product for the gradients of the activations, one for those of the weights). Every epoch also
runs the validation part forward once, as Keras' ``fit`` does; that counts as training.
TensorFlow's own profiler counts the same graphs as a check (it adds the bias adds and pooling).

Samples come from the course's own code, run on placeholder arrays of the right length
(``vae.split``, ``sequence.prepare``/``pairs``/``windows``, ``judges.judge_data``); epochs from the
profile and the training functions. The VAE and the autoencoder train every epoch; the sequence
models and the judge stop early (patience), so their epochs, FLOPs and minutes are upper bounds.

Minutes = FLOPs / (peak × utilisation), but at least a fixed host cost per step (a batch, or one
iteration of the generation loop); the assumptions are the constants below, printed with the
table. Rendering the stage, background removal and framing run on the CPU and are left out, as
are the chapters' NumPy and OpenCV measures (ghost rate, nearest-silhouette IoU, Fréchet distances).

Run: python benchmarks/bench_gpu_estimates.py [--json]
"""

import argparse
import inspect
import json
import math
import os
from dataclasses import asdict, dataclass
from datetime import date

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("DANCENET_CACHE", "/tmp/gpuest-cache")  # nothing is built; only keys could touch it

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402
from _machine import machine  # noqa: E402

from dancenet import choreography, judges, mdn, sequence, stage, training, vae  # noqa: E402
from dancenet.artifacts import RECIPES, SEQUENCE_KINDS, Pipeline  # noqa: E402
from dancenet.profiles import PROFILES  # noqa: E402

PROFILE = PROFILES["gpu"]

# ----------------------------------------------------------------------------- assumptions

#: published peak dense throughput, FLOP/s, from NVIDIA's T4 and A100 (40 GB SXM) datasheets
PEAKS = {
    "T4": {"FP32": 8.1e12, "FP16 tensor": 65e12},
    "A100": {"FP32": 19.5e12, "TF32 tensor": 156e12},
}
#: what Keras' default float32 runs as: plain FP32 on a T4 (Turing has no TF32); TF32 tensor cores
#: on an A100 (TensorFlow's enable_tensor_float_32_execution is on by default)
GPUS = {"T4-class": ("T4", "FP32"), "A100-class": ("A100", "TF32 tensor")}
#: assumed sustained share of that peak: the convolutional VAE, autoencoder and judge at batch
#: 64–100 of 120×208 images; the LSTMs at batch 32/64 over windows of at most 64 steps (a chain of
#: small matrix products, latency-bound), and chapter 6's toy networks, lower
UTILISATION = {"conv": 0.35, "small": 0.15}
#: assumed least time of one Keras step (a training or an inference batch): the host dispatching
#: the compiled step, the callbacks, the data pipeline; a small model's step takes at least this
STEP_OVERHEAD_S = 0.003
#: assumed time of one iteration of Choreographer's compiled generation loop at ≤ 8 dancers: a few
#: dozen tiny kernels and the loop condition read back by the host each time, latency-bound
GENERATION_STEP_S = 0.0005

# ----------------------------------------------------------------------------- the course's facts

#: each chapter's first heading
TITLES = {
    1: "The dancer and the stage",
    2: "Background removal and framing",
    3: "The encoder",
    4: "The decoder and the plain autoencoder",
    5: "The reparameterization trick and the VAE",
    6: "Mixture density networks",
    7: "Stacked LSTMs",
    8: "Choreography",
}
#: the artifacts each chapter asks for (its ``artifacts.*`` calls, chapters/*.ipynb, cell numbers
#: counted from 0); ``vae-whole`` is ``Pipeline(profile, framed=False).vae``, the VAE on
#: whole frames, a separate artifact from the framed one
USES = {
    1: ("stage",),  # cell 17
    2: ("stage", "silhouettes"),  # cells 4, 42
    3: ("vae", "silhouettes"),  # cell 20: chapter 3, not 5, is the first to ask for the VAE
    4: ("autoencoder", "silhouettes"),  # cell 18
    5: ("vae", "silhouettes", "autoencoder", "vae-whole"),  # cells 13, 16, 33
    6: (),  # toy data only
    7: ("latents", "stage", "silhouettes", "vae", *(f"sequence-{kind}" for kind in SEQUENCE_KINDS)),
    8: ("latents", "vae", "sequence-memory", "sequence-original", "stage", "silhouettes", "judge"),
}
#: artifacts made on the CPU only
CPU_ARTIFACTS = {"stage": "renders the stage video", "silhouettes": "background removal and framing"}
#: chapter 5, cell 21: three short VAEs (β = 1; β = 32; β = 32 with free bits) on the first half of
#: the training frames, each for a fifth of the VAE's epochs, then scored on the held-out frames
#: twice (KL per dimension: encoder; reconstruction IoU: encoder and decoder)
SHORT_VAES, SHORT_EPOCH_DIVISOR = 3, 5
#: chapter 6, cells 4, 6, 19: ``mdn.fit_toy`` on 1,000 points of a 1-D inverse problem, once with MSE
#: (no components) and once per component count; fit_toy's batch is 100 (inside its train call)
TOY_POINTS, TOY_COMPONENTS, TOY_BATCH = 1000, (None, 1, 2, 3, 5), 100
#: generation, as (model, dancers, frames, calls): chapter 7 cell 31, each of the four models, four
#: dancers of 1,000 frames; chapter 8 cells 8 (compiling and timing), 12 (five temperatures),
#: 16 (the original's model at τ = 0.5 and as it was), 45 (nine temperatures, one dancer)
GENERATION = {
    7: [(kind, 4, 1000, 1) for kind in SEQUENCE_KINDS],
    8: [
        ("memory", 1, 10, 1),
        ("memory", 8, 10, 1),
        ("memory", 1, 100, 1),
        ("memory", 8, 100, 1),
        ("memory", 4, 1000, 5),
        ("original", 4, 1000, 2),
        ("memory", 1, 300, 9),
    ],
}
#: chapter 8: frames decoded besides the held-out codes (cell 30): four sets of four dancers of
#: 1,000 frames (cell 22), five temperatures × 6 frames (cell 14); and four dancers for 12 s (cell 39)
DECODED_FRAMES, DECODED_CLIPS = 4 * 4 * 1000 + 5 * 6, (4, 12)
#: chapter 8, cell 30: the clips the judge reads besides the real held-out part (in two halves),
#: its decoded codes and the training frames: four sets of four generated dancers of 1,000 frames
JUDGED_DANCES = [1000] * 16


def frames_read(profile=PROFILE) -> int:
    """Stage frames chapter 2 reads (``video.read_frames``: every ``frame_stride``-th one).

    Every one of them becomes a framed silhouette: on the course's stage video the dancer is found
    in every frame (BENCHMARKS.md, "3,000 silhouettes (none dropped)", ``cpu`` profile), so this is
    also the framed count, at most."""
    return -(-profile.stage_frames // profile.frame_stride)


def codes_per_second(profile=PROFILE) -> float:
    """Latent codes per second of dance: the stage's frame rate over the stride."""
    return inspect.signature(stage.write_stage_video).parameters["fps"].default / profile.frame_stride


def default(function, name: str):
    """The default of parameter ``name`` of ``function``: what the course passes when it passes nothing."""
    return inspect.signature(function).parameters[name].default


# ----------------------------------------------------------------------------- FLOPs


def multiply_adds(layer, steps: int = 1) -> int:
    """Multiply-adds of ``layer`` (or of every layer of a model, nested ones too) for one sample;
    ``steps`` time steps where the time axis is open (``None``)."""
    if isinstance(layer, keras.Model):
        return sum(multiply_adds(inner, steps) for inner in layer.layers)
    if isinstance(layer, keras.layers.LSTM):
        per_step = math.prod(layer.cell.kernel.shape) + math.prod(layer.cell.recurrent_kernel.shape)
        return (layer.input.shape[1] or steps) * per_step
    if isinstance(layer, keras.layers.Conv2DTranspose):  # each weight once per *input* pixel
        return math.prod(layer.input.shape[1:3]) * math.prod(layer.kernel.shape)
    if isinstance(layer, keras.layers.Conv2D):
        return math.prod(layer.output.shape[1:3]) * math.prod(layer.kernel.shape)
    if isinstance(layer, (keras.layers.Dense, mdn.MDN)):
        positions = math.prod(size or steps for size in layer.output.shape[1:-1])
        return positions * math.prod(layer.kernel.shape)
    return 0


def forward_flops(model, steps: int = 1) -> int:
    """FLOPs of one sample's forward pass: 2 × its multiply-adds."""
    return 2 * multiply_adds(model, steps)


def profiler_flops(model, sample_shape) -> int:
    """FLOPs TensorFlow's profiler counts in the graph of ``model``'s forward pass on one sample."""
    graph = (
        tf.function(lambda x: model(x, training=False))
        .get_concrete_function(tf.TensorSpec((1, *sample_shape)))
        .graph
    )
    builder = tf.compat.v1.profiler.ProfileOptionBuilder
    options = builder(builder.float_operation()).with_empty_output().build()
    logger = tf.get_logger()
    level = logger.level
    logger.setLevel("ERROR")  # the v1 profiler warns that it is v1
    try:
        return tf.compat.v1.profiler.profile(graph, options=options).total_float_ops
    finally:
        logger.setLevel(level)


def toy_forward_flops(components, hidden: int, dimensions: int = 1) -> int:
    """FLOPs of a forward pass of ``mdn.fit_toy``'s network (two tanh layers of ``hidden``, then one
    output, or an MDN head of ``components``) on one point: it is built only inside its training."""
    outputs = dimensions if components is None else mdn.output_size(dimensions, components)
    return 2 * (dimensions * hidden + hidden * hidden + hidden * outputs)


# ----------------------------------------------------------------------------- jobs


@dataclass(frozen=True)
class Job:
    """One piece of GPU work: a training run (with its scoring pass), an inference pass, or
    generation loops."""

    name: str
    #: which utilisation applies (a key of UTILISATION)
    kind: str
    training_flops: float
    inference_flops: float
    #: host round trips: batches, or iterations of the generation loop
    steps: int
    #: the least time one of them takes
    step_seconds: float
    detail: str

    def minutes(self, gpu: str) -> float:
        card, precision = GPUS[gpu]
        rate = PEAKS[card][precision] * UTILISATION[self.kind]
        compute = (self.training_flops + self.inference_flops) / rate
        return max(compute, self.steps * self.step_seconds) / 60


def batches(samples: int, batch: int) -> int:
    return -(-samples // batch)


def inference_batch() -> int:
    """The batch size of the course's inference passes (``training.in_batches``)."""
    return default(training.in_batches, "batch_size")


def training_job(name, kind, forward, train, validation, epochs, batch, scored=0, note="") -> Job:
    """``epochs`` epochs of ``train`` training samples at 3 × ``forward`` FLOPs each and
    ``validation`` samples forward, then ``scored`` samples forward once (the held-out score)."""
    return Job(
        name=name,
        kind=kind,
        training_flops=epochs * (3 * train + validation) * forward,
        inference_flops=scored * forward,
        steps=epochs * (batches(train, batch) + batches(validation, batch))
        + batches(scored, inference_batch()),
        step_seconds=STEP_OVERHEAD_S,
        detail=f"{train:,} train + {validation:,} validation samples × {epochs} epochs, batch {batch}"
        + (f"; {scored:,} scored" if scored else "")
        + note,
    )


def inference_job(name, kind, forward, samples, note="") -> Job:
    """``samples`` forward passes in the course's inference batches."""
    return Job(
        name,
        kind,
        0.0,
        samples * forward,
        batches(samples, inference_batch()),
        STEP_OVERHEAD_S,
        f"{samples:,} samples forward" + note,
    )


def generation_iterations(frames: int, windowed: bool, context: int) -> int:
    """Iterations of ``Choreographer``'s loop in one ``generate`` call: the warm-up over the last
    ``context`` codes (the last code alone for the original's model), one per frame, and — for a
    windowed model — the state rebuilt over ``context`` codes every ``context // 2`` frames."""
    if not windowed:
        return 1 + frames
    return context + frames + context * ((frames - 1) // (context // 2))


def vae_samples(count: int) -> tuple[int, int]:
    """Training and held-out frames of a VAE trained on ``count`` frames (``vae.split``)."""
    train, held_out = vae.split(np.zeros((count, 1, 1, 1), np.float32))
    return len(train), len(held_out)


def sequence_samples(codes: int) -> dict:
    """Training and validation samples of the sequence models, and the held-out codes, for a
    sequence of ``codes`` codes: ``sequence.prepare``'s split, then the training part cut as
    ``train_original_model`` (pairs) and ``train_sequence_model`` (windows) cut it."""
    data = sequence.prepare(np.zeros((codes, 1), np.float32))
    cut = sequence._validation_cut(len(data.train))
    train, validation = data.train[:cut], data.train[cut - 1 :]
    window = default(sequence.train_sequence_model, "window")
    validation_windows = sequence.training_windows(
        validation, min(window, len(validation) - 1), stride=max(1, window // 4)
    )
    return {
        "pairs": (len(sequence.pairs(train)[0]), len(sequence.pairs(validation)[0])),
        "windows": (len(sequence.training_windows(train, window)[0]), len(validation_windows[0])),
        "window": window,
        "train codes": len(data.train),
        "held out": len(data.held_out),
    }


def judge_samples(frames: int) -> dict:
    """The move judge's windows per part (``judges.judge_data`` on ``frames`` framed silhouettes)."""
    indices = np.arange(frames) * PROFILE.frame_stride
    data = judges.judge_data(np.zeros((frames, 1, 1), np.float32), np.zeros(frames, np.int32), indices)
    return {part: len(starts) for part, starts in data.starts.items()}


def models() -> dict:
    """The course's ``gpu``-profile models, built (never fitted), by the artifact they become."""
    height, width = PROFILE.image_size
    return {
        "vae": vae.build_vae(PROFILE),
        "autoencoder": vae.build_autoencoder(PROFILE),
        "encoder": vae.build_encoder(PROFILE),
        "decoder": vae.build_decoder(PROFILE),
        "sequence-original": sequence.build_original_model(PROFILE),
        **{
            f"sequence-{kind}": sequence.build_sequence_model(PROFILE, **sequence.ABLATION[kind])
            for kind in SEQUENCE_KINDS
            if kind != "original"
        },
        "judge": judges.build_move_judge((height, width), judges.JUDGE_CLIP, judges.MOVE_COUNT),
    }


def artifact_jobs(built: dict) -> dict:
    """The GPU jobs that make each artifact (none for those made on the CPU)."""
    frames = frames_read()
    train, held_out = vae_samples(frames)
    image = forward_flops(built["vae"])
    vae_epochs, batch = PROFILE.vae_epochs, PROFILE.vae_batch_size
    # the autoencoder recipe trains it half the VAE's epochs
    autoencoder_epochs = max(1, vae_epochs // 2)
    seq = sequence_samples(frames)
    pair_batch = default(sequence.train_original_model, "batch_size")
    window_batch = default(sequence.train_sequence_model, "batch_size")
    patience = f"; early stopping after {sequence.PATIENCE} epochs without progress"
    jobs = {name: [] for name in (*RECIPES, "vae-whole")}
    jobs["vae"] = [training_job("VAE", "conv", image, train, held_out, vae_epochs, batch, held_out)]
    jobs["vae-whole"] = [
        training_job("VAE on whole frames", "conv", image, train, held_out, vae_epochs, batch, held_out)
    ]
    jobs["autoencoder"] = [
        training_job(
            "autoencoder",
            "conv",
            forward_flops(built["autoencoder"]),
            train,
            held_out,
            autoencoder_epochs,
            batch,
            held_out,
        )
    ]
    jobs["latents"] = [inference_job("encoding every frame", "conv", forward_flops(built["encoder"]), frames)]
    jobs["sequence-original"] = [
        training_job(
            "original sequence model",
            "small",
            forward_flops(built["sequence-original"]),
            *seq["pairs"],
            PROFILE.sequence_epochs,
            pair_batch,
            seq["held out"],
            patience,
        )
    ]
    for kind in SEQUENCE_KINDS:
        if kind != "original":
            jobs[f"sequence-{kind}"] = [
                training_job(
                    f"sequence model '{kind}'",
                    "small",
                    forward_flops(built[f"sequence-{kind}"], seq["window"]),
                    *seq["windows"],
                    PROFILE.sequence_epochs,
                    window_batch,
                    seq["held out"],  # held_out_nll: one window of context per held-out code
                    f" (windows of {seq['window']}){patience}",
                )
            ]
    parts = judge_samples(frames)
    jobs["judge"] = [
        training_job(
            "move judge",
            "conv",
            forward_flops(built["judge"]),
            parts["train"],
            parts["validation"],
            judges.JUDGE_EPOCHS,
            default(judges.train_move_judge, "batch_size"),
            parts["held_out"],
            f"; early stopping after {judges.JUDGE_PATIENCE} epochs without progress",
        )
    ]
    return jobs


def generation_job(chapter: int, built: dict) -> Job:
    """Every ``Choreographer.generate`` call of a chapter (:data:`GENERATION`), as one job."""
    context = default(choreography.Choreographer, "context")
    flops, iterations = 0.0, 0
    for kind, dancers, frames, calls in GENERATION[chapter]:
        model = built[f"sequence-{kind}"]
        loops = generation_iterations(frames, sequence.reads_windows(model), context)
        iterations += calls * loops
        flops += calls * loops * dancers * forward_flops(model, 1)
    frames = sum(d * f * c for _, d, f, c in GENERATION[chapter])
    return Job(
        "generating dances",
        "small",
        0.0,
        flops,
        iterations,
        GENERATION_STEP_S,
        f"{frames:,} frames in {iterations:,} sequential loop iterations",
    )


def chapter_jobs(built: dict) -> dict:
    """The GPU work a chapter does itself, beyond the artifacts it asks for."""
    frames = frames_read()
    train, held_out = vae_samples(frames)
    short_train, short_validation = vae_samples(train // 2)
    short_epochs = max(1, PROFILE.vae_epochs // SHORT_EPOCH_DIVISOR)
    image = forward_flops(built["vae"])
    scoring = held_out * (forward_flops(built["encoder"]) + image)
    toy_epochs, hidden = default(mdn.fit_toy, "epochs"), default(mdn.fit_toy, "hidden")
    toy_flops = sum(toy_forward_flops(k, hidden) for k in TOY_COMPONENTS) * 3 * TOY_POINTS * toy_epochs
    seq = sequence_samples(frames)
    judge_clips = [*[seq["held out"] // 2] * 2, seq["held out"], seq["train codes"], *JUDGED_DANCES]
    clips, seconds = DECODED_CLIPS
    decoded = DECODED_FRAMES + clips * int(seconds * codes_per_second()) + seq["held out"]
    judge_windows = sum(n - judges.JUDGE_CLIP + 1 for n in judge_clips)
    short = training_job(
        f"{SHORT_VAES} short VAEs",
        "conv",
        image,
        short_train,
        short_validation,
        short_epochs,
        PROFILE.vae_batch_size,
    )
    return {
        5: [
            Job(
                short.name,
                "conv",
                SHORT_VAES * short.training_flops,
                SHORT_VAES * scoring,
                SHORT_VAES * (short.steps + 2 * batches(held_out, inference_batch())),
                STEP_OVERHEAD_S,
                f"each {short.detail}; scored on {held_out:,} held-out frames",
            )
        ],
        6: [
            Job(
                "toy networks (mdn.fit_toy)",
                "small",
                toy_flops,
                0.0,
                len(TOY_COMPONENTS) * toy_epochs * batches(TOY_POINTS, TOY_BATCH),
                STEP_OVERHEAD_S,
                f"{len(TOY_COMPONENTS)} fits of {TOY_POINTS:,} points × {toy_epochs} epochs, "
                f"batch {TOY_BATCH}",
            )
        ],
        7: [generation_job(7, built)],
        8: [
            generation_job(8, built),
            inference_job("decoding dances", "conv", forward_flops(built["decoder"]), decoded),
            inference_job(
                "judging dances", "conv", forward_flops(built["judge"]), judge_windows, " (windows)"
            ),
        ],
    }


# ----------------------------------------------------------------------------- chapters


def artifact_inputs() -> dict:
    """What each artifact is made from, as ``dancenet.artifacts.Pipeline`` wires it (nothing is built)."""
    framed, whole = Pipeline(PROFILE, progress=False), Pipeline(PROFILE, progress=False, framed=False)
    inputs = {name: [a.name for a in framed.artifact(name).inputs] for name in RECIPES}
    inputs["vae-whole"] = [a.name for a in whole.artifact("vae").inputs]
    return inputs


def upstream(names, inputs: dict) -> set:
    """``names`` and every artifact they are made from."""
    found, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name not in found:
            found.add(name)
            todo.extend(inputs[name])
    return found


def chapters(jobs: dict, extras: dict, inputs: dict) -> list[dict]:
    """Per chapter: its own work (after chapters 1 to n−1 filled the cache) and a cold session's."""
    rows, done = [], set()
    for chapter, title in TITLES.items():
        cold = upstream(USES[chapter], inputs)
        own = cold - done
        done |= cold
        order = [name for name in (*RECIPES, "vae-whole") if name in own]
        own_jobs = [job for name in order for job in jobs[name]] + extras.get(chapter, [])
        cold_order = [name for name in (*RECIPES, "vae-whole") if name in cold]
        cold_jobs = [job for name in cold_order for job in jobs[name]] + extras.get(chapter, [])
        trains = [job.name for job in own_jobs if job.training_flops]
        also = [job.name for job in own_jobs if not job.training_flops]
        on_cpu = [CPU_ARTIFACTS[name] for name in order if name in CPU_ARTIFACTS]
        what = "; ".join(trains) or "nothing"
        if also:
            what += f" (+ {', '.join(also)})"
        if on_cpu:
            what += f" (CPU: {', '.join(on_cpu)})"
        rows.append(
            {
                "chapter": chapter,
                "title": title,
                "trains": what,
                "artifacts built": order,
                "cold-session artifacts": cold_order,
                "training PFLOP": sum(job.training_flops for job in own_jobs) / 1e15,
                "cold-session training PFLOP": sum(job.training_flops for job in cold_jobs) / 1e15,
                **{f"{gpu} min": sum(job.minutes(gpu) for job in own_jobs) for gpu in GPUS},
                **{f"cold-session {gpu} min": sum(job.minutes(gpu) for job in cold_jobs) for gpu in GPUS},
            }
        )
    return rows


def cross_checks(built: dict) -> list[dict]:
    """Forward FLOPs of one sample, counted here and by TensorFlow's profiler."""
    height, width = PROFILE.image_size
    cases = [
        ("encoder", built["encoder"], (height, width, 1)),
        ("decoder", built["decoder"], (PROFILE.latent_dim,)),
        ("move judge", built["judge"], (height, width, judges.JUDGE_CLIP)),
        ("original sequence model", built["sequence-original"], (PROFILE.latent_dim,)),
    ]
    rows = []
    for name, model, shape in cases:
        counted, profiled = forward_flops(model), profiler_flops(model, shape)
        rows.append(
            {"model": name, "counted": counted, "profiler": profiled, "difference": profiled / counted - 1}
        )
    return rows


def assumptions() -> dict:
    return {
        "peaks (FLOP/s)": PEAKS,
        "precision used": {gpu: f"{card} {precision}" for gpu, (card, precision) in GPUS.items()},
        "utilisation": UTILISATION,
        "step overhead (s)": STEP_OVERHEAD_S,
        "generation loop iteration (s)": GENERATION_STEP_S,
        "frames read (= framed silhouettes, at most)": frames_read(),
    }


# ----------------------------------------------------------------------------- output


def pflop(value: float) -> str:
    return "0" if value == 0 else f"{value:.2f}" if value >= 0.01 else "< 0.01"


def minutes(value: float) -> str:
    return "0" if value == 0 else f"{value:.1f}" if value >= 0.1 else "< 0.1"


def print_markdown(rows, job_rows, checks) -> None:
    t4, a100 = GPUS
    print(
        f"# What each chapter costs in the `gpu` profile, {date.today()} (counted and estimated on "
        f"{machine()}, TensorFlow {tf.__version__}; nothing measured on a GPU)\n"
    )
    print(
        f"| chapter | what it trains | training PFLOP | {t4} min | {a100} min "
        f"| cold-session {t4} min | cold-session {a100} min |"
    )
    print("|---|---|---|---|---|---|---|")
    for row in rows:
        print(
            f"| {row['chapter']}. {row['title']} | {row['trains']} | {pflop(row['training PFLOP'])} "
            f"| {minutes(row[f'{t4} min'])} | {minutes(row[f'{a100} min'])} "
            f"| {minutes(row[f'cold-session {t4} min'])} | {minutes(row[f'cold-session {a100} min'])} |"
        )
    print("\nA cold session (the chapter opened first, empty cache) builds:")
    for row in rows:
        print(f"- chapter {row['chapter']}: {', '.join(row['cold-session artifacts']) or 'nothing'}")

    print(f"\n| job | for | what | training PFLOP | inference PFLOP | {t4} min | {a100} min |")
    print("|---|---|---|---|---|---|---|")
    for job in job_rows:
        print(
            f"| {job['name']} | {job['for']} | {job['detail']} | {pflop(job['training PFLOP'])} "
            f"| {pflop(job['inference PFLOP'])} | {minutes(job[f'{t4} min'])} "
            f"| {minutes(job[f'{a100} min'])} |"
        )

    print("\nForward FLOPs of one sample, counted here (2 × multiply-adds) against TensorFlow's profiler:")
    for check in checks:
        print(
            f"- {check['model']}: {check['counted'] / 1e9:.4f} GFLOP counted, "
            f"{check['profiler'] / 1e9:.4f} GFLOP profiled ({check['difference']:+.1%})"
        )

    print("\nAssumptions:")
    for gpu, (card, precision) in GPUS.items():
        print(
            f"- {gpu}: {PEAKS[card][precision] / 1e12:g} TFLOPS {precision} peak, what Keras' float32 "
            "runs as (published peaks: "
            + ", ".join(f"{p} {v / 1e12:g} TFLOPS" for p, v in PEAKS[card].items())
            + ")"
        )
    print(
        f"- sustained utilisation of that peak: {UTILISATION['conv']:.0%} for the convolutional VAE, "
        f"autoencoder and judge; {UTILISATION['small']:.0%} for the LSTMs (batch 32/64 over at most 64 "
        "steps: latency-bound) and the toy networks"
    )
    print(
        f"- every step (a batch) takes at least {STEP_OVERHEAD_S * 1e3:g} ms of host overhead; one "
        f"iteration of the generation loop {GENERATION_STEP_S * 1e3:g} ms (latency-bound at ≤ 8 dancers)"
    )
    print(
        "- training step ≈ 3 × forward; validation forward once per epoch; pooling, upsampling, "
        "activations and losses not counted"
    )
    print(
        f"- {frames_read():,} silhouettes ({PROFILE.stage_frames:,} stage frames at stride "
        f"{PROFILE.frame_stride}), the dancer found in every one (true of the course's stage video)"
    )
    print(
        "- epochs: the profile's (VAE and autoencoder train them all); the sequence models and the "
        "judge stop early, so their figures are upper bounds"
    )
    print(
        "- left out: stage rendering, background removal and framing (CPU), the chapters' NumPy/OpenCV "
        "measures, and chapter 8's per-frame `predict` timing demo (a few seconds)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--json", action="store_true", help="print the same figures as JSON")
    args = parser.parse_args()

    built = models()
    jobs, extras, inputs = artifact_jobs(built), chapter_jobs(built), artifact_inputs()
    rows = chapters(jobs, extras, inputs)
    job_rows = [
        {
            **{key: value for key, value in asdict(job).items() if not key.endswith("flops")},
            "for": where,
            "training PFLOP": job.training_flops / 1e15,
            "inference PFLOP": job.inference_flops / 1e15,
            **{f"{gpu} min": job.minutes(gpu) for gpu in GPUS},
        }
        for where, group in [*jobs.items(), *((f"chapter {c}", g) for c, g in extras.items())]
        for job in group
    ]
    checks = cross_checks(built)
    if args.json:
        result = {
            "profile": PROFILE.settings(),
            "date": str(date.today()),
            "chapters": rows,
            "jobs": job_rows,
            "cross-check": checks,
            "assumptions": assumptions(),
        }
        print(json.dumps(result, indent=1, ensure_ascii=False))
    else:
        print_markdown(rows, job_rows, checks)


if __name__ == "__main__":
    main()
