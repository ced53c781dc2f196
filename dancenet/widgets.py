"""Interactive explorers for the chapters.

Each explorer is an ``ipywidgets.VBox`` with its controls as attributes, so a test (or a curious
reader) can drive it from Python: set ``browser.frame.value = 10`` and the picture updates. Only
the plain ipywidgets API is used, so the explorers work with ipywidgets 7 (Colab) and 8 alike.
Pictures are PNG ``Image`` widgets, whose bytes are stored with the notebook, so the book shows
each explorer's first view without a running kernel.
"""

from __future__ import annotations

from dataclasses import replace

import cv2
import ipywidgets as widgets
import numpy as np

from . import background, framing, plotting
from .checks import check_image_size
from .framing import FramingSettings
from .video import to_uint8

_WIDE = {"description_width": "110px"}
_FRAMING = FramingSettings()  # frozen: one shared default is safe
#: the largest a picture is shown, in CSS pixels: with its controls it fits a laptop screen (700 px)
MAX_IMAGE_WIDTH, MAX_IMAGE_HEIGHT = 720, 360


def _profile_note(profile) -> widgets.HTML:
    """One line on top of an explorer in a smoke profile (``ci``): its models are barely trained,
    and which profile gives real results (:func:`dancenet.smoke.smoke_note`); empty otherwise."""
    import html

    from .smoke import smoke_note

    note = smoke_note(profile)
    return widgets.HTML(f"<span style='color:#b35c00'>⚠ {html.escape(note)}</span>" if note else "")


def _noted(note: widgets.HTML, children: list) -> list:
    """The explorer's children, with the profile note first where there is one."""
    return [note, *children] if note.value else list(children)


def _fit(height: int, width: int, zoom: float) -> float:
    """The factor a ``height × width`` picture is shown at: ``zoom``, less where the picture would
    outgrow :data:`MAX_IMAGE_WIDTH` × :data:`MAX_IMAGE_HEIGHT`."""
    return min(zoom, MAX_IMAGE_WIDTH / width, MAX_IMAGE_HEIGHT / height)


def _show(image: widgets.Image, picture: np.ndarray, zoom: float) -> None:
    """Put ``picture`` on ``image`` enlarged ``zoom`` times (less where it would outgrow the maximum
    size), pixels repeated, and declare that size: the browser shows the PNG's pixels 1:1, neither
    stretched to the page's width nor blurred."""
    picture = np.asarray(picture)
    height, width = picture.shape[:2]
    factor = _fit(height, width, zoom)
    size = (max(1, round(width * factor)), max(1, round(height * factor)))
    if factor == int(factor):
        data = plotting.png_bytes(picture, int(factor))
    else:
        smaller = cv2.INTER_AREA if factor < 1 else cv2.INTER_NEAREST
        data = plotting.png_bytes(cv2.resize(plotting.upscale(picture, 1), size, interpolation=smaller), 1)
    image.value = data
    image.layout.width, image.layout.height = f"{size[0]}px", f"{size[1]}px"


def _png_size(data: bytes) -> tuple[int, int]:
    """``(width, height)`` of PNG bytes, from the header."""
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def _temperature_slider(value: float) -> widgets.FloatSlider:
    """The sampling temperature τ, 0–2, as the MDN playground and the choreography studio show it."""
    return widgets.FloatSlider(
        value, min=0.0, max=2.0, step=0.05, description="temperature τ", style=_WIDE, layout=_slider_layout()
    )


def _slider_layout() -> widgets.Layout:
    return widgets.Layout(width="460px")


