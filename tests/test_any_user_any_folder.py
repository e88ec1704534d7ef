"""The parts of the suite that touch the file system and run subprocesses pass
from a checkout in a private folder (mode 700), as root and as an unprivileged
user: a new machine's root home folder, CI's root and GitHub's runner user.

Each check copies the working tree into a private folder and runs SELECTED
there, with a Python environment of its own in that folder, as one user:
- run as root (as CI is): as root, then as a user made for the check with
  useradd (and deleted after it), from that user's home folder;
- run as any other user: as that user, who is the unprivileged one (only root
  can make users, and root's own paths do not arise).
When a user cannot be made, the check fails under CI (CI=true) and says why
elsewhere.

The environment is the checkout's .venv, hard-linked (copied across file
systems) into a fresh venv, read-only for the user. When the interpreter lies
in a folder the user cannot enter (pyenv in /root, mode 700), it is linked
into the private folder too: the user then has a Python of their own, as on
any machine they could use.
"""
from __future__ import annotations

import os
import pwd
import shutil
import stat
import subprocess
import sys
import time
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from course_support import copy_working_tree

ROOT = Path(__file__).resolve().parent.parent
IS_ROOT = os.geteuid() == 0

# -k keyword -> (file, what it exercises, run as root too). The root run
# keeps to what differs for root (LinkChecker's privilege switch, folders
# only root could create); the other user runs them all. A keyword no test
# matches fails the check, so a renamed test cannot drop out of it unnoticed.
SELECTED = {
    "a_broken_internal_link": ("tests/test_links.py", "anchors and links checked by LinkChecker", True),
    "private_folder": ("tests/test_links.py", "anchors checked with LinkChecker in a private folder", True),
    "ipynb": ("notebooks/02-files-and-google-drive.ipynb", "a notebook that writes files, under nbval", True),
    "content_sample_data": ("tests/test_colab_simulated.py", "the Colab stand-in's /content working folder", True),
    "fork_repoints": ("tests/test_fork.py", "make fork on a git copy, then a strict site build", False),
    "new_notebook_is_numbered": ("tests/test_new_notebook.py", "make new-notebook: run, nbval and build", False),
}
WHO = ["root", "new-unprivileged-user"] if IS_ROOT else [f"this-unprivileged-user-uid-{os.geteuid()}"]


def cannot(reason: str):
    """A check this machine cannot make: a failure under CI, said (never silent) elsewhere."""
    if os.environ.get("CI") == "true":
        pytest.fail(f"{reason} (CI=true: this check must run)", pytrace=False)
    pytest.skip(reason)


# --------------------------------------------------------------------------
# A Python environment inside the private folder


def link_or_copy(source: str, target: str) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or a file a non-root user may not link
        shutil.copy2(source, target)


def link_tree(source: Path, target: Path, ignore=None) -> None:
    if source.is_dir() and not source.is_symlink():
        shutil.copytree(source, target, symlinks=True, dirs_exist_ok=True, copy_function=link_or_copy,
                        ignore=ignore)
    else:
        link_or_copy(str(source), str(target))


def others_can_enter(path: Path) -> bool:
    """True when a user who is neither owner nor in the group can reach `path`."""
    for folder in [path, *path.parents]:
        if not os.stat(folder).st_mode & stat.S_IXOTH:
            return False
    return True


def private_python(folder: Path) -> tuple[Path, dict]:
    """This run's base interpreter with its standard library, linked into
    `folder`: (its executable, the environment variables it needs)."""
    base = Path(sys.base_prefix).resolve()
    skip = {"site-packages", "test", "idlelib", "tkinter", "turtledemo", "include", "share"}
    link_tree(base, folder, ignore=lambda _dir, names: [n for n in names if n in skip])
    # Its RUNPATH names the folder it was built in, which the user cannot
    # enter; LD_LIBRARY_PATH is searched first.
    return folder / Path(sys._base_executable).resolve().relative_to(base), {"LD_LIBRARY_PATH": str(folder / "lib")}


def private_venv(folder: Path, for_others: bool) -> tuple[Path, dict]:
    """A venv in `folder` holding the checkout's .venv packages (hard links):
    (its python, the environment variables it needs)."""
    base, env = Path(sys._base_executable), {}
    if for_others and not others_can_enter(Path(sys.base_prefix).resolve()):
        base, env = private_python(folder / "python")
    venv = folder / "venv"
    subprocess.run([str(base), "-m", "venv", "--without-pip", str(venv)], check=True,
                   env={**os.environ, **env}, capture_output=True)
    for entry in Path(sys.prefix).iterdir():
        if entry.name not in ("bin", "lib64", "pyvenv.cfg", ".installed"):
            link_tree(entry, venv / entry.name)
    # The commands pip installed (mkdocs, nb-clean...); scripts started by the new venv's python.
    for command in (Path(sys.prefix) / "bin").iterdir():
        target = venv / "bin" / command.name
        if command.is_file() and not command.is_symlink() and not target.exists():
            text = command.read_bytes()
            if text.startswith(b"#!"):
                target.write_bytes(text.replace(sys.prefix.encode(), str(venv).encode()))
                target.chmod(command.stat().st_mode & 0o777)
            else:
                link_or_copy(str(command), str(target))
    return venv / "bin" / "python", env


