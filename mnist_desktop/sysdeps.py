"""Find the system libraries Qt needs that this machine lacks, and install them (Debian/Ubuntu).

PySide6 wheels bring Qt itself but link against a few system libraries (EGL, OpenGL, xkbcommon,
fontconfig, D-Bus, xcb-cursor...) that a minimal Debian does not have. Rather than keep a list by
hand, this asks the dynamic linker (`ldd`) which ones are missing from the installed Qt libraries
and plugins, and maps them to Debian packages. Run by `make run` / `make test`; never imports Qt.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

# soname -> Debian package providing it.
PACKAGES = {
    "libEGL.so.1": "libegl1",
    "libGL.so.1": "libgl1",
    "libOpenGL.so.0": "libopengl0",
    "libGLX.so.0": "libglx0",
    "libxkbcommon.so.0": "libxkbcommon0",
    "libxkbcommon-x11.so.0": "libxkbcommon-x11-0",
    "libfontconfig.so.1": "libfontconfig1",
    "libfreetype.so.6": "libfreetype6",
    "libdbus-1.so.3": "libdbus-1-3",
    "libglib-2.0.so.0": "libglib2.0-0",
    "libgthread-2.0.so.0": "libglib2.0-0",
    "libX11.so.6": "libx11-6",
    "libX11-xcb.so.1": "libx11-xcb1",
    "libxcb.so.1": "libxcb1",
    "libxcb-cursor.so.0": "libxcb-cursor0",
    "libxcb-icccm.so.4": "libxcb-icccm4",
    "libxcb-image.so.0": "libxcb-image0",
    "libxcb-keysyms.so.1": "libxcb-keysyms1",
    "libxcb-randr.so.0": "libxcb-randr0",
    "libxcb-render-util.so.0": "libxcb-render-util0",
    "libxcb-render.so.0": "libxcb-render0",
    "libxcb-shape.so.0": "libxcb-shape0",
    "libxcb-shm.so.0": "libxcb-shm0",
    "libxcb-sync.so.1": "libxcb-sync1",
    "libxcb-util.so.1": "libxcb-util1",
    "libxcb-xfixes.so.0": "libxcb-xfixes0",
    "libxcb-xinerama.so.0": "libxcb-xinerama0",
    "libxcb-xinput.so.0": "libxcb-xinput0",
    "libxcb-xkb.so.1": "libxcb-xkb1",
    "libxcb-glx.so.0": "libxcb-glx0",
    "libSM.so.6": "libsm6",
    "libICE.so.6": "libice6",
    "libXext.so.6": "libxext6",
    "libXrender.so.1": "libxrender1",
}
# Without any font, Qt draws no text at all (blank buttons in screenshots and on screen).
FONT_PACKAGE = "fonts-dejavu-core"


def qt_binaries() -> list[Path]:
    """The Qt libraries and platform plugins this app loads (found without importing Qt)."""
    spec = importlib.util.find_spec("PySide6")
    if spec is None or not spec.submodule_search_locations:
        return []
    root = Path(next(iter(spec.submodule_search_locations)))
    candidates = [
        root / "Qt" / "lib" / "libQt6Gui.so.6",
        root / "Qt" / "lib" / "libQt6Widgets.so.6",
        root / "Qt" / "lib" / "libQt6OpenGL.so.6",
        root / "Qt" / "lib" / "libQt6DBus.so.6",
        root / "Qt" / "plugins" / "platforms" / "libqxcb.so",
        root / "Qt" / "plugins" / "platforms" / "libqoffscreen.so",
        root / "Qt" / "plugins" / "xcbglintegrations" / "libqxcb-glx-integration.so",
    ]
    return [path for path in candidates if path.exists()]


def missing_libraries(binaries: list[Path]) -> set[str]:
    missing: set[str] = set()
    for binary in binaries:
        result = subprocess.run(["ldd", str(binary)], capture_output=True, text=True, check=False)
        for line in result.stdout.splitlines():
            if "=> not found" in line:
                missing.add(line.split("=>")[0].strip())
    return missing


def fonts_missing() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return True
    result = subprocess.run([fc_list], capture_output=True, text=True, check=False)
    return not result.stdout.strip()


def needed_packages() -> tuple[list[str], list[str]]:
    """(Debian packages to install, missing libraries no package is known for)."""
    missing = missing_libraries(qt_binaries())
    packages = sorted({PACKAGES[name] for name in missing if name in PACKAGES})
    unknown = sorted(name for name in missing if name not in PACKAGES)
    if fonts_missing():
        packages.append(FONT_PACKAGE)
    return packages, unknown


def _privilege() -> list[str] | None:
    if os.geteuid() == 0:
        return []
    if shutil.which("sudo") and subprocess.run(["sudo", "-n", "true"], capture_output=True).returncode == 0:
        return ["sudo", "-n"]
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--install", action="store_true", help="install the missing packages with apt-get")
    args = parser.parse_args(argv)
    if not sys.platform.startswith("linux"):
        return 0
    packages, unknown = needed_packages()
    if unknown:
        print("Qt needs these libraries, which no known Debian package provides here: " + ", ".join(unknown)
              + " (find their package with: apt-file search NAME)", file=sys.stderr)
    if not packages:
        return 1 if unknown else 0
    command = ["apt-get", "install", "-y", "--no-install-recommends", "-o", "Dpkg::Use-Pty=0", *packages]
    prefix = _privilege() if args.install and shutil.which("apt-get") else None
    if prefix is None:
        print("Qt needs system packages that are missing. Please run:\n  sudo apt-get install "
              + " ".join(packages), file=sys.stderr)
        return 1
    print("Installing the system packages Qt needs: " + " ".join(packages), flush=True)
    env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
    subprocess.run([*prefix, "apt-get", "update", "-qq"], check=False, env=env)
    result = subprocess.run([*prefix, *command, "-qq"], check=False, env=env)
    if result.returncode != 0:
        print("apt-get could not install them. Please run:\n  sudo " + " ".join(command), file=sys.stderr)
        return 1
    still_missing, _ = needed_packages()
    if still_missing:
        print("Still missing after apt-get: " + " ".join(still_missing), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