class StageBrowser(widgets.VBox):
    """Step through a stage video: the frame, its ground-truth mask, or both overlaid."""

    VIEWS = ("frame", "mask", "overlay")

    def __init__(
        self, frames, masks, labels=None, move_names=None, fps: float = 30.0, zoom: int = 2, profile=None
    ):
        frames, masks = np.asarray(frames), np.asarray(masks, bool)
        if frames.ndim != 4 or masks.shape != frames.shape[:3]:
            raise ValueError(f"frames {frames.shape} and masks {masks.shape} do not match")
        self.frames, self.masks, self.fps, self.zoom = frames, masks, fps, zoom
        self.labels, self.move_names = labels, move_names
        self.frame = widgets.IntSlider(
            0, 0, len(frames) - 1, description="frame", style=_WIDE, layout=_slider_layout()
        )
        self.view = widgets.ToggleButtons(
            options=self.VIEWS, value="overlay", description="show", style=_WIDE
        )
        self.image = widgets.Image(format="png")
        self.caption = widgets.HTML()
        self.note = _profile_note(profile)
        for control in (self.frame, self.view):
            control.observe(self._update, names="value")
        super().__init__(_noted(self.note, [self.frame, self.view, self.image, self.caption]))
        self._update()

    @classmethod
    def from_recording(cls, recording, frames, **kwargs) -> StageBrowser:
        """A browser over frames read from a :class:`dancenet.stage.StageRecording`'s video."""
        return cls(
            frames,
            recording.masks[: len(frames)],
            labels=recording.labels[: len(frames)],
            move_names=recording.meta.get("moves"),
            fps=recording.meta.get("fps", 30.0),
            **kwargs,
        )

    def picture(self) -> np.ndarray:
        """The image the browser shows for its current settings."""
        i = self.frame.value
        if self.view.value == "frame":
            return self.frames[i]
        if self.view.value == "mask":
            return self.masks[i]
        return plotting.overlay(self.frames[i], self.masks[i])

    def _update(self, _change=None) -> None:
        i = self.frame.value
        _show(self.image, self.picture(), self.zoom)
        move = ""
        if self.labels is not None:
            label = int(self.labels[i])
            move = f" · move: <b>{self.move_names[label] if self.move_names else label}</b>"
        self.caption.value = (
            f"frame {i} · {i / self.fps:.2f} s · dancer covers {self.masks[i].mean():.1%} of the frame{move}"
        )


class BackgroundTuner(widgets.VBox):
    """Tune a background-removal method and watch the mask and its IoU change.

    The picture shows the frame dimmed with correct dancer pixels green, false alarms red and
    misses blue. IoU is shown for the current frame and averaged over every ``score_every``-th frame.
    """

    #: per method: what the main slider means, its range, step and default
    SLIDERS = {
        "threshold": ("level", 0, 255, 1, 20),
        "median": ("difference", 2, 120, 1, 28),  # in brightness; longer labels are cut
        "mog2": ("sensitivity", 2, 200, 1, 40),
        "knn": ("sensitivity", 50, 2000, 10, 400),
    }

    def __init__(self, frames, truth, score_every: int = 5, zoom: int = 2, profile=None):
        self.frames = np.asarray(frames)
        self.truth = np.asarray(truth, bool)
        if self.frames.ndim != 4 or self.truth.shape != self.frames.shape[:3]:
            raise ValueError(f"frames {self.frames.shape} and truth {self.truth.shape} do not match")
        self.zoom = zoom
        self.scored = np.arange(0, len(self.frames), score_every)
        self._background = background.median_background(self.frames)
        self._models = {}
        self.method = widgets.Dropdown(
            options=background.METHODS, value="median", description="method", style=_WIDE
        )
        self.level = widgets.IntSlider(
            description="difference", style=_WIDE, layout=_slider_layout(), continuous_update=False
        )
        self.shadows = widgets.Checkbox(True, description="ignore shadows", indent=False)
        self.clean = widgets.Checkbox(True, description="clean up (morphology + largest shape)", indent=False)
        self.frame = widgets.IntSlider(
            0,
            0,
            len(self.frames) - 1,
            description="frame",
            style=_WIDE,
            layout=_slider_layout(),
            continuous_update=False,
        )
        self.image = widgets.Image(format="png")
        self.score = widgets.HTML()
        self.note = _profile_note(profile)
        self._set_slider("median")
        self.method.observe(self._method_changed, names="value")
        for control in (self.level, self.shadows, self.clean):
            control.observe(self._settings_changed, names="value")
        self.frame.observe(self._frame_changed, names="value")
        super().__init__(
            _noted(
                self.note,
                [
                    self.method,
                    self.level,
                    widgets.HBox([self.shadows, self.clean]),
                    self.frame,
                    self.image,
                    self.score,
                ],
            )
        )
        self._settings_changed()

    def _set_slider(self, method: str) -> None:
        label, low, high, step, default = self.SLIDERS[method]
        with self.level.hold_trait_notifications():
            self.level.min, self.level.max = low, high
            self.level.step, self.level.value = step, default
        self.level.description = label

    def _model(self, method: str):
        if method not in self._models:
            self._models[method] = background.learned_subtractor(self.frames, method)
        return self._models[method]

    def masks(self, indices) -> np.ndarray:
        """Masks of the chosen frames under the current settings."""
        frames = self.frames[indices]
        method, value = self.method.value, self.level.value
        if method == "threshold":
            raw = background.threshold_masks(frames, value)
        elif method == "median":
            raw = background.difference_masks(
                frames, self._background, value, suppress_shadows=self.shadows.value
            )
        else:
            raw = background.subtractor_masks(self._model(method), frames, value)
        return background.clean_masks(raw) if self.clean.value else raw

    def mean_iou(self) -> float:
        """Mean IoU over the scored frames under the current settings."""
        return background.mean_iou(self.masks(self.scored), self.truth[self.scored])

    def _method_changed(self, _change=None) -> None:
        self.level.unobserve(self._settings_changed, names="value")
        self._set_slider(self.method.value)
        self.level.observe(self._settings_changed, names="value")
        self.shadows.disabled = self.method.value != "median"
        self._settings_changed()

    def _settings_changed(self, _change=None) -> None:
        self._mean = self.mean_iou()
        self._frame_changed()

    def _frame_changed(self, _change=None) -> None:
        i = self.frame.value
        mask = self.masks([i])[0]
        picture = plotting.mask_comparison(self.frames[i], mask, self.truth[i])
        _show(self.image, np.concatenate([self.frames[i], picture], axis=1), self.zoom)
        self.score.value = (
            f"IoU on this frame <b>{background.iou(mask, self.truth[i]):.3f}</b> · "
            f"mean IoU over {len(self.scored)} frames <b>{self._mean:.3f}</b> "
            f"<span style='color:#28aa50'>■ dancer</span> "
            f"<span style='color:#e63c32'>■ false alarm</span> "
            f"<span style='color:#286ee6'>■ missed</span>"
        )