# --------------------------------------------------------------------------
# The user


@pytest.fixture
def new_user():
    """A user made for this check, with a private home folder; deleted afterwards."""
    useradd = shutil.which("useradd") or "/usr/sbin/useradd"
    name = f"course-test-{os.getpid()}"
    for _attempt in range(5):  # another run may hold the lock on /etc/passwd
        made = subprocess.run([useradd, "--create-home", "--user-group", "--shell", "/bin/sh", name],
                              capture_output=True, text=True)
        if made.returncode == 0 or "lock" not in made.stderr:
            break
        time.sleep(2)
    if made.returncode != 0:
        cannot(f"useradd {name} failed here: {made.stderr.strip()}")
    user = pwd.getpwnam(name)
    Path(user.pw_dir).chmod(0o700)
    yield user
    deleted = subprocess.run([shutil.which("userdel") or "/usr/sbin/userdel", "--remove", name],
                             capture_output=True, text=True)
    assert deleted.returncode == 0, f"userdel {name}: {deleted.stderr}"


# --------------------------------------------------------------------------
# The check


def run_selected(course: Path, python: Path, env: dict, home: Path, user=None) -> None:
    """Run SELECTED in `course` with `python`, as `user` (default: this one);
    fail naming what failed, or any keyword that matched no test."""
    as_root = os.geteuid() == 0 and not user
    present = {key: (path, what) for key, (path, what, for_root) in SELECTED.items()
               if (course / path).exists() and (for_root or not as_root)}
    report = home / "selected.xml"
    command = [str(python), "-m", "pytest", "-n", "0", "-q", "-k", " or ".join(present),
               "--basetemp", str(home / "pytest"), "--junitxml", str(report),
               *sorted({path for path, _ in present.values()})]
    libraries = [env.get("LD_LIBRARY_PATH"), os.environ.get("LD_LIBRARY_PATH")]  # what this Python may need
    env = {"PATH": f"{python.parent}:/usr/local/bin:/usr/bin:/bin", "HOME": str(home), "LANG": "C.UTF-8",
           "PYTHONDONTWRITEBYTECODE": "1", "NO_MKDOCS_2_WARNING": "1", "CI": os.environ.get("CI", ""),
           "LD_LIBRARY_PATH": os.pathsep.join(filter(None, libraries))}
    ids = {}
    if user:
        env |= {"USER": user.pw_name, "LOGNAME": user.pw_name}
        ids = {"user": user.pw_uid, "group": user.pw_gid, "extra_groups": []}
    result = subprocess.run(command, cwd=course, env=env, capture_output=True, text=True, timeout=1200, **ids)
    who = f"as {user.pw_name} (uid {user.pw_uid})" if user else f"as uid {os.geteuid()}"
    output = "\n".join((result.stdout + result.stderr).splitlines()[-60:])
    assert result.returncode == 0, f"{who} in {course}: `{' '.join(command)}` failed:\n{output}"
    cases = ET.parse(report).getroot().iter("testcase")
    passed = [f"{case.get('classname')}.{case.get('name')}" for case in cases
              if not any(child.tag in ("failure", "error", "skipped") for child in case)]
    for key, (path, what) in present.items():
        assert any(key in name for name in passed), \
            f"{who}: no passing test in {path} matches {key!r} ({what}); renamed? Update SELECTED.\n{output}"


def private_course(folder: Path, user=None) -> Path:
    """The working tree copied into `folder` as a git repository, owned by
    `user`; its node_modules linked in, read-only."""
    course = copy_working_tree(ROOT, folder / "course")
    if user:
        for path in [course, *course.rglob("*")]:
            os.chown(path, user.pw_uid, user.pw_gid, follow_symlinks=False)
    if (ROOT / "node_modules").is_dir():
        link_tree(ROOT / "node_modules", course / "node_modules")
    return course


@pytest.mark.parametrize("who", WHO)
def test_file_system_and_subprocess_tests_pass_from_a_private_folder(who, tmp_path_factory, request):
    if who == "new-unprivileged-user":
        user = request.getfixturevalue("new_user")
        home = Path(user.pw_dir)
        course = private_course(home, user)
        python, env = private_venv(home, for_others=True)
        run_selected(course, python, env, home, user)
    else:
        if not IS_ROOT:
            warnings.warn(f"not root: no user can be made here, and root's own paths do not arise; the check "
                          f"runs as this user (uid {os.geteuid()}), who is the unprivileged one")
        private = tmp_path_factory.mktemp("private")
        private.chmod(0o700)
        (private / "home").mkdir()
        course = private_course(private)
        python, env = private_venv(private, for_others=False)
        run_selected(course, python, env, private / "home")
