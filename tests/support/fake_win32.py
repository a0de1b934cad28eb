"""Stand-in for the pywin32 calls the Excel layer makes beside xlwings: ``win32api.MessageBox``
— what xlwings' own ``App.alert`` calls (``_xlwindows.App.alert``) — and the ``win32con``
constants it takes, with Windows' values. The layer calls it directly where xlwings cannot say
which button is the default (a confirmation that deletes rows typed by hand defaults to 取消).

The box belongs to the app whose window handle it is given (``App.hwnd``); it is recorded in
that app's ``alerts`` like any other, its style in ``app.message_styles``; the user presses
the next of ``app.answers`` ("ok", "cancel"), or — none scripted — the default button, as
pressing Enter does.
"""
from __future__ import annotations

import sys
from types import ModuleType

from tests.support import fake_xlwings as fake

win32con = ModuleType("win32con")
win32con.MB_OK, win32con.MB_OKCANCEL = 0x0, 0x1
win32con.MB_ICONINFORMATION, win32con.MB_ICONWARNING = 0x40, 0x30
win32con.MB_DEFBUTTON1, win32con.MB_DEFBUTTON2 = 0x0, 0x100
win32con.IDOK, win32con.IDCANCEL = 1, 2

win32api = ModuleType("win32api")


def MessageBox(hWnd, Text, Caption, Type=0):  # noqa: N802,N803 (pywin32's names)
    app = fake.App._windows[hWnd]
    if Type & 0xF != win32con.MB_OKCANCEL:
        raise NotImplementedError("only OK/Cancel boxes are modelled")
    app.alerts.append((Text, Caption))
    app.message_styles.append(Type)
    buttons = {"ok": win32con.IDOK, "cancel": win32con.IDCANCEL}
    if app.answers:
        return buttons[app.answers.pop(0)]
    return win32con.IDCANCEL if Type & win32con.MB_DEFBUTTON2 else win32con.IDOK


win32api.MessageBox = MessageBox


def install(monkeypatch) -> None:
    """Make ``import win32api, win32con`` find the stand-ins (Linux has no pywin32)."""
    monkeypatch.setitem(sys.modules, "win32api", win32api)
    monkeypatch.setitem(sys.modules, "win32con", win32con)