class FramingTuner(widgets.VBox):
    """Tune how the dancer is framed: the room around the body and how much the track is smoothed.

    Left, the frame with its mask tinted (the tracked dancer red, anyone else blue), the crop
    window in green and, where the dancer was found, the raw track's centre as a yellow dot; a gray
    ``border`` round the frame shows where the window leaves it (the crop is padded with background
    there); a side beyond even the border is drawn on its edge. Right, the framed silhouette,
    enlarged to the same height. The dancer is tracked once: the sliders only re-smooth the track
    (``smoothing``) or re-cut the one frame shown (``margin``, ``frame``).
    """

    WINDOW, CENTRE, OTHERS, OUTSIDE = (40, 220, 90), (255, 230, 0), (60, 120, 255), (128, 128, 128)

    def __init__(
        self, frames, masks, settings: FramingSettings = _FRAMING, image_size=(64, 104), zoom=2, profile=None
    ):
        frames, masks = np.asarray(frames), np.asarray(masks)
        if frames.ndim != 4 or frames.shape[-1] != 3 or masks.shape != frames.shape[:3]:
            raise ValueError(
                f"frames {frames.shape} and masks {masks.shape} do not match: expected RGB frames "
                "(N, H, W, 3) and one mask (N, H, W) per frame"
            )
        if frames.dtype != np.uint8:
            raise ValueError(
                f"frames must be uint8 RGB (0–255), got dtype {frames.dtype}; "
                "dancenet.video.to_uint8 converts frames in [0, 1]"
            )
        if not isinstance(settings, FramingSettings):
            raise ValueError(f"settings must be a FramingSettings, got {type(settings).__name__}")
        self.image_size, self.settings, self.zoom = check_image_size(image_size), settings, zoom
        self.track = framing.track_dancer(masks, settings)  # checks the masks; the one slow step
        self._check_found(settings)
        self.frames, self.masks = frames, masks.astype(bool)
        self.border = frames.shape[1] // 4  # pixels of the outside shown round the frame
        self.labels = np.where(self.track.shapes > 1, self.track.labels, 0) if settings.isolate else None
        self.margin = widgets.FloatSlider(
            settings.margin,
            min=0.0,
            max=max(0.6, settings.margin),
            step=0.05,
            description="margin",
            style=_WIDE,
            layout=_slider_layout(),
        )
        self.smoothing = widgets.IntSlider(
            settings.median_window,
            min=1,
            max=max(31, settings.median_window),
            step=2,
            description="median window",
            style=_WIDE,
            layout=_slider_layout(),
        )
        self.frame = widgets.IntSlider(
            0,
            0,
            len(frames) - 1,
            description="frame",
            style=_WIDE,
            layout=_slider_layout(),
            continuous_update=False,
        )
        self.image = widgets.Image(format="png")
        self.caption = widgets.HTML()
        self.note = _profile_note(profile)
        self.smoothing.observe(self._smoothing_changed, names="value")
        for control in (self.margin, self.frame):
            control.observe(self._update, names="value")
        super().__init__(
            _noted(self.note, [self.margin, self.smoothing, self.frame, self.image, self.caption])
        )
        self._smoothing_changed()

    def _check_found(self, settings: FramingSettings) -> None:
        if not self.track.found.any():
            raise ValueError(
                f"no dancer found in any of the {len(self.track.found)} frames: background removal "
                f"left no shape of at least {settings.min_area:g} of the frame, so there is nothing to "
                "frame; a lower FramingSettings.min_area may help"
            )

    def _settings(self) -> FramingSettings:
        """The settings with the sliders' values; an even window (typed in Python) is made odd."""
        return replace(self.settings, margin=float(self.margin.value), median_window=self.smoothing.value | 1)

    def crop_box(self) -> tuple[int, int, int, int]:
        """The current frame's crop box ``(top, left, height, width)`` in pixels, as
        :func:`dancenet.framing.dancer_crops` cuts it (it may reach past the frame's edges)."""
        x, y, body = np.asarray(self.smoothed[self.frame.value], np.float64)
        height, width = self.masks.shape[1:]
        out_h, out_w = self.image_size
        box_h = int(max(2, np.round(body * height * (1 + self._settings().margin))))
        box_w = int(max(2, np.round(box_h * out_w / out_h)))
        return (
            int(np.round(y * height - box_h / 2)),
            int(np.round(x * width - box_w / 2)),
            box_h,
            box_w,
        )

    def crop(self) -> np.ndarray:
        """The current frame's framed silhouette, float32 ``(h, w, 1)`` in [0, 1]."""
        i = self.frame.value
        labels = None if self.labels is None else self.labels[i : i + 1]
        return framing.dancer_crops(
            self.masks[i : i + 1], self.smoothed[i : i + 1], self.image_size, self._settings().margin, labels
        )[0]

    def _marked_frame(self) -> np.ndarray:
        """The frame in its border, the masks tinted, the crop window outlined, the raw centre dotted."""
        i, b = self.frame.value, self.border
        mask, label = self.masks[i], self.track.labels[i]
        dancer = _shape(mask, label) if label > 0 else np.zeros_like(mask)
        tinted = plotting.overlay(plotting.overlay(self.frames[i], mask & ~dancer, self.OTHERS), dancer)
        picture = cv2.copyMakeBorder(tinted, b, b, b, b, cv2.BORDER_CONSTANT, value=self.OUTSIDE)
        cv2.rectangle(picture, *self._window_corners(), self.WINDOW, 1)
        if label > 0:
            x, y = self.track.raw[i, :2] * (mask.shape[1], mask.shape[0])
            cv2.circle(picture, (int(x) + b, int(y) + b), 2, self.CENTRE, -1)
        return picture

    def _window_corners(self) -> tuple[tuple[int, int], tuple[int, int]]:
        """The window's top-left and bottom-right pixels ``(x, y)`` in the bordered frame, kept on it."""
        top, left, box_h, box_w = self.crop_box()
        height, width = np.add(self.masks.shape[1:], 2 * self.border)
        xs = np.clip([left + self.border, left + self.border + box_w - 1], 0, width - 1)
        ys = np.clip([top + self.border, top + self.border + box_h - 1], 0, height - 1)
        return (int(xs[0]), int(ys[0])), (int(xs[1]), int(ys[1]))

    def picture(self) -> np.ndarray:
        """The RGB picture shown: the marked frame beside the framed silhouette at the same height."""
        height = self.frames.shape[1] + 2 * self.border
        framed = _silhouette_rgb(self.crop())
        width = max(1, round(framed.shape[1] * height / framed.shape[0]))
        framed = cv2.resize(framed, (width, height), interpolation=cv2.INTER_NEAREST)
        return plotting.side_by_side(self._marked_frame(), framed)

    def _smoothing_changed(self, _change=None) -> None:
        self.smoothed = framing.smooth_track(self.track.raw, self._settings())
        self._update()

    def _update(self, _change=None) -> None:
        i = self.frame.value
        _, _, box_h, box_w = self.crop_box()
        found = (
            "dancer found" if self.track.found[i] else "dancer <b>missed</b> (window from the smoothed track)"
        )
        dropped = int((~self.track.found).sum())
        _show(self.image, self.picture(), self.zoom)
        self.caption.value = (
            f"frame {i} · {found} · window <b>{box_h}×{box_w}</b> px · "
            f"{dropped} of {len(self.masks)} frames dropped (no dancer) · "
            f"<span style='color:#28dc5a'>■ window</span> "
            f"<span style='color:#ffe600'>● raw centre</span> "
            f"<span style='color:#ff3c3c'>■ dancer</span> "
            f"<span style='color:#3c78ff'>■ others</span>"
        )


