"""Connect a /usr/bin/python3 script to the LibreOffice that run_uno_script started.

Imported only by such scripts (the system Python is the one with ``uno``); they put the
repository on sys.path first, so this module must not import anything beyond the stdlib and uno.
"""
from __future__ import annotations

import time

import uno
from com.sun.star.connection import NoConnectException

CONNECT_SECONDS = 60


def connect(url: str):
    """The remote component context, waiting for LibreOffice to start listening."""
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext(
        "com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + CONNECT_SECONDS
    while True:
        try:
            return resolver.resolve(url)
        except NoConnectException:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
