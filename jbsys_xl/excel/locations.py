"""Where a file with personal data may go: not a folder that is shared or synced to a cloud.

The 12333 callback list holds names and phone numbers. Workbooks often live in a shared or
synced folder, so the list is no longer written beside them: the save dialog starts in a
private folder, and a choice of a shared or synced one is questioned.
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path, PurePath, PureWindowsPath

ONEDRIVE_VARIABLES = ("OneDrive", "OneDriveCommercial", "OneDriveConsumer")
"""Set by the OneDrive client to the roots of what it syncs (SharePoint libraries included)."""


def _remote_drive(path: PurePath) -> bool:
    """Whether Windows says the path's drive letter is a mapped network drive."""
    if sys.platform != "win32":
        return False
    import ctypes

    drive = PureWindowsPath(path).drive
    return bool(drive) and ctypes.windll.kernel32.GetDriveTypeW(drive + "\\") == 4  # DRIVE_REMOTE


def shared_or_synced(path: str | PurePath, environ: Mapping[str, str] = os.environ,
                     remote_drive: Callable[[PurePath], bool] = _remote_drive) -> str | None:
    """What kind of shared or synced place ``path`` is in (for a message), or None."""
    text = str(path)
    if text.startswith(("\\\\", "//")):
        return "网络共享文件夹"
    windows = PureWindowsPath(text)
    if remote_drive(windows):
        return "映射的网络驱动器"
    for variable in ONEDRIVE_VARIABLES:
        root = environ.get(variable)
        if root and _inside(windows, PureWindowsPath(root)):
            return "OneDrive/SharePoint 同步文件夹"
    if any(part.lower().startswith("onedrive") or "sharepoint" in part.lower()
           for part in windows.parts[:-1]):
        return "OneDrive/SharePoint 同步文件夹"
    return None


def _inside(path: PureWindowsPath, root: PureWindowsPath) -> bool:
    parts = [part.lower() for part in root.parts]
    return [part.lower() for part in path.parts[:len(parts)]] == parts


def private_folder(home: Path | None = None, environ: Mapping[str, str] = os.environ,
                   remote_drive: Callable[[PurePath], bool] = _remote_drive) -> Path:
    """Documents, else Desktop, else the home folder itself — the first that exists and is
    neither shared nor synced (Documents is often moved into OneDrive)."""
    home = home or Path.home()
    for folder in (home / "Documents", home / "Desktop", home):
        if folder.is_dir() and shared_or_synced(folder / "x", environ, remote_drive) is None:
            return folder
    return home
