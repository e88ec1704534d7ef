"""`make test` sets up the browser for the browser tests (scripts/setup_browser.py),
and without one a browser test fails, never skips, unless asked (BROWSER=0).

A machine without a browser is simulated, never made: PATH holds only a stub
apt-get that records its calls, CHROMIUM_PATH is unset or points nowhere,
Playwright looks for its Chromium in an empty folder, and its installer is a
stand-in that fails as a download does (the real one, downloading from a
closed port, in one test).
"""
from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

import setup_browser
from browser_support import require_chromium

ROOT = Path(__file__).resolve().parent.parent

STUB_APT_GET = """#!/bin/sh
echo "$*" >> "{record}"
if [ "$1" = install ]; then
  printf '#!/bin/sh\\necho Chromium 1.0\\n' > "{installed}"
  /bin/chmod +x "{installed}"
fi
"""


@pytest.fixture
def no_browser(tmp_path, monkeypatch):
    """A machine with no browser: returns (apt-get's record, where apt-get 'installs' chromium)."""
    stubs = tmp_path / "bin"
    stubs.mkdir()
    record, installed = tmp_path / "apt-get-calls.txt", tmp_path / "installed" / "chromium"
    installed.parent.mkdir()
    apt_get = stubs / "apt-get"
    apt_get.write_text(STUB_APT_GET.format(record=record, installed=installed))
    apt_get.chmod(0o755)
    monkeypatch.setenv("PATH", str(stubs))
    monkeypatch.delenv("CHROMIUM_PATH", raising=False)
    monkeypatch.setenv("PLAYWRIGHT_BROWSERS_PATH", str(tmp_path / "playwright-browsers"))
    monkeypatch.setenv("PLAYWRIGHT_DOWNLOAD_HOST", "http://127.0.0.1:9")  # nothing listens there
    monkeypatch.setattr(setup_browser, "DEBIAN_CHROMIUM", installed)
    monkeypatch.setattr(setup_browser, "PLAYWRIGHT_INSTALL", [
        sys.executable, "-c", "raise SystemExit('Error: Failed to download Chromium (stand-in)')"])
    return record, installed


def on(monkeypatch, tmp_path, system: str, root: bool) -> None:
    os_release = tmp_path / "os-release"
    os_release.write_text({"debian": 'ID=debian\nVERSION_ID="12"\n',
                           "ubuntu": "ID=ubuntu\nID_LIKE=debian\n",
                           "other": "ID=fedora\n"}[system])
    monkeypatch.setattr(setup_browser, "OS_RELEASE", os_release)
    monkeypatch.setattr(os, "geteuid", lambda: 0 if root else 1000)


def calls(record: Path) -> list[str]:
    return record.read_text().splitlines() if record.exists() else []


def test_a_browser_already_here_is_used_and_nothing_is_installed(no_browser, tmp_path, monkeypatch, capsys):
    record, _ = no_browser
    browser = tmp_path / "chrome"
    browser.write_text("#!/bin/sh\n")
    monkeypatch.setenv("CHROMIUM_PATH", str(browser))
    on(monkeypatch, tmp_path, "debian", root=True)

    assert setup_browser.main() == 0
    out, err = capsys.readouterr()
    assert out == f"{browser}\n" and f"Browser for the browser tests: {browser}" in err
    assert calls(record) == []


def test_as_root_on_debian_debians_chromium_is_installed_with_apt_get(no_browser, tmp_path, monkeypatch, capsys):
    record, installed = no_browser
    on(monkeypatch, tmp_path, "debian", root=True)

    assert setup_browser.main() == 0
    out, err = capsys.readouterr()
    assert calls(record) == ["update -q -o DPkg::Lock::Timeout=300",
                             "install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "
                             "chromium fonts-dejavu-core"]
    assert out == f"{installed}\n", err
    assert "Installing Debian's chromium, with apt-get..." in err