def _shape(mask: np.ndarray, label: int) -> np.ndarray:
    """The pixels of one shape of ``mask``, labelled as :class:`dancenet.framing.Track` labels them."""
    return cv2.connectedComponentsWithStats(mask.view(np.uint8), connectivity=8)[1] == label


class FeatureMapViewer(widgets.VBox):
    """Pick a frame, a layer of the encoder and one of its channels: see what that filter responds to.

    Feature maps are shown with their own colour scale (dark = 0, bright = the map's maximum), next
    to the input silhouette.
    """

    def __init__(self, encoder, images, zoom: int = 3, profile=None):
        from . import vae

        self.images = vae.check_silhouettes(images)
        self.zoom = zoom
        self.maps = vae.layer_outputs(encoder, self.images)
        names = list(self.maps)
        self.frame = widgets.IntSlider(
            0, 0, len(self.images) - 1, description="frame", style=_WIDE, layout=_slider_layout()
        )
        self.layer = widgets.Dropdown(options=names, value=names[0], description="layer", style=_WIDE)
        self.channel = widgets.IntSlider(
            0,
            0,
            self.maps[names[0]].shape[-1] - 1,
            description="channel",
            style=_WIDE,
            layout=_slider_layout(),
        )
        self.image = widgets.Image(format="png")
        self.caption = widgets.HTML()
        self.note = _profile_note(profile)
        self.layer.observe(self._layer_changed, names="value")
        for control in (self.frame, self.channel):
            control.observe(self._update, names="value")
        super().__init__(_noted(self.note, [self.frame, self.layer, self.channel, self.image, self.caption]))
        self._update()

    def picture(self) -> np.ndarray:
        """The input silhouette beside the chosen feature map, upscaled to the same height, as RGB."""
        import matplotlib

        feature = self.maps[self.layer.value][self.frame.value, ..., self.channel.value]
        scaled = feature / feature.max() if feature.max() > 0 else feature
        colored = to_uint8(matplotlib.colormaps["magma"](scaled)[..., :3])
        factor = self.images.shape[1] // colored.shape[0]
        colored = np.repeat(np.repeat(colored, factor, axis=0), factor, axis=1)
        return plotting.side_by_side(_silhouette_rgb(self.images[self.frame.value]), colored)

    def _layer_changed(self, _change=None) -> None:
        channels = self.maps[self.layer.value].shape[-1]
        with self.channel.hold_trait_notifications():
            self.channel.max = channels - 1
            self.channel.value = min(self.channel.value, channels - 1)
        self._update()

    def _update(self, _change=None) -> None:
        feature = self.maps[self.layer.value]
        _show(self.image, self.picture(), self.zoom)
        self.caption.value = (
            f"layer <b>{self.layer.value}</b>: {feature.shape[1]}×{feature.shape[2]} "
            f"× {feature.shape[3]} channels · channel {self.channel.value}, "
            f"frame {self.frame.value}"
        )


