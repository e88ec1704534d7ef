"""Moving files between the browser and the runtime (stand-in for google/colab/files.py).

The browser is the simulated runtime's browser/ folder: upload() "picks" every
file in browser/uploads/ (none: the student cancelled, as Colab returns {}),
saves each in the working folder (or target_dir) under a name that does not
overwrite another, and returns {file name: bytes}. download() fails as Colab
does on a missing file, otherwise delivers a copy to browser/downloads/.
"""
import os as _os
import shutil as _shutil

from google.colab import _runtime

__all__ = ["upload", "upload_file", "download", "view"]


def _get_unique_filename(filename):
    if not _os.path.lexists(filename):
        return filename
    counter = 1
    while True:
        path, ext = _os.path.splitext(filename)
        new_filename = f"{path} ({counter}){ext}"
        if not _os.path.lexists(new_filename):
            return new_filename
        counter += 1


def _picked():
    folder = _runtime.root() / "browser" / "uploads"
    return sorted(path for path in folder.iterdir() if path.is_file()) if folder.is_dir() else []


def upload(target_dir=""):
    """Render a widget to upload local (to the browser) files to the kernel.

    Returns:
      A map of the form {<filename>: <file contents>} for all uploaded files.
    """
    _runtime.record("files.upload", target_dir=target_dir, picked=[p.name for p in _picked()])
    if target_dir:
        _os.makedirs(target_dir, exist_ok=True)
    files = {}
    for picked in _picked():
        data = picked.read_bytes()
        files[picked.name] = data
        local_filename = _get_unique_filename(_os.path.join(target_dir, picked.name))
        print(f"Saving {picked.name} to {local_filename}")
        with open(local_filename, "wb") as saved:
            saved.write(data)
    return files


def upload_file(filename):
    """Upload one local (to the browser) file to the kernel, saved as `filename`."""
    _runtime.record("files.upload_file", filename=filename)
    picked = _picked()
    if not picked:
        return
    with open(filename, "wb") as saved:
        saved.write(picked[0].read_bytes())


def download(filename):
    """Downloads the file to the user's local disk via a browser download action.

    Raises:
      FileNotFoundError: if the file cannot be found.
    """
    _runtime.record("files.download", filename=str(filename))
    if not _os.path.exists(filename):
        raise FileNotFoundError(f"Cannot find file: {filename}")
    downloads = _runtime.root() / "browser" / "downloads"
    downloads.mkdir(parents=True, exist_ok=True)
    _shutil.copyfile(filename, _get_unique_filename(str(downloads / _os.path.basename(filename))))


def view(filepath):
    """Views a file in Colab's file viewer (here: only checks that it exists)."""
    _runtime.record("files.view", filepath=str(filepath))
    if not _os.path.exists(filepath):
        raise FileNotFoundError(f"Cannot find file: {filepath}")
