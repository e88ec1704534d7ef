"""Google Drive in the runtime (stand-in for google/colab/drive.py).

mount() checks the mount point as Colab does and shows the student's Drive
(the simulated runtime's google-drive/ folder) under MOUNTPOINT/MyDrive; the
student is taken to grant access. What is written there reaches Drive when
flush_and_unmount() runs (Colab also syncs in the background; flushing is the
only moment it promises), unless the mount was read-only. Mounts are kept in
mounts.json, so, as in Colab, they outlive a restart of the kernel.
"""
import os as _os
import shutil as _shutil

from google.colab import _runtime

__all__ = ["flush_and_unmount", "mount"]


def _drive():
    return _runtime.root() / "google-drive"


def mount(mountpoint, force_remount=False, timeout_ms=120000, readonly=False):
    """Mount your Google Drive at the specified mountpoint path."""
    _runtime.record("drive.mount", mountpoint=mountpoint, force_remount=force_remount,
                    timeout_ms=timeout_ms, readonly=readonly)
    if " " in mountpoint:
        raise ValueError("Mountpoint must not contain a space.")
    mountpoint = _os.path.expanduser(mountpoint)
    mounts = _runtime.read_json("mounts.json", {})
    # As in Colab: a MyDrive folder at the mount point means "already mounted".
    if not force_remount and _os.path.isdir(_os.path.join(mountpoint, "MyDrive")):
        print(f"Drive already mounted at {mountpoint}; to attempt to forcibly remount, "
              f'call drive.mount("{mountpoint}", force_remount=True).')
        return
    if mountpoint in mounts:
        _unmount(mountpoint, mounts.pop(mountpoint))
    if _os.path.islink(mountpoint):
        raise ValueError("Mountpoint must not be a symlink")
    if _os.path.isdir(mountpoint) and _os.listdir(mountpoint):
        raise ValueError("Mountpoint must not already contain files")
    if not _os.path.isdir(mountpoint) and _os.path.exists(mountpoint):
        raise ValueError("Mountpoint must either be a directory or not exist")
    normed = _os.path.normpath(mountpoint)
    if "/" in normed and not _os.path.exists(_os.path.dirname(normed)):
        raise ValueError("Mountpoint must be in a directory that exists")
    (_drive() / "MyDrive").mkdir(parents=True, exist_ok=True)
    _shutil.copytree(_drive() / "MyDrive", _os.path.join(mountpoint, "MyDrive"))
    mounts[mountpoint] = {"readonly": bool(readonly)}
    _runtime.write_json("mounts.json", mounts)
    print(f"Mounted at {mountpoint}")


def _unmount(mountpoint, mount_info):
    """Carry MyDrive's content to Drive (unless read-only), then empty the mount point."""
    shown = _os.path.join(mountpoint, "MyDrive")
    if not mount_info.get("readonly") and _os.path.isdir(shown):
        _shutil.rmtree(_drive() / "MyDrive", ignore_errors=True)
        _shutil.copytree(shown, _drive() / "MyDrive")
    for entry in _os.listdir(mountpoint):
        path = _os.path.join(mountpoint, entry)
        if _os.path.isdir(path) and not _os.path.islink(path):
            _shutil.rmtree(path)
        else:
            _os.remove(path)


def flush_and_unmount(timeout_ms=24 * 60 * 60 * 1000):
    """Unmount Google Drive and flush any outstanding writes to it."""
    _runtime.record("drive.flush_and_unmount", timeout_ms=timeout_ms)
    mounts = _runtime.read_json("mounts.json", {})
    if not mounts:
        print("Drive not mounted, so nothing to flush and unmount.")
        return
    for mountpoint, mount_info in mounts.items():
        _unmount(mountpoint, mount_info)
    _runtime.write_json("mounts.json", {})