def _silhouette_rgb(image) -> np.ndarray:
    """A silhouette ``(H, W, 1)`` in [0, 1] as a gray RGB picture."""
    return np.repeat(to_uint8(image), 3, axis=-1)


class ReconstructionViewer(widgets.VBox):
    """A silhouette, its reconstruction by each model, and where they differ.

    The ``noise`` slider adds Gaussian noise to the code before decoding, in units of the codes'
    own spread per dimension: a model whose nearby codes decode to similar dancers degrades gently.
    """

    def __init__(self, models: dict, images, zoom: int = 3, seed: int = 0, profile=None):
        from . import vae

        self.images = vae.check_silhouettes(images)
        if not models:
            raise ValueError("ReconstructionViewer needs at least one model")
        self.models, self.zoom = dict(models), zoom
        self.codes = {name: model.encode(self.images) for name, model in self.models.items()}
        self.spread = {name: codes.std(axis=0) for name, codes in self.codes.items()}
        self.direction = np.random.default_rng(seed).normal(size=next(iter(self.codes.values())).shape[1])
        self.frame = widgets.IntSlider(
            0, 0, len(self.images) - 1, description="frame", style=_WIDE, layout=_slider_layout()
        )
        self.model = widgets.ToggleButtons(options=list(self.models), description="model", style=_WIDE)
        self.noise = widgets.FloatSlider(
            0.0, min=0.0, max=3.0, step=0.25, description="code noise", style=_WIDE, layout=_slider_layout()
        )
        self.image = widgets.Image(format="png")
        self.caption = widgets.HTML()
        self.note = _profile_note(profile)
        for control in (self.frame, self.model, self.noise):
            control.observe(self._update, names="value")
        super().__init__(_noted(self.note, [self.frame, self.model, self.noise, self.image, self.caption]))
        self._update()

    def reconstruction(self) -> np.ndarray:
        """The chosen model's reconstruction ``(H, W, 1)`` of the chosen frame, after the noise."""
        name = self.model.value
        code = self.codes[name][self.frame.value] + self.noise.value * self.spread[name] * self.direction
        return self.models[name].decode(code[None])[0]

    def _update(self, _change=None) -> None:
        original = self.images[self.frame.value]
        reconstruction = self.reconstruction()
        truth, found = original[..., 0] > 0.5, reconstruction[..., 0] > 0.5
        difference = plotting.mask_comparison(np.full((*truth.shape, 3), 255, np.uint8), found, truth)
        _show(
            self.image,
            plotting.side_by_side(_silhouette_rgb(original), _silhouette_rgb(reconstruction), difference),
            self.zoom,
        )
        self.caption.value = (
            f"input · <b>{self.model.value}</b> reconstruction · difference "
            f"<span style='color:#e63c32'>■ extra</span> "
            f"<span style='color:#286ee6'>■ missing</span> — "
            f"IoU <b>{float(background.iou(found, truth)):.3f}</b>"
        )


