"""Passages two articles share nearly word for word, found by the build (AUDIT O8).

Two steps. Candidates: articles sharing at least MIN_SHARED rare content-word trigrams
(three words in a row once stop words are dropped; a trigram in more than MAX_DF articles
is common phrasing, or wire copy carried everywhere, and does not make a pair), each
article with at most MAX_PARTNERS others, those sharing most first (so that a corpus of
near-copies stays linear, not quadratic). Passages:
for each candidate pair, rapidfuzz aligns the two word sequences (LCSseq opcodes over the
lower-cased words), and runs of matching words separated by at most GAP unmatched words on
either side make one passage; a passage is kept when it matches at least MIN_WORDS words,
MIN_CONTENT of them content words and MIN_PLAIN of those printed in lower case in both
texts (so that a shared name or job title, "Prime Minister Imran Khan", "Special Assistant
to the Prime Minister", is not shared text on its own), with a similarity (matched words over the mean length
of the two spans) of at least MIN_SIMILARITY. Each passage is one row: both articles, both
spans (character offsets into each text), the similarity and the words matched.

find_repeats(text, articles) applies the same test to a text not yet in the corpus (the
draft command calls it), so that a text repeating a corpus article is recognised when it
is added. tests/test_shared_text.py measures the precision on the corpus.
"""

import re
from collections import Counter, defaultdict
from importlib.metadata import version

from rapidfuzz.distance import LCSseq

WORD = re.compile(r"\w+")
STOP = frozenset(
    "a an the of to in on at for from by with and or but is was were be been being has have had that this these "
    "those it its as which who whom whose he she they them his her their there here said says say also not no "
    "than then into over after before about during where when while would will can could may might did do does "
    "i we you our us me my your so such if up out more most other some any all one two".split()
)
TRIGRAM = 3
MAX_DF = 10
MIN_SHARED = 4
MAX_PARTNERS = 20  # candidates an article is aligned with at most, those sharing most first
GAP = 6
MIN_WORDS = 6
MIN_CONTENT = 4
MIN_PLAIN = 3  # matched content words printed in lower case in both texts: not names or titles
MIN_SIMILARITY = 0.5
REPEAT_COVERAGE = (
    0.5  # find_repeats: share of the new text's words in passages shared with one article
)

METHOD = f"rapidfuzz {version('rapidfuzz')} LCSseq word alignment"


def words(text):
    """[(word lower-cased, start, end, printed in lower case)] of a text."""
    return [
        (match.group().lower(), match.start(), match.end(), match.group().islower())
        for match in WORD.finditer(text)
    ]


def trigrams(text):
    """The set of content-word trigrams of a text (hashed: only equality matters)."""
    content = [word for word in WORD.findall(text.lower()) if word not in STOP]
    return set(map(hash, zip(content, content[1:], content[2:])))


def candidate_pairs(shingles):
    """Pairs (a, b), a before b, of the keys of shingles (an iterable of (key, set of
    trigrams) in key order, consumed one at a time) sharing at least MIN_SHARED trigrams that occur in no more
    than MAX_DF of them."""
    postings = defaultdict(list)
    for key, grams in shingles:
        for gram in grams:
            postings[gram].append(key)
    shared = Counter()
    for keys in postings.values():
        if 1 < len(keys) <= MAX_DF:
            for i, first in enumerate(keys):
                for second in keys[i + 1 :]:
                    shared[first, second] += 1
    partners = defaultdict(list)
    for (first, second), count in shared.items():
        if count >= MIN_SHARED:
            partners[first].append((-count, second, (first, second)))
            partners[second].append((-count, first, (first, second)))
    kept = set()
    for ranked in partners.values():
        kept.update(pair for *_, pair in sorted(ranked)[:MAX_PARTNERS])
    return sorted(kept)


def align(tokens_a, tokens_b):
    """The passages two token lists share: [(a_first, a_last, b_first, b_last, matched,
    similarity)], token indices inclusive."""
    blocks = [
        op
        for op in LCSseq.opcodes([token[0] for token in tokens_a], [token[0] for token in tokens_b])
        if op.tag == "equal"
    ]
    regions, current = [], None
    for block in blocks:
        if current and block.src_start - current[1] <= GAP and block.dest_start - current[3] <= GAP:
            current = [current[0], block.src_end, current[2], block.dest_end, current[4] + [block]]
        else:
            if current:
                regions.append(current)
            current = [block.src_start, block.src_end, block.dest_start, block.dest_end, [block]]
    if current:
        regions.append(current)
    passages = []
    for a_start, a_end, b_start, b_end, parts in regions:
        matched = sum(part.src_end - part.src_start for part in parts)
        pairs = [
            (tokens_a[i], tokens_b[part.dest_start + i - part.src_start])
            for part in parts
            for i in range(part.src_start, part.src_end)
        ]
        content = sum(1 for a, _ in pairs if a[0] not in STOP)
        plain = sum(1 for a, b in pairs if a[0] not in STOP and a[3] and b[3])
        similarity = 2 * matched / ((a_end - a_start) + (b_end - b_start))
        if (
            matched >= MIN_WORDS
            and content >= MIN_CONTENT
            and plain >= MIN_PLAIN
            and similarity >= MIN_SIMILARITY
        ):
            passages.append((a_start, a_end - 1, b_start, b_end - 1, matched, round(similarity, 3)))
    return passages


def shared_passages(articles):
    """The rows of shared_text for articles, an iterable of (article_id, text)."""
    texts = dict(articles)
    tokens = {}
    rows = []
    for first, second in candidate_pairs((key, trigrams(texts[key])) for key in sorted(texts)):
        for key in (first, second):
            if key not in tokens:
                tokens[key] = words(texts[key])
        ta, tb = tokens[first], tokens[second]
        for a_first, a_last, b_first, b_last, matched, similarity in align(ta, tb):
            a_start, a_end = ta[a_first][1], ta[a_last][2]
            b_start, b_end = tb[b_first][1], tb[b_last][2]
            rows.append(
                {
                    "shared_id": f"{first}_{a_start}_{second}_{b_start}",
                    "article_id": first,
                    "quote_start": a_start,
                    "quote_end": a_end,
                    "quote": texts[first][a_start:a_end],
                    "other_article_id": second,
                    "other_start": b_start,
                    "other_end": b_end,
                    "other_quote": texts[second][b_start:b_end],
                    "similarity": similarity,
                    "words_matched": matched,
                    "method": METHOD,
                }
            )
    return rows


def find_repeats(text, articles):
    """The corpus articles a new text repeats: [(article_id, coverage, passages)] for each
    article sharing passages with it, most covered first, where coverage is the share of the
    text's words inside those passages and passages are (start, end, other_start, other_end,
    similarity) in characters. A coverage of REPEAT_COVERAGE or more means the text repeats
    that article (a republication, or a copy); less, that it shares passages with it."""
    new = words(text)
    if not new:
        return []
    grams = trigrams(text)
    found = []
    for article_id, other_text in articles:
        if len(grams & trigrams(other_text)) < MIN_SHARED:
            continue
        other = words(other_text)
        passages = align(new, other)
        if not passages:
            continue
        covered = sum(a_last - a_first + 1 for a_first, a_last, *_ in passages)
        found.append(
            (
                article_id,
                round(covered / len(new), 3),
                [
                    (new[a][1], new[al][2], other[b][1], other[bl][2], similarity)
                    for a, al, b, bl, _, similarity in passages
                ],
            )
        )
    return sorted(found, key=lambda item: (-item[1], item[0]))
