"""Find, or install, the browser the browser tests drive (`make test` runs this first).

    python scripts/setup_browser.py

Prints the browser's path on stdout (`make test` hands it to the tests as
CHROMIUM_PATH) and what it did on stderr. In this order:

1. a browser already here: CHROMIUM_PATH, else chromium or google-chrome on
   PATH, else a Chromium downloaded by Playwright's installer;
2. as root on Debian: Debian's chromium, through apt-get; not on Ubuntu,
   whose chromium package is a snap (confined, with a /tmp of its own),
   which the browser tests do not use;
3. Playwright's own installer (`python -m playwright install chromium`, a
   download into ~/.cache/ms-playwright), where its download works;
4. otherwise it stops with one message saying what to install, or how to run
   everything but the browser tests (`make test BROWSER=0`).

Exit status: 0 with a browser, 1 without one.
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from local_site import chromium_executable

OS_RELEASE = Path("/etc/os-release")
# What Debian's chromium package installs, and the fonts the pages are drawn with.
DEBIAN_CHROMIUM = Path("/usr/bin/chromium")
DEBIAN_PACKAGES = ["chromium", "fonts-dejavu-core"]
PLAYWRIGHT_INSTALL = [sys.executable, "-m", "playwright", "install", "chromium"]
UBUNTU_SNAP = ("Ubuntu's chromium package is a snap (confined, with a /tmp of its own), "
               "which the browser tests do not use")


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def distribution() -> str:
    """`debian`, `ubuntu` or `other`, from /etc/os-release (ID, then ID_LIKE)."""
    fields = {}
    if OS_RELEASE.is_file():
        for line in OS_RELEASE.read_text(errors="replace").splitlines():
            key, _, value = line.partition("=")
            fields[key.strip()] = value.strip().strip('"').lower()
    family = [fields.get("ID", "")] + fields.get("ID_LIKE", "").split()
    return "ubuntu" if "ubuntu" in family else "debian" if "debian" in family else "other"


def run(command: list[str]) -> bool:
    """Run `command`, showing its output as it comes; True when it succeeded."""
    say("  $ " + " ".join(command))
    try:
        process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   errors="replace", env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    except OSError as error:
        say(f"    {error}")
        return False
    for line in process.stdout:
        say("    " + line.rstrip())
    return process.wait() == 0


def install_with_apt() -> str | None:
    if not shutil.which("apt-get"):
        say("  apt-get is not on PATH")
        return None
    wait = ["-o", "DPkg::Lock::Timeout=300"]  # for another apt-get to finish, rather than fail
    if not (run(["apt-get", "update", "-q", *wait])
            and run(["apt-get", "install", "-y", "-q", "--no-install-recommends", *wait, *DEBIAN_PACKAGES])):
        say("  apt-get could not install Debian's chromium")
        return None
    return str(DEBIAN_CHROMIUM) if DEBIAN_CHROMIUM.is_file() else None


def install_with_playwright() -> str | None:
    if not run(PLAYWRIGHT_INSTALL):
        say("  Playwright's installer could not download its Chromium")
        return None
    return chromium_executable()


def what_to_install(system: str, root: bool) -> str:
    """The one message for a machine where no browser could be set up."""
    if system == "debian":
        how = ("Install Debian's chromium: `sudo apt-get install chromium` "
               + ("(apt-get failed above)" if root else "(or run `make test` as root, which does it)"))
    elif system == "ubuntu":
        how = (f"{UBUNTU_SNAP}: install Google Chrome "
               "(google-chrome-stable, from https://www.google.com/chrome/)")
    else:
        how = "Install Chromium or Google Chrome with your system's package manager"
    return (f"No browser for the browser tests. {how}, or point CHROMIUM_PATH at a Chromium or Chrome "
            "binary, then run `make test` again. To run everything except the browser tests: "
            "`make test BROWSER=0`.")


def main() -> int:
    found = chromium_executable()
    if found:
        say(f"Browser for the browser tests: {found}")
        print(found)
        return 0
    configured = os.environ.get("CHROMIUM_PATH")
    if configured:
        say(f"CHROMIUM_PATH={configured}: no such file. Point it at a Chromium or Chrome binary, or unset it "
            "to let `make test` find or install one.")
        return 1
    system, root = distribution(), os.geteuid() == 0
    say("No Chromium or Chrome found on PATH for the browser tests.")
    steps = []
    if system == "debian" and root:
        steps.append(("Debian's chromium, with apt-get", install_with_apt))
    elif system == "ubuntu":
        say(f"{UBUNTU_SNAP}: not installing it.")
    steps.append(("Playwright's own Chromium, with its installer", install_with_playwright))
    for name, install in steps:
        say(f"Installing {name}...")
        found = install()
        if found:
            say(f"Browser for the browser tests: {found}")
            print(found)
            return 0
    say(what_to_install(system, root))
    return 1


if __name__ == "__main__":
    sys.exit(main())
