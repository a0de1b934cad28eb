"""The page is a door, not a second engine: it creates no Check and works out no money — what it
shows and sends comes from the functions the CLI calls."""
from __future__ import annotations

from pathlib import Path

import jbsys_xl.web

WEB = Path(jbsys_xl.web.__file__).parent


def test_the_page_creates_no_check_and_computes_no_money():
    source = "\n".join(path.read_text("utf-8") for path in sorted(WEB.glob("*.py")))
    assert "Check(" not in source
    assert "Decimal" not in source and "Fraction" not in source
    assert "xlsxwriter" not in source.lower()  # every file it sends is written by the report modules