class LatentExplorer(widgets.VBox):
    """Sliders along the main directions of the latent space; the decoder draws the dancer live.

    Each slider moves the code that many standard deviations along one principal direction of the
    codes of real frames (:func:`dancenet.vae.latent_directions`), starting from the mean code.
    """

    def __init__(self, model, latents, directions: int = 5, zoom: int = 3, profile=None):
        from . import vae

        self.model, self.zoom = model, zoom
        self.center, self.directions, self.spread = vae.latent_directions(latents, directions)
        self.sliders = [
            widgets.FloatSlider(
                0.0,
                min=-3.0,
                max=3.0,
                step=0.25,
                description=f"direction {i + 1}",
                style=_WIDE,
                layout=_slider_layout(),
            )
            for i in range(len(self.directions))
        ]
        self.reset = widgets.Button(description="back to the mean")
        self.image = widgets.Image(format="png")
        self.caption = widgets.HTML()
        self.note = _profile_note(profile)
        for slider in self.sliders:
            slider.observe(self._update, names="value")
        self.reset.on_click(self._reset)
        super().__init__(_noted(self.note, [*self.sliders, self.reset, self.image, self.caption]))
        self._update()

    def code(self) -> np.ndarray:
        """The latent code the sliders point at, ``(D,)``."""
        steps = np.array([slider.value for slider in self.sliders], np.float32)
        return self.center + (steps * self.spread) @ self.directions

    def _reset(self, _button=None) -> None:
        for slider in self.sliders:
            with slider.hold_trait_notifications():
                slider.value = 0.0
        self._update()

    def _update(self, _change=None) -> None:
        code = self.code()
        picture = self.model.decode(code[None])[0]
        _show(self.image, _silhouette_rgb(picture), self.zoom)
        offset = np.linalg.norm(code - self.center)
        self.caption.value = (
            f"{len(self.sliders)} of {len(self.center)} directions · distance from "
            f"the mean code <b>{offset:.2f}</b>"
        )


