"""Finding a curated quote in its article's text: every row's offsets come from here."""


def appearances(text, quote):
    """Where quote appears in text: every start offset, overlapping ones included."""
    starts, start = [], text.find(quote)
    while start != -1:
        starts.append(start)
        start = text.find(quote, start + 1)
    return starts


def locate(text, quote, occurrence):
    """(start, end, error) of the occurrence-th appearance (1 = first) of quote in text.
    Appearances may overlap ("aXa" is in "aXaXa" twice), so that each can be named."""
    starts = appearances(text, quote)
    if not starts:
        return (
            None,
            None,
            "quote not found verbatim in the article text (copy it exactly: curly quotes, spaces and typos as printed)",
        )
    if occurrence is None:
        if len(starts) > 1:
            places = ", ".join(str(s) for s in starts)
            return (
                None,
                None,
                f"quote is ambiguous: found {len(starts)} times (offsets {places}); add occurrence: N (1 = the first), or quote more words",
            )
        occurrence = 1
    if occurrence > len(starts):
        return (
            None,
            None,
            f"occurrence {occurrence} asked, but the quote is found {len(starts)} time(s): give a number from 1 to {len(starts)}",
        )
    start = starts[occurrence - 1]
    return start, start + len(quote), None
