"""Judging dances as a viewer would: numbers for what a person watching the generated frames notices.

- The **ghost rate** — the fraction of decoded frames that are not one coherent body
  (:func:`ghost_reasons`, :func:`ghost_frames`, :func:`ghost_rate`).
- The **move judge** — a small classifier of real framed silhouettes, a few frames at a time, into
  the stage's named moves (:func:`judge_data`, :func:`build_move_judge`, :func:`train_move_judge`).
  What it sees in a dance is judged the way a choreographer would: the share of time in each move
  against the routine's own (:func:`move_runs`, :func:`move_histogram`, :func:`total_variation` against
  :func:`dancenet.stage.long_run_moves`),
  which move follows which (:func:`transition_check`, beside :func:`shuffled_runs`; the order of
  whole combinations is :mod:`dancenet.structure`'s), how long moves
  last (:func:`move_durations`), and how far its features of the decoded frames lie from those of
  real ones (:func:`frechet_judge_distance`, the FID recipe: decoder errors count).
- **Beat alignment** — whether the dancer's moments of stillness fall on the music's beats
  (:func:`motion_beats`, :func:`beat_alignment`), as AIST++ and Bailando score dances to music.

Frames and real silhouettes are float images ``(N, H, W)`` or ``(N, H, W, 1)`` in [0, 1], as
:meth:`dancenet.vae.Autoencoder.decode` (inherited by the VAE) returns them and
:attr:`dancenet.artifacts.Silhouettes.images` holds them; a pixel belongs to the dancer when it is
above the threshold (0.5, as in :func:`dancenet.vae.nearest_silhouette_iou`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import keras
import numpy as np
import tensorflow as tf
from keras import layers

from . import stage
from .checks import check_image_size, check_positive_int
from .measures import frechet_distance, motion
from .stage import MOVES
from .training import held_out_start, train

#: why a frame is a ghost; ``""`` for a coherent body
EMPTY, FAINT, SECOND_BODY = "empty", "faint", "second body"
#: 8-connectivity: pixels touching only at a corner are one component, as a viewer sees a thin
#: diagonal limb as one stroke rather than a string of separate dots
CONNECTIVITY = 8
#: the stage's named moves, the move judge's classes
MOVE_COUNT = len(MOVES)


def _frames(images, name: str) -> np.ndarray:
    """``images`` as ``float32 (N, H, W)``, or a ``ValueError`` naming what is wrong with them."""
    images = np.asarray(images, np.float32)
    if images.ndim == 4 and images.shape[-1] == 1:
        images = images[..., 0]
    if images.ndim != 3:
        raise ValueError(f"expected {name} of shape (N, H, W) or (N, H, W, 1), got {images.shape}")
    if images.size == 0:
        raise ValueError(f"{name} are empty (shape {images.shape}): need at least one frame of pixels")
    if np.isnan(images).any():
        raise ValueError(f"{name} contain NaN")
    return images


def _masks(images, name: str, threshold: float) -> np.ndarray:
    """``images`` thresholded to ``uint8 (N, H, W)`` masks (1 = dancer), or a ``ValueError``."""
    return np.ascontiguousarray(_frames(images, name) > threshold).view(np.uint8)  # bool → uint8, no copy


def _check_fraction(value: float, name: str, low_open: bool = True) -> float:
    value = float(value)
    if not (0.0 < value < 1.0 if low_open else 0.0 <= value <= 1.0):
        bounds = "strictly between 0 and 1" if low_open else "between 0 and 1"
        raise ValueError(f"{name} must be {bounds}, got {value}")
    return value


def component_areas(mask: np.ndarray) -> np.ndarray:
    """Pixel areas of the 8-connected components of one ``uint8 (H, W)`` mask, largest first."""
    _, _, stats, _ = cv2.connectedComponentsWithStats(mask, connectivity=CONNECTIVITY)
    return np.sort(stats[1:, cv2.CC_STAT_AREA])[::-1]  # row 0 is the background


def median_real_area(real, threshold: float = 0.5) -> float:
    """Median dancer area, in pixels, of the **non-empty** real silhouettes (empty ones are skipped:
    frames where segmentation lost the dancer would drag the reference down)."""
    return _median_area(_masks(real, "real silhouettes", _check_fraction(threshold, "threshold")), threshold)


def _median_area(masks: np.ndarray, threshold: float) -> float:
    areas = masks.sum(axis=(1, 2))
    areas = areas[areas > 0]
    if len(areas) == 0:
        raise ValueError(
            f"none of the real silhouettes has a pixel above {threshold}, so there is no body size to "
            "compare with: pass silhouettes with a dancer in them (e.g. pipeline.silhouettes.images)"
        )
    return float(np.median(areas))


def ghost_reasons(
    frames, real, threshold: float = 0.5, second: float = 0.10, faint: float = 0.30
) -> np.ndarray:
    """Why each frame is a ghost, as a string array ``(N,)``: ``""`` (one coherent body),
    ``"empty"`` (no pixel above ``threshold``), ``"second body"`` (a second component of at least
    ``second`` × the largest one's area) or ``"faint"`` (the largest component is under ``faint`` ×
    the median area of the non-empty real silhouettes). A frame that is both is ``"second body"``.
    """
    threshold = _check_fraction(threshold, "threshold")
    second, faint = _check_fraction(second, "second", False), _check_fraction(faint, "faint", False)
    masks = _masks(frames, "frames", threshold)
    reference = _masks(real, "real silhouettes", threshold)
    if masks.shape[1:] != reference.shape[1:]:
        raise ValueError(
            f"frames {masks.shape[1:]} and real silhouettes {reference.shape[1:]} differ in size (H, W)"
        )
    floor = faint * _median_area(reference, threshold)
    reasons = np.full(len(masks), "", dtype=object)
    for index, mask in enumerate(masks):
        if not mask.any():
            reasons[index] = EMPTY
            continue
        areas = component_areas(mask)
        if len(areas) > 1 and areas[1] >= second * areas[0]:
            reasons[index] = SECOND_BODY
        elif areas[0] < floor:
            reasons[index] = FAINT
    return reasons.astype(str)


def ghost_frames(
    frames, real, threshold: float = 0.5, second: float = 0.10, faint: float = 0.30
) -> np.ndarray:
    """Which frames ``(N,)`` are ghosts — not one coherent body (see :func:`ghost_reasons`)."""
    return ghost_reasons(frames, real, threshold, second, faint) != ""


def ghost_rate(frames, real, threshold: float = 0.5, second: float = 0.10, faint: float = 0.30) -> float:
    """The ghost rate: the fraction of ``frames`` that are not one coherent body.

    Each frame is thresholded at ``threshold``; it fails when its mask has a second 8-connected
    component of at least ``second`` (10 %) of the largest one's area, or its largest component is
    under ``faint`` (30 %) of the median area of the non-empty ``real`` silhouettes — a fading or
    empty body (an empty frame always fails).
    """
    return float(ghost_frames(frames, real, threshold, second, faint).mean())


# ----------------------------------------------------------------------------- the move judge

#: frames the move judge sees at once: about half a second at the course's 15 frames per second,
#: enough to see a limb move, short enough to hold one move
JUDGE_CLIP = 8
#: width of the judge's penultimate layer: the features the Fréchet judge distance compares
JUDGE_FEATURES = 64
#: the judge's training: epochs at most, stopping after this many without a better validation loss
JUDGE_EPOCHS, JUDGE_PATIENCE = 20, 4


def move_clips(images, length: int = JUDGE_CLIP) -> np.ndarray:
    """Every ``length`` consecutive frames stacked as channels: ``float32 (N − length + 1, H, W, length)``.

    The judge sees a move in motion, as a viewer does: a raised arm alone could be a wave or a clap.
    """
    return _clips_at(_frames(images, "frames"), np.arange(_clip_count(images, length)), length)


def _clip_count(images, length: int) -> int:
    length = check_positive_int(length, "judge clip length")
    count = len(images) - length + 1
    if count < 1:
        raise ValueError(f"{len(images)} frames are fewer than one judge clip of {length} frames")
    return count


def _clips_at(frames: np.ndarray, starts: np.ndarray, length: int) -> np.ndarray:
    index = np.asarray(starts)[:, None] + np.arange(length)
    return np.ascontiguousarray(frames[index].transpose(0, 2, 3, 1))


def build_move_judge(image_size, clip_length: int = JUDGE_CLIP, moves: int = MOVE_COUNT) -> keras.Model:
    """A small convolutional classifier: ``clip_length`` frames as channels → a probability per move.

    Three blocks of 3×3 convolution and 2×2 pooling, as the encoder has, then a Dense layer of
    :data:`JUDGE_FEATURES` (``features``, what the Fréchet judge distance compares) and a softmax.
    """
    height, width = check_image_size(image_size)
    inputs = keras.Input((height, width, check_positive_int(clip_length, "judge clip length")), name="clips")
    x = inputs
    for block, filters in enumerate((16, 32, 64), start=1):
        x = layers.Conv2D(filters, 3, padding="same", activation="relu", name=f"conv{block}")(x)
        x = layers.MaxPooling2D(2, name=f"pool{block}")(x)
    x = layers.Dropout(0.3, name="dropout")(layers.Flatten(name="flatten")(x))
    features = layers.Dense(JUDGE_FEATURES, activation="relu", name="features")(x)
    outputs = layers.Dense(check_positive_int(moves, "moves"), activation="softmax", name="move")(features)
    return keras.Model(inputs, outputs, name="move_judge")


@dataclass(frozen=True)
class JudgeData:
    """Real framed silhouettes cut into judge clips, split in time: ``train``, ``validation``
    (the end of the training part, for early stopping) and ``held_out`` (the last part) each hold
    clip start indices into ``frames``, with the move label of each clip's middle frame."""

    frames: np.ndarray  # uint8 (N, H, W), 255 = dancer
    starts: dict  # part name → clip starts
    labels: dict  # part name → move label of each clip
    clip_length: int


