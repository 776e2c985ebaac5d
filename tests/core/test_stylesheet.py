"""The site's stylesheet parses: a block left open (as a merge once left the forced-colours
rules) makes browsers read every rule after it as part of that block, silently."""

import re
from pathlib import Path

STYLESHEET = Path(__file__).resolve().parents[2] / "cac" / "static" / "css" / "cac.css"


def test_every_block_of_the_stylesheet_is_closed():
    text = re.sub(r"/\*.*?\*/", "", STYLESHEET.read_text(), flags=re.S)
    depth = 0
    for number, line in enumerate(text.splitlines(), start=1):
        depth += line.count("{") - line.count("}")
        assert depth >= 0, f"line {number} closes a block that was never opened"
        if re.match(r"@media|@supports", line.strip()):
            assert depth == 1, f"line {number}: an at-rule nested inside another block"
    assert depth == 0, "a block is left open at the end of cac.css"
