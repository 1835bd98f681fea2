"""The one text check: bytes that must be UTF-8 text (an article, a YAML file).

A text is refused when it is another encoding (UTF-16, Latin-1...), starts with a
byte-order mark (unless the format allows one, as YAML does), holds NUL bytes or control
characters (binary data), or, unless allowed, is empty. Markup is text like any other."""

import re
from typing import NamedTuple

# C0 control characters but tab, line feed, form feed and carriage return; and DEL.
CONTROL = re.compile(r"[\x01-\x08\x0b\x0e-\x1f\x7f]")
UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


class TextProblem(NamedTuple):
    """Why bytes are not text: the line in the file (1-based) and what to do."""

    line: int
    message: str


def decode_text(data, what, *, allow_bom=False, allow_empty=False):
    """(text, None) when data is UTF-8 text, else (None, TextProblem). `what` names the
    file in the message ("the file", "texts/x.txt"). With allow_bom a leading UTF-8
    byte-order mark is kept in the text for the caller's parser."""
    if data.startswith(UTF16_BOMS):
        return None, TextProblem(
            1, f"{what} is UTF-16 (it starts with a UTF-16 byte-order mark): save it as UTF-8"
        )
    if b"\0" in data:
        at = data.index(b"\0")
        line = data.count(b"\n", 0, at) + 1
        return None, TextProblem(
            line,
            f"{what} holds NUL bytes (the first at byte offset {at}, line {line}): "
            "it is binary data (or UTF-16), not text; save it as plain UTF-8 text",
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return None, TextProblem(
            line,
            f"{what} is not valid UTF-8 ({error.reason}: byte 0x{data[error.start]:02X} at byte offset "
            f"{error.start}, line {line}); it looks like another encoding (Latin-1, Windows-1252?): save it as UTF-8",
        )
    if text.startswith("\ufeff") and not allow_bom:
        return None, TextProblem(
            1,
            f"{what} starts with a byte-order mark (U+FEFF), which would become an invisible first "
            "character of the text: save it as UTF-8 without a BOM",
        )
    control = CONTROL.search(text)
    if control:
        line = text.count("\n", 0, control.start()) + 1
        return None, TextProblem(
            line,
            f"{what} holds the control character U+{ord(control.group()):04X} at character "
            f"{control.start()} (line {line}): it is binary data, not text; save it as plain UTF-8 text",
        )
    if not allow_empty and not text.strip():
        return None, TextProblem(
            1, f"{what} is empty: put the article's text there, exactly as received"
        )
    return text, None