class MDNPlayground(widgets.VBox):
    """Chapter 6's toy: pick how many mixture components the fitted MDN has and the sampling
    temperature; see its samples over the data, and its component means weighted by probability.

    ``models`` maps a component count to a fitted model (:func:`dancenet.mdn.fit_toy`).
    """

    def __init__(self, x, y, models: dict, seed: int = 0, profile=None):
        import keras

        from . import mdn

        self.x, self.y = np.asarray(x, np.float32), np.asarray(y, np.float32)
        if self.x.shape != self.y.shape or self.x.ndim != 2 or self.x.shape[1] != 1:
            raise ValueError(f"expected x and y of shape (N, 1), got {self.x.shape} and {self.y.shape}")
        if not models:
            raise ValueError("MDNPlayground needs at least one fitted model")
        self.models, self.seed = dict(sorted(models.items())), seed
        self.grid = np.linspace(self.x.min(), self.x.max(), 200, dtype=np.float32)[:, None]
        self.params = {
            k: (np.asarray(m.predict(self.x, verbose=0)), np.asarray(m.predict(self.grid, verbose=0)))
            for k, m in self.models.items()
        }
        self.nll = {
            k: float(np.mean(keras.ops.convert_to_numpy(mdn.negative_log_likelihood(self.y, p, 1, k))))
            for k, (p, _) in self.params.items()
        }
        self.components = widgets.ToggleButtons(
            options=list(self.models), description="components", style=_WIDE
        )
        self.temperature = _temperature_slider(1.0)
        self.resample = widgets.Button(description="new samples")
        self.image = widgets.Image(format="png")
        self.caption = widgets.HTML()
        self.note = _profile_note(profile)
        for control in (self.components, self.temperature):
            control.observe(self._update, names="value")
        self.resample.on_click(self._new_samples)
        super().__init__(
            _noted(self.note, [self.components, self.temperature, self.resample, self.image, self.caption])
        )
        self._update()

    def samples(self) -> np.ndarray:
        """One sample of ``y`` for every data ``x``, at the chosen temperature ``(N, 1)``."""
        from . import mdn

        k = self.components.value
        return mdn.sample(self.params[k][0], 1, k, self.temperature.value, rng=self.seed)

    def figure(self):
        import matplotlib.pyplot as plt

        from . import mdn

        k = self.components.value
        means, _, weights = mdn.tempered_mixture(self.params[k][1], 1, k, self.temperature.value)
        fig, ax = plt.subplots(figsize=(5.4, 3.2))  # fits MAX_IMAGE_HEIGHT unshrunk
        ax.scatter(self.x[:, 0], self.y[:, 0], s=4, c="#bbb", label="data")
        ax.scatter(self.x[:, 0], self.samples()[:, 0], s=4, c="#c33", label="MDN samples")
        for c in range(k):
            ax.scatter(
                self.grid[:, 0],
                means[:, c, 0],
                s=3 + 12 * weights[:, c],
                c="#26b",
                alpha=np.clip(weights[:, c], 0.05, 1),
                label="component means" if c == 0 else None,
            )
        ax.set(
            xlabel="x",
            ylabel="y",
            ylim=(-0.15, 1.15),
            title=f"{k} component{'s' if k > 1 else ''}, temperature {self.temperature.value:.2f}",
        )
        ax.legend(loc="upper left", markerscale=3)
        return fig

    def _new_samples(self, _button=None) -> None:
        self.seed += 1
        self._update()

    def _update(self, _change=None) -> None:
        import matplotlib.pyplot as plt

        fig = self.figure()
        self.image.value = plotting.figure_png(fig)
        plt.close(fig)
        width, height = _png_size(self.image.value)  # a plot: shrunk to fit where it is too large
        factor = _fit(height, width, 1.0)
        self.image.layout.width, self.image.layout.height = (
            f"{round(width * factor)}px",
            f"{round(height * factor)}px",
        )
        k = self.components.value
        self.caption.value = (
            f"mean NLL of the data under the {k}-component MDN (τ = 1): <b>{self.nll[k]:.3f}</b> nats"
        )


class ChoreographyStudio(widgets.VBox):
    """Generate a dance: choose where in the real dance to start, the temperature, the length and
    the random seed, press *dance*; the new dance plays as an animated GIF.

    ``dancer`` is a :class:`dancenet.choreography.Dancer`: its training codes supply the warm-up,
    its VAE turns the new codes into silhouettes.
    """

    def __init__(self, dancer, warm_up: int = 64, zoom: float = 2.5, profile=None):
        from .choreography import DEFAULT_TEMPERATURE

        self.dancer, self.fps = dancer, dancer.fps
        self.warm_up = min(warm_up, len(dancer.latent_sequence.train) - 1)
        fps = self.fps
        last_start = len(dancer.latent_sequence.train) - self.warm_up
        self.start = widgets.IntSlider(
            last_start, 0, last_start, description="start at code", style=_WIDE, layout=_slider_layout()
        )
        self.temperature = _temperature_slider(DEFAULT_TEMPERATURE)
        self.length = widgets.IntSlider(
            int(6 * fps),
            int(fps),
            int(30 * fps),
            step=int(fps),
            description="frames",
            style=_WIDE,
            layout=_slider_layout(),
        )
        self.seed = widgets.IntText(0, description="random seed", style=_WIDE)
        self.button = widgets.Button(description="dance!", button_style="primary")
        self.image = widgets.Image(format="gif", layout=_gif_layout(dancer, zoom))
        self.caption = widgets.HTML()
        self.note = _profile_note(profile)
        self.button.on_click(self.dance)
        super().__init__(
            _noted(
                self.note,
                [self.start, self.temperature, self.length, self.seed, self.button, self.image, self.caption],
            )
        )
        self.dance()

    def codes(self) -> np.ndarray:
        """A new dance for the current settings: standardized codes ``(frames, D)``."""
        warm = self.dancer.latent_sequence.train[self.start.value : self.start.value + self.warm_up]
        dances = self.dancer.choreographer.generate(
            warm, self.length.value, self.temperature.value, self.seed.value
        )
        return dances[0]

    def dance(self, _button=None) -> None:
        from . import choreography, measures

        codes = self.codes()
        frames = choreography.silhouette_frames(self.dancer.decode(codes))
        self.image.value = choreography.gif_bytes(frames, self.fps)
        energy = measures.motion_energy(codes)
        self.caption.value = (
            f"{len(codes)} frames ({len(codes) / self.fps:.0f} s) after real codes "
            f"{self.start.value}–{self.start.value + self.warm_up - 1}, "
            f"τ = {self.temperature.value:.2f}, "
            f"seed {self.seed.value} · motion energy <b>{energy:.2f}</b> "
            f"(real dance {measures.motion_energy(self.dancer.latent_sequence.train):.2f})"
        )


