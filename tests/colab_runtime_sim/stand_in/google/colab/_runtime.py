"""The simulated runtime's state, shared by the stand-in modules.

Everything lives in the folder named by COLAB_SIM_ROOT, which the simulation
creates for one simulated runtime (see tests/colab_runtime_sim/simulate.py):

    content/            the working folder (Colab's /content), with sample_data/
    google-drive/       the student's Google Drive (MyDrive/ inside)
    browser/uploads/    the files the student picks in files.upload()
    browser/downloads/  what files.download() delivered to the browser
    secrets.json        the Secrets panel: {"NAME": {"value": "...", "access": true}}
    mounts.json         Drive mounts made by drive.mount (they outlive the kernel, as in Colab)
    journal.jsonl       one line per call of the stand-in, for the tests and the report
"""
from __future__ import annotations

import json
import os
from pathlib import Path


def root() -> Path:
    try:
        return Path(os.environ["COLAB_SIM_ROOT"])
    except KeyError:
        raise RuntimeError("google.colab stand-in: COLAB_SIM_ROOT is not set; this package only "
                           "works inside the course's simulated Colab runtime") from None


def record(call: str, **details) -> None:
    """Note a call in the journal."""
    with open(root() / "journal.jsonl", "a", encoding="utf-8") as journal:
        journal.write(json.dumps({"call": call, **details}, default=str) + "\n")


def read_json(name: str, default):
    path = root() / name
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else default


def write_json(name: str, data) -> None:
    (root() / name).write_text(json.dumps(data, indent=1), encoding="utf-8")
