"""Nothing clipped on large screens: 2560x1440 at scale 1 and a 4K screen (3840x2160) at scale 2,
every tab (the 1024x640 end is in test_polish)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.gui.test_polish import assert_every_tab_unclipped

ROOT = Path(__file__).resolve().parents[2]

# The scale factor must be set before the QApplication exists: a fresh interpreter.
_CHECK_AT_SCALE = r"""
import json, sys, time
from mnist_desktop.gui.app import create_application
app = create_application()
from mnist_desktop.gui.main_window import MainWindow
from tests.gui.test_polish import _clipped
width, height = int(sys.argv[1]), int(sys.argv[2])
window = MainWindow(restore=False)
window.show()
from mnist_desktop.gui import workers
def settle(done):
    deadline = time.monotonic() + 30
    while not done() and time.monotonic() < deadline:
        app.processEvents()
        time.sleep(0.01)
# Loaded, and the statistics charts drawn: the fullest Dataset tab.
settle(lambda: window.is_ready() and window.dataset_tab.stats_view.counts_plot is not None
       and not workers.running_workers())
window.camera_tab.mask_check.setChecked(True)
window.resize(width, height)
found = {"ready": window.is_ready(), "ratio": window.devicePixelRatio(), "tabs": {}}
for index in range(window.tabs.count()):
    window.tabs.setCurrentIndex(index)
    for _ in range(20):
        app.processEvents()
    found["size"] = [window.width(), window.height()]
    found["tabs"][window.tabs.tabText(index)] = _clipped(window)
# The Draw tab's stage pictures are made at the screen's resolution, not stretched.
import numpy as np
from benchmarks.handwriting import make_drawing
from benchmarks.replay import draw
window.show_tab("Draw")
app.processEvents()
draw(window.draw_tab.canvas, make_drawing(5, np.random.default_rng(2)))
picture = window.draw_tab.crop_picture.pixmap()
found["stage_picture"] = [picture.width(), picture.devicePixelRatio()]
print(json.dumps(found))
window.close()
settle(lambda: not window.isVisible() and not workers.running_workers())
"""


def test_nothing_clipped_at_2560x1440(window, qtbot):
    window.camera_tab.mask_check.setChecked(True)
    assert_every_tab_unclipped(window, qtbot, 2560, 1440)


def test_nothing_clipped_on_a_4k_screen_at_scale_2():
    # 3840x2160 device pixels at a device pixel ratio of 2: a 1920x1080 window in Qt's units.
    env = dict(os.environ, QT_SCALE_FACTOR="2", PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-c", _CHECK_AT_SCALE, "1920", "1080"], capture_output=True,
                            text=True, timeout=120, env=env, cwd=ROOT)
    assert result.returncode == 0, result.stderr[-2000:]
    found = json.loads(result.stdout.strip().splitlines()[-1])
    assert found["ready"] and found["ratio"] == 2.0 and found["size"] == [1920, 1080], found
    assert len(found["tabs"]) == 5
    assert found["stage_picture"] == [144, 2.0]  # 72 units of 2 pixels: sharp
    for title, problems in found["tabs"].items():
        assert not problems, f"{title}: " + "\n".join(problems[:10])