def _gif_layout(dancer, zoom: float) -> widgets.Layout:
    """The declared size of a dance's GIF: the browser enlarges it ``zoom`` times (less where it
    would outgrow the maximum size), so the stored GIF stays small."""
    height, width = dancer.vae.decoder.output.shape[1:3]
    factor = _fit(height, width, zoom)
    return widgets.Layout(width=f"{round(width * factor)}px", height=f"{round(height * factor)}px")


def wav_bytes(samples, sample_rate: int) -> bytes:
    """Mono samples in [-1, 1] as the bytes of a 16-bit WAV file (for an ``Audio`` widget)."""
    import io

    import soundfile

    buffer = io.BytesIO()
    soundfile.write(buffer, np.clip(samples, -1, 1), sample_rate, format="WAV", subtype="PCM_16")
    return buffer.getvalue()


class BeatStudio(widgets.VBox):
    """Dance to a new song: choose its tempo and random seed, and which model dances — the one that
    hears the music or the one that does not — and press *dance!*. The song plays in the player;
    the dance plays as an animated GIF whose bottom edge flashes white on every music beat.

    ``dancers`` maps a name to a :class:`dancenet.choreography.Dancer` (one that hears music, or
    one that dances deaf beside it); all share one frame rate and VAE.
    """

    def __init__(
        self, dancers: dict, temperature: float, seconds: float = 8.0, zoom: float = 2.5, profile=None
    ):
        if not dancers:
            raise ValueError("name at least one dancer: {'name': Dancer}")
        self.dancers, self.fps = dancers, next(iter(dancers.values())).fps
        self.temperature, self.seconds = temperature, seconds
        self.tempo = widgets.IntSlider(
            100, 60, 180, description="tempo (bpm)", style=_WIDE, layout=_slider_layout()
        )
        self.dancer = widgets.ToggleButtons(options=list(dancers), description="dancer", style=_WIDE)
        self.seed = widgets.IntText(1, description="random seed", style=_WIDE)
        self.button = widgets.Button(description="dance!", button_style="primary")
        self.image = widgets.Image(format="gif", layout=_gif_layout(next(iter(dancers.values())), zoom))
        self.song = widgets.Audio(format="wav", autoplay=False, loop=False)
        self.caption = widgets.HTML()
        self.note = _profile_note(profile)
        self.button.on_click(self.dance)
        super().__init__(
            _noted(
                self.note,
                [self.tempo, self.dancer, self.seed, self.button, self.image, self.song, self.caption],
            )
        )
        self.dance()

    def dance(self, _button=None) -> None:
        from . import choreography, judges, measures, music, stage

        seed, bpm = self.seed.value, self.tempo.value
        song = stage.compose(stage.BeatClock.random(bpm, np.random.default_rng(seed)), self.seconds, seed)
        # the studio made the song, so it knows its tempo: told it, the tracker cannot double it
        beats, features = music.song_features(song.samples, self.fps, sample_rate=song.sample_rate, tempo=bpm)
        dancer = self.dancers[self.dancer.value]
        codes = dancer.dance(music_features=features, temperature=self.temperature, seed=seed)[0]
        frames = choreography.silhouette_frames(dancer.decode(codes))
        marked = choreography.mark_beats(frames, song.beats, self.fps)
        self.image.value = choreography.gif_bytes(marked, self.fps)
        self.song.value = wav_bytes(song.samples, song.sample_rate)
        alignment = judges.beat_alignment(song.beats, codes, self.fps)
        self.caption.value = (
            f"{self.dancer.value}: {len(codes)} frames ({self.seconds:g} s) to a song at {bpm} bpm "
            f"(tracked at {beats.tempo:.1f}, told its tempo), τ = {self.temperature:g}, seed {seed} · "
            f"beat alignment <b>{alignment:.2f}</b> · motion energy "
            f"{measures.motion_energy(codes):.2f}"
        )
