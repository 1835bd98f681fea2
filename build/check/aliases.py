"""Find every occurrence of every actor alias in an article text."""

import re

MATCHER_VERSION = "alias-match 1"


def alias_pattern(aliases):
    """One regex for all aliases: whole words, case-sensitive, longest alias first.

    Longest first means "Israel Hayom" wins over "Israel" and "Imran Khan" over
    "Khan" at the same position; the lookarounds stop "Pak" matching "Pakistan".
    """
    ordered = sorted({a["alias"] for a in aliases}, key=lambda alias: (-len(alias), alias))
    body = "|".join(re.escape(alias) for alias in ordered)
    return re.compile(rf"(?<!\w)(?:{body})(?!\w)")


def find_actor_mentions(article_id, text, aliases):
    """actor_mentions rows for one article: every non-overlapping alias match, in text order."""
    if not aliases:
        return []
    owner = {a["alias"]: a["actor_id"] for a in aliases}
    return [
        {
            "actor_mention_id": f"{article_id}_{match.start():06d}",
            "article_id": article_id,
            "actor_id": owner[match.group()],
            "alias": match.group(),
            "quote_start": match.start(),
            "quote_end": match.end(),
            "method": MATCHER_VERSION,
        }
        for match in alias_pattern(aliases).finditer(text)
    ]
