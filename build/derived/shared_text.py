"""Passages two articles share nearly word for word, found by the build (AUDIT O8).

Candidates: articles sharing at least MIN_SHARED rare content-word trigrams (three words
in a row once stop words are dropped; a trigram in more than MAX_DF articles is common
phrasing, or wire copy carried everywhere, and does not make a pair), each article with at
most MAX_PARTNERS others, those sharing most first (so that a corpus of near-copies stays
linear, not quadratic). For each candidate pair, two kinds of passage.

Copies: rapidfuzz aligns the two word sequences (LCSseq opcodes over the lower-cased words),
and runs of matching words separated by at most GAP unmatched words on either side make one
passage; a passage is kept when it matches at least MIN_WORDS words, MIN_CONTENT of them
content words and MIN_PLAIN of those printed in lower case in both texts (so that a shared
name or job title, "Prime Minister Imran Khan", "Special Assistant to the Prime Minister",
is not shared text on its own), with a similarity (matched words over the mean length of
the two spans) of at least MIN_SIMILARITY.

Parallel sentences (a close rendering: "He stayed a few days in Israel where he met with
... Yossi Cohen" for "Bukhari stayed in Israel for a few days, during which he met with
... Yossi Cohen"), which one alignment of two whole texts misses: every pair of sentences,
each word cut to its first STEM letters, whose shorter sentence shares at least
MIN_SIMILARITY of its content words (and MIN_CONTENT at least), at least MIN_SIMILARITY of
them in the same order (rapidfuzz LCSseq), and MIN_PLAIN of them printed in lower case in
both; the same thresholds as the alignment, not new ones. Kept where no copied passage
already covers it; its span runs from its first shared word to its last.

Each passage is one row: both articles, both spans (character offsets into each text), the
similarity and the words matched, and the method that found it.

find_repeats(text, articles) applies the same test to a text not yet in the corpus (the
draft command calls it), so that a text repeating a corpus article is recognised when it
is added. tests/test_shared_text.py measures the precision and recall on the corpus
against passages found by reading, and the rule on a made-up story.
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

# Parallel sentences: where a sentence ends (not after an initial or a two-letter
# abbreviation such as "Mr."), and how many letters of a word count ("economic", "economically").
SENTENCE = re.compile(
    r"[^\n]+?(?:(?<!\b[A-Z][a-z])(?<!\b[A-Z])[.!?][”\"’']?(?=\s)|$)", re.MULTILINE
)
STEM = 5

METHOD = f"rapidfuzz {version('rapidfuzz')} LCSseq word alignment"
SENTENCE_METHOD = f"rapidfuzz {version('rapidfuzz')} LCSseq over sentences' word stems"


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


def sentence_stems(text, tokens=None):
    """[stems] of each sentence of a text holding a content word: stems are [(stem, start,
    end, printed in lower case)] of its content words, offsets in the text; tokens, when
    given, are words(text), so that a text is read once."""
    ends = [sentence.end() for sentence in SENTENCE.finditer(text)]
    units, current, index = [], [], 0
    for word, start, end, plain in words(text) if tokens is None else tokens:
        while index < len(ends) - 1 and start >= ends[index]:
            if current:
                units.append(current)
                current = []
            index += 1
        if word not in STOP and len(word) > 1:
            current.append((word[:STEM], start, end, plain))
    if current:
        units.append(current)
    return units


def parallel_sentences(units_a, units_b):
    """The sentence pairs of two texts (from sentence_stems) that render the same words:
    [(a_start, a_end, b_start, b_end, shared, similarity)], each span from the first to the
    last shared stem of its sentence, in characters."""
    found = []
    sets_b = [{stem[0] for stem in stems_b} for stems_b in units_b]
    for stems_a in units_a:
        set_a = {stem[0] for stem in stems_a}
        for stems_b, set_b in zip(units_b, sets_b):
            shared = set_a & set_b
            if len(shared) < max(MIN_CONTENT, MIN_SIMILARITY * min(len(set_a), len(set_b))):
                continue
            in_order = LCSseq.similarity([s[0] for s in stems_a], [s[0] for s in stems_b])
            plain = {s[0] for s in stems_a if s[3]} & {s[0] for s in stems_b if s[3]} & shared
            shorter = min(len(stems_a), len(stems_b))
            if in_order < MIN_SIMILARITY * shorter or len(plain) < MIN_PLAIN:
                continue
            ends_a = [s for s in stems_a if s[0] in shared]
            ends_b = [s for s in stems_b if s[0] in shared]
            found.append(
                (
                    ends_a[0][1],
                    ends_a[-1][2],
                    ends_b[0][1],
                    ends_b[-1][2],
                    in_order,
                    round(in_order / shorter, 3),
                )
            )
    return found


def _overlaps(passage, passages):
    """Whether a passage (a_start, a_end, b_start, b_end, ...) overlaps one of passages on
    both sides."""
    a_start, a_end, b_start, b_end = passage[:4]
    return any(
        a_start < other[1] and other[0] < a_end and b_start < other[3] and other[2] < b_end
        for other in passages
    )


def _row(texts, first, second, passage, method):
    """One shared_text row for a passage (a_start, a_end, b_start, b_end, matched, similarity)."""
    a_start, a_end, b_start, b_end, matched, similarity = passage
    return {
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
        "method": method,
    }


def shared_passages(articles):
    """The rows of shared_text for articles, an iterable of (article_id, text): the passages
    the word alignment finds, then the parallel sentences that overlap none of them."""
    texts = dict(articles)
    tokens, units = {}, {}
    rows = []
    for first, second in candidate_pairs((key, trigrams(texts[key])) for key in sorted(texts)):
        for key in (first, second):
            if key not in tokens:
                tokens[key] = words(texts[key])
                units[key] = sentence_stems(texts[key], tokens[key])
        ta, tb = tokens[first], tokens[second]
        aligned = [
            (ta[a_first][1], ta[a_last][2], tb[b_first][1], tb[b_last][2], matched, similarity)
            for a_first, a_last, b_first, b_last, matched, similarity in align(ta, tb)
        ]
        rows.extend(_row(texts, first, second, passage, METHOD) for passage in aligned)
        seen = list(aligned)
        for passage in parallel_sentences(units[first], units[second]):
            if not _overlaps(passage, seen):
                seen.append(passage)
                rows.append(_row(texts, first, second, passage, SENTENCE_METHOD))
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