def judge_data(
    images,
    labels,
    frame_indices,
    clip_length: int = JUDGE_CLIP,
    held_out: float = 0.2,
    validation: float = 0.1,
) -> JudgeData:
    """Judge clips of real silhouettes with their move labels, split chronologically.

    ``labels`` are the stage's move label of each silhouette, ``frame_indices`` its frame in the
    video: a clip is made only of frames that follow one another in the video (none dropped in
    between). A clip takes the label of its middle frame. No clip straddles two parts, so
    the held-out clips share no frame with the training ones.
    """
    frames, labels, starts = _labelled_clips(images, labels, frame_indices, clip_length)
    end_train = held_out_start(len(frames), held_out)
    end_fit = held_out_start(end_train, validation)
    ends = starts + clip_length  # one past each clip's last frame
    parts = {
        "train": starts[ends <= end_fit],
        "validation": starts[(starts >= end_fit) & (ends <= end_train)],
        "held_out": starts[starts >= end_train],
    }
    for name, part in parts.items():
        if len(part) == 0:
            raise ValueError(
                f"{len(frames)} silhouettes leave no {name.replace('_', '-')} clip of {clip_length} frames: "
                "need a longer video"
            )
    middle = clip_length // 2
    return JudgeData(
        frames=np.round(frames * 255).astype(np.uint8),
        starts=parts,
        labels={name: labels[part + middle].astype(np.int32) for name, part in parts.items()},
        clip_length=clip_length,
    )


