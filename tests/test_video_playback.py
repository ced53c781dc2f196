"""A generated dance plays in a browser: the MP4 the course writes, opened in headless Chromium
(Colab and the published book show videos in the browser, and Chromium refuses MPEG-4 Part 2)."""

import base64

import numpy as np
import pytest
from conftest import NO_CHROMIUM, find_chromium

from dancenet import choreography

pytestmark = pytest.mark.browser


def test_a_generated_mp4_plays_and_advances_in_chromium(tmp_path):
    from playwright.sync_api import sync_playwright

    chromium = find_chromium()
    if chromium is None:
        pytest.fail(NO_CHROMIUM)
    # 90 frames of a bar sweeping across, as choreography.write_mp4 writes a decoded dance
    frames = np.zeros((90, 64, 104), np.float32)
    for i in range(90):
        frames[i, 16:48, i : i + 12] = 1.0
    path = choreography.write_mp4(frames, tmp_path / "dance.mp4", fps=30)
    source = "data:video/mp4;base64," + base64.b64encode(path.read_bytes()).decode()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, args=["--autoplay-policy=no-user-gesture-required"]
        )
        page = browser.new_page()
        page.set_content(f'<video id="v" muted playsinline src="{source}"></video>')
        result = page.evaluate(
            """async () => {
                const video = document.getElementById("v");
                const ended = new Promise((done) => video.addEventListener("ended", done));
                const failed = new Promise((done) => video.addEventListener("error", () => done("error")));
                await video.play();
                const start = video.currentTime;
                const outcome = await Promise.race([ended, failed, new Promise((d) => setTimeout(d, 10000))]);
                return {error: video.error && video.error.code, outcome: outcome || null, start,
                        end: video.currentTime, duration: video.duration,
                        width: video.videoWidth, height: video.videoHeight,
                        decoded: video.getVideoPlaybackQuality().totalVideoFrames};
            }"""
        )
        browser.close()
    assert result["error"] is None and result["outcome"] != "error", result
    assert (result["width"], result["height"]) == (104, 64)
    assert result["duration"] == pytest.approx(3.0, abs=0.1)
    assert result["end"] > result["start"] + 2.5  # it played through, not just its first frame
    assert result["decoded"] > 60
