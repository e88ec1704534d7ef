"""The course's files as git lists them: the one place the tooling asks git for them."""
from __future__ import annotations

import subprocess
from pathlib import Path


def listed_files(root: Path, *, untracked: bool = True) -> list[str]:
    """Paths (relative, POSIX) git lists under `root`: tracked ones, and with `untracked`
    also new files git does not ignore (what a commit could contain). Raises
    CalledProcessError outside a git work tree."""
    command = ["git", "ls-files", "-z", "--cached"]
    if untracked:
        command += ["--others", "--exclude-standard"]
    result = subprocess.run(command, cwd=root, capture_output=True, text=True, check=True)
    return sorted(name for name in result.stdout.split("\0") if name)