def _labelled_clips(images, labels, frame_indices, clip_length: int):
    """The frames, their labels, and the starts of the clips whose frames follow one another in
    the video (no frame dropped in between)."""
    frames = _frames(images, "silhouettes")
    labels, frame_indices = np.asarray(labels), np.asarray(frame_indices)
    if not len(labels) == len(frame_indices) == len(frames):
        raise ValueError(
            f"got {len(frames)} silhouettes, {len(labels)} labels and {len(frame_indices)} frame "
            "indices: need one label and one frame index per silhouette"
        )
    starts = np.arange(_clip_count(frames, clip_length))
    if clip_length > 1:
        steps = np.diff(frame_indices)
        unbroken = np.lib.stride_tricks.sliding_window_view(steps == steps.min(), clip_length - 1).all(axis=1)
        starts = starts[unbroken]
    return frames, labels, starts


def judged_clip(judge: keras.Model, images, labels, frame_indices) -> tuple[np.ndarray, np.ndarray]:
    """The true move (its middle frame's) and the judged move of every clip of a labelled clip —
    say a fresh stage video, to test the judge on a routine, dancer and stage it never saw."""
    clip_length = judge.input.shape[-1]
    frames, labels, starts = _labelled_clips(images, labels, frame_indices, clip_length)
    return labels[starts + clip_length // 2], move_probabilities(judge, frames, starts).argmax(axis=1)


def _clip_dataset(data: JudgeData, part: str, batch_size: int, shuffle: bool) -> tf.data.Dataset:
    """Windows cut from the frames batch by batch, so a long video never sits in memory eight times."""
    frames, offsets = tf.constant(data.frames), tf.range(data.clip_length, dtype=tf.int64)
    pipeline = tf.data.Dataset.from_tensor_slices((data.starts[part].astype(np.int64), data.labels[part]))
    if shuffle:
        pipeline = pipeline.shuffle(len(data.starts[part]), reshuffle_each_iteration=True)

    def cut(starts, labels):
        clips = tf.gather(frames, starts[:, None] + offsets)  # (B, clip_length, H, W)
        return tf.transpose(tf.cast(clips, tf.float32) / 255.0, (0, 2, 3, 1)), labels

    return pipeline.batch(batch_size).map(cut).prefetch(tf.data.AUTOTUNE)


def train_move_judge(
    data: JudgeData, *, epochs: int = JUDGE_EPOCHS, batch_size: int = 64, seed: int = 0, progress=True
):
    """The move judge trained on ``data``'s training clips (Adam, cross-entropy), stopped early on
    its validation clips, and its Keras history."""
    height, width = data.frames.shape[1:]
    return train(
        lambda: build_move_judge((height, width), data.clip_length, MOVE_COUNT),
        lambda: (
            _clip_dataset(data, "train", batch_size, shuffle=True),
            None,
            _clip_dataset(data, "validation", batch_size, shuffle=False),
        ),
        epochs=epochs,
        optimizer=keras.optimizers.Adam,
        learning_rate=1e-3,
        loss="sparse_categorical_crossentropy",
        patience=JUDGE_PATIENCE,
        seed=seed,
        progress=progress,
    )


def _judge_outputs(judge: keras.Model, frames, starts=None) -> tuple[np.ndarray, np.ndarray]:
    """The judge's move probabilities ``(W, M)`` and features ``(W, F)`` for the clips of
    ``frames`` starting at ``starts`` (every clip when ``None``), cut a few hundred at a time."""
    frames = _frames(frames, "frames")
    clip_length = judge.input.shape[-1]
    starts = np.arange(_clip_count(frames, clip_length)) if starts is None else np.asarray(starts)
    both = keras.Model(judge.input, [judge.output, judge.get_layer("features").output])
    parts = [
        both(_clips_at(frames, starts[i : i + 256], clip_length), training=False)
        for i in range(0, len(starts), 256)
    ]
    return tuple(np.concatenate([keras.ops.convert_to_numpy(p[k]) for p in parts]) for k in (0, 1))


def move_probabilities(judge: keras.Model, frames, starts=None) -> np.ndarray:
    """The judge's probability of each move ``(W, M)`` for the clips of ``frames`` starting at
    ``starts`` (default: every clip)."""
    return _judge_outputs(judge, frames, starts)[0]


def judge_features(judge: keras.Model, frames, starts=None) -> np.ndarray:
    """The judge's penultimate features ``(W, F)`` of the clips of ``frames`` starting at
    ``starts`` (default: every clip): what the Fréchet judge distance compares."""
    return _judge_outputs(judge, frames, starts)[1]


def held_out_moves(judge: keras.Model, data: JudgeData) -> tuple[np.ndarray, np.ndarray]:
    """The true and the judged move of every held-out clip of ``data``."""
    starts = data.starts["held_out"]
    frames = data.frames[starts.min() :].astype(np.float32) / 255.0
    judged = move_probabilities(judge, frames, starts - starts.min()).argmax(axis=1)
    return data.labels["held_out"], judged


def confusion_matrix(true, predicted, count: int = MOVE_COUNT) -> np.ndarray:
    """``(count, count)`` clip counts: row = the true move, column = the judged one."""
    matrix = np.zeros((count, count), np.int64)
    np.add.at(matrix, (np.asarray(true), np.asarray(predicted)), 1)
    return matrix


def shortest_run(fps: float) -> int:
    """Frames in half the briefest move any routine dances (:func:`dancenet.stage.shortest_move_seconds`)
    at ``fps``: a run of one judged move shorter than that is the judge wavering, not a move danced."""
    if not fps > 0:
        raise ValueError(f"fps must be a positive number, got {fps}")
    return max(1, math.ceil(0.5 * stage.shortest_move_seconds() * fps))


def move_runs(moves, min_run: int) -> np.ndarray:
    """The judged moves as runs ``(K, 2)`` of (move, frames), with runs shorter than ``min_run``
    frames — the judge wavering between two moves, not a move danced — given to a neighbour.

    The shortest run goes first, to the longer of its neighbours (same-move neighbours then join),
    until every run is at least ``min_run`` long or only one is left.
    """
    moves = np.asarray(moves)
    if moves.ndim != 1 or len(moves) == 0:
        raise ValueError(f"expected a non-empty sequence of judged moves (N,), got shape {moves.shape}")
    edges = np.flatnonzero(np.diff(moves)) + 1
    runs = [[int(moves[s]), int(e - s)] for s, e in zip(np.r_[0, edges], np.r_[edges, len(moves)])]
    while len(runs) > 1:
        shortest = min(range(len(runs)), key=lambda i: runs[i][1])
        if runs[shortest][1] >= min_run:
            break
        neighbours = [i for i in (shortest - 1, shortest + 1) if 0 <= i < len(runs)]
        taker = max(neighbours, key=lambda i: runs[i][1])
        runs[taker][1] += runs.pop(shortest)[1]
        runs = _joined(runs)
    return np.array(runs, np.int64).reshape(-1, 2)


def _joined(runs: list) -> list:
    """Neighbouring runs of the same move made one."""
    joined = [list(runs[0])]
    for move, length in runs[1:]:
        if move == joined[-1][0]:
            joined[-1][1] += length
        else:
            joined.append([move, length])
    return joined


def move_histogram(runs, count: int = MOVE_COUNT) -> np.ndarray:
    """The fraction of frames spent in each move, from runs ``(K, 2)`` of (move, frames)."""
    runs = np.asarray(runs)
    return np.bincount(runs[:, 0], weights=runs[:, 1], minlength=count) / runs[:, 1].sum()


def total_variation(p, q) -> float:
    """Total-variation distance between two distributions: half the summed absolute difference,
    0 for identical, 1 for disjoint."""
    p, q = np.asarray(p, float), np.asarray(q, float)
    return 0.5 * float(np.abs(p / p.sum() - q / q.sum()).sum())


def change_probabilities(runs, matrix=None) -> np.ndarray:
    """The routine's probability of each move change in ``runs`` ``(K, 2)``: ``(K − 1,)``.

    A change is one run followed by another of a different move. Under the routine, the chance
    that ``j`` follows ``i`` *given that the move changes* is ``P[i, j] / (1 − P[i, i])`` (a
    repeated move is one longer run); a forbidden change (kick after kick, turn after turn, …)
    has probability 0.
    """
    matrix = stage.transition_matrix() if matrix is None else np.asarray(matrix, float)
    moves = np.asarray(runs)[:, 0]
    return _given_change(matrix)[moves[:-1], moves[1:]]


def _given_change(matrix: np.ndarray) -> np.ndarray:
    """``P[i, j] / (1 − P[i, i])``: the chance of ``j`` next, given that move ``i`` gives way."""
    return matrix / (1 - np.diag(matrix))[:, None]


def transition_check(runs, matrix=None) -> dict:
    """How the moves of ``runs`` follow one another under the routine's transition matrix: the
    number of ``changes``, the ``forbidden`` ones, and the mean log-probability per allowed change
    (``log_probability``; NaN without one). See :func:`change_probabilities`."""
    return _transition_summary(change_probabilities(runs, matrix))


def _transition_summary(probabilities: np.ndarray) -> dict:
    allowed = probabilities > 0
    return {
        "changes": int(len(probabilities)),
        "forbidden": int((~allowed).sum()),
        "log_probability": float(np.log(probabilities[allowed]).mean()) if allowed.any() else float("nan"),
    }


def transition_references() -> dict:
    """The mean log-probability per move change, and the share of forbidden changes, that two kinds
    of dance score on average, exactly (no sampling noise, unlike a short real clip):

    - ``routine`` — moves chained by the routine's first-order fit, which move follows which
      (:func:`change_probabilities`);
    - ``shuffled`` — the same moves in a random order: each next move drawn from the routine's
      long-run share of moves (:func:`dancenet.stage.long_run_moves`), other than the current one.

    Each is ``{"log_probability": …, "forbidden share": …}``, the log-probability averaged over
    the allowed changes, as :func:`transition_check` does.
    """
    given_change = _given_change(stage.transition_matrix())
    np.fill_diagonal(given_change, 0.0)
    random_order = np.tile(stage.long_run_moves(), (MOVE_COUNT, 1))
    np.fill_diagonal(random_order, 0.0)
    random_order /= random_order.sum(axis=1, keepdims=True)
    allowed = given_change > 0
    log_given = np.log(np.where(allowed, given_change, 1.0))
    references = {}
    for name, chain in (("routine", given_change), ("shuffled", random_order)):
        weights = stage.stationary_distribution(chain)[:, None] * chain  # how often i → j happens
        fair = (weights * allowed).sum()
        references[name] = {
            "log_probability": float((weights * log_given * allowed).sum() / fair),
            "forbidden share": float(1.0 - fair / weights.sum()),
        }
    return references


def shuffled_runs(runs, seed: int = 0) -> np.ndarray:
    """The same runs in a random order (neighbours of the same move then join): the reference a
    dance whose moves follow one another at random would score."""
    runs = np.asarray(runs)
    order = np.random.default_rng(seed).permutation(len(runs))
    return np.array(_joined(runs[order].tolist()), np.int64).reshape(-1, 2)


def move_durations(runs, fps: float, bpm: float) -> np.ndarray:
    """How long each run lasts, in beats of the music at ``bpm`` (frames at ``fps``)."""
    return np.asarray(runs)[:, 1] / fps * bpm / 60.0


def frechet_judge_distance(generated, real, seed: int = 0) -> float:
    """The FID recipe on the move judge's features: Fréchet distance between Gaussians fitted to two
    sets of feature vectors ``(N, F)``, the larger set first subsampled to the smaller's size, so
    that both fits have the same sampling noise."""
    generated, real = np.asarray(generated, np.float64), np.asarray(real, np.float64)
    size = min(len(generated), len(real))
    rng = np.random.default_rng(seed)
    pick = lambda values: values[np.sort(rng.choice(len(values), size, replace=False))]  # noqa: E731
    return frechet_distance(pick(generated), pick(real))


def judge_dances(judge: keras.Model, dances: dict, real, fps: float, bpm: float) -> dict:
    """The move judge's verdict on each set of dances ``{name: [frames (T, H, W), …]}``.

    Per set, over all its dances: ``move TV`` — total variation between the share of time in each
    judged move and the routine's long-run share (:func:`dancenet.stage.long_run_moves`); the
    transition check (``changes``, ``forbidden``, ``log-probability per change``); the
    ``median duration`` of a move, in beats at ``bpm``; the judge's mean ``confidence`` (its top
    probability); ``FJD``, the Fréchet judge distance to the ``real`` frames of a real dance
    (on equal numbers of clips, see :func:`frechet_judge_distance`); and the ``move share``
    itself, ``(MOVE_COUNT,)``, to see which moves the TV comes from.
    """
    long_run = stage.long_run_moves()
    real_features = _judge_outputs(judge, real)[1]
    rows = {}
    for name, group in dances.items():
        runs, probabilities, confidences, features = [], [], [], []
        for frames in group:
            judged, seen = _judge_outputs(judge, frames)
            runs.append(move_runs(judged.argmax(axis=1), shortest_run(fps)))
            probabilities.append(change_probabilities(runs[-1]))
            confidences.append(judged.max(axis=1))
            features.append(seen)
        every = np.concatenate(runs)
        rows[name] = {
            "move TV": total_variation(move_histogram(every), long_run),
            **_transition_summary(np.concatenate(probabilities)),
            "median duration": float(np.median(move_durations(every, fps, bpm))),
            "confidence": float(np.concatenate(confidences).mean()),
            "FJD": frechet_judge_distance(np.concatenate(features), real_features),
            "move share": move_histogram(every),
        }
    return rows


#: the Gaussian tolerance of beat alignment, in seconds: AIST++ and Bailando use σ = 3 frames at
#: 60 fps (Li et al. 2021; Siyao et al. 2022), which is 50 ms at any frame rate
BEAT_SIGMA = 3 / 60
#: the smoothing of motion speed before its minima are taken, in seconds (AIST++'s 5 frames at
#: 60 fps): without it every wobble of a sampled dance is a "motion beat"
SPEED_SMOOTHING = 5 / 60


def motion_beats(codes, fps: float, smoothing: float = SPEED_SMOOTHING) -> np.ndarray:
    """The times (seconds) of a dance's motion beats: the local minima of its motion speed.

    A dancer marks a beat by arriving — the arm reaches the top of its swing, the foot lands — and
    arriving is where the body slows down. The speed is the step between consecutive codes
    (:func:`dancenet.measures.motion`, between frames ``t − 1`` and ``t``, dated at ``t``),
    smoothed by a Gaussian of ``smoothing`` seconds. A step is dated half-way between its two
    frames: a body that turns round at frame ``t`` makes its two smallest steps on either side.
    """
    if not fps > 0:
        raise ValueError(f"fps must be positive, got {fps!r}")
    speed = motion(codes)
    sigma = smoothing * fps
    if sigma > 0:
        radius = max(1, math.ceil(3 * sigma))
        kernel = np.exp(-0.5 * (np.arange(-radius, radius + 1) / sigma) ** 2)
        padded = np.pad(speed, radius, mode="edge")
        speed = np.convolve(padded, kernel / kernel.sum(), mode="valid")
    inner = np.flatnonzero((speed[1:-1] < speed[:-2]) & (speed[1:-1] <= speed[2:])) + 1
    return (inner + 0.5) / fps


def beat_alignment(music_beats, codes, fps: float, sigma: float = BEAT_SIGMA) -> float:
    """The beat alignment score of a dance ``codes (T, D)`` at ``fps`` to music beats (seconds):
    for each music beat within the dance, ``exp(−d² / 2σ²)`` of the distance ``d`` to the nearest
    motion beat (:func:`motion_beats`), averaged — 1 when every beat is met exactly, near 0 when
    the dance ignores them. As Bailando defines it, it rewards stillness on the beats, not the
    absence of stillness elsewhere: read it beside motion energy."""
    music_beats = np.asarray(music_beats, float)
    codes = np.asarray(codes)
    if music_beats.ndim != 1 or np.isnan(music_beats).any():
        raise ValueError("music beats must be a one-dimensional array of times in seconds, without NaN")
    if not sigma > 0:
        raise ValueError(f"sigma must be positive, got {sigma!r}")
    dancing = music_beats[(music_beats >= 0) & (music_beats <= (len(codes) - 1) / fps)]
    if len(dancing) == 0:
        raise ValueError("no music beat falls within the dance: nothing to align")
    moves = motion_beats(codes, fps)
    if len(moves) == 0:
        return 0.0
    distance = np.abs(dancing[:, None] - moves[None, :]).min(axis=1)
    return float(np.mean(np.exp(-(distance**2) / (2 * sigma**2))))