@pytest.mark.parametrize("system, root, advice", [
    ("debian", False, "Install Debian's chromium: `sudo apt-get install chromium` "
                      "(or run `make test` as root, which does it)"),
    ("ubuntu", True, "Ubuntu's chromium package is a snap (confined, with a /tmp of its own), which the "
                     "browser tests do not use: install Google Chrome"),
    ("other", True, "Install Chromium or Google Chrome with your system's package manager"),
])
def test_where_apt_cannot_help_and_playwright_cannot_download_one_message_says_what_to_install(
        no_browser, tmp_path, monkeypatch, capsys, system, root, advice):
    record, _ = no_browser
    on(monkeypatch, tmp_path, system, root)

    assert setup_browser.main() == 1
    out, err = capsys.readouterr()
    assert out == "" and calls(record) == []
    assert "Installing Playwright's own Chromium, with its installer..." in err
    assert "Playwright's installer could not download its Chromium" in err
    last = err.strip().splitlines()[-1]
    assert last.startswith("No browser for the browser tests. " + advice), last
    assert last.endswith("To run everything except the browser tests: `make test BROWSER=0`."), last


def test_playwrights_own_installer_is_tried_and_a_failed_download_reported(no_browser, tmp_path, monkeypatch,
                                                                          capsys):
    monkeypatch.setattr(setup_browser, "PLAYWRIGHT_INSTALL", [sys.executable, "-m", "playwright", "install",
                                                              "chromium"])
    on(monkeypatch, tmp_path, "other", root=False)

    assert setup_browser.main() == 1
    err = capsys.readouterr().err
    assert "$ " + " ".join(setup_browser.PLAYWRIGHT_INSTALL) in err
    assert "http://127.0.0.1:9/" in err, "the installer's own error, naming the address it tried"
    assert "Playwright's installer could not download its Chromium" in err
    assert not any((tmp_path / "playwright-browsers").glob("chromium-*/**/chrome"))


def test_a_failed_apt_get_falls_back_to_playwright_then_says_what_to_install(no_browser, tmp_path, monkeypatch,
                                                                             capsys):
    record, _ = no_browser
    apt_get = Path(os.environ["PATH"]) / "apt-get"
    apt_get.write_text(f'#!/bin/sh\necho "$*" >> "{record}"\nexit 100\n')
    on(monkeypatch, tmp_path, "debian", root=True)

    assert setup_browser.main() == 1
    err = capsys.readouterr().err
    assert calls(record) == ["update -q -o DPkg::Lock::Timeout=300"]
    assert "apt-get could not install Debian's chromium" in err
    assert "`sudo apt-get install chromium` (apt-get failed above)" in err


def test_a_chromium_path_that_names_no_file_is_reported_and_nothing_is_installed(no_browser, tmp_path, monkeypatch,
                                                                                   capsys):
    record, _ = no_browser
    monkeypatch.setenv("CHROMIUM_PATH", str(tmp_path / "nowhere"))
    on(monkeypatch, tmp_path, "debian", root=True)

    assert setup_browser.main() == 1
    assert f"CHROMIUM_PATH={tmp_path / 'nowhere'}: no such file" in capsys.readouterr().err
    assert calls(record) == []


@pytest.mark.parametrize("chromium_path, where", [
    ("/nowhere/chromium", "CHROMIUM_PATH=/nowhere/chromium is not a file"),
    (None, "no chromium or google-chrome on PATH and no Chromium from Playwright's installer"),
])
def test_a_browser_test_without_a_browser_fails_naming_the_install_command(no_browser, monkeypatch,
                                                                           chromium_path, where):
    if chromium_path:
        monkeypatch.setenv("CHROMIUM_PATH", chromium_path)
    with pytest.raises(pytest.fail.Exception) as failure:
        require_chromium()
    message = str(failure.value)
    assert message.startswith(f"No browser for the browser tests ({where})."), message
    assert "`sudo apt-get install chromium`" in message and "`make test BROWSER=0`" in message


def test_without_browser_the_browser_tests_are_listed_as_not_run():
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "--without-browser", "tests/test_browser_mobile.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    module = ast.parse((ROOT / "tests" / "test_browser_mobile.py").read_text(encoding="utf-8"))
    count = sum(isinstance(node, ast.FunctionDef) and node.name.startswith("test_") for node in module.body)
    assert count >= 2, f"tests/test_browser_mobile.py has {count} tests"
    assert f"{count} browser tests not run (make test BROWSER=0)" in result.stdout, result.stdout
    assert f"  tests/test_browser_mobile.py: {count}\n" in result.stdout
    assert f"{count} skipped" in result.stdout and "passed" not in result.stdout
