"""The passages of a document that each get a vector: what a semantic match can match.

The first passage is the title with the summary: what the document is about. Then the body
and the attached documents' text, in chunks the model reads whole, each headed by the title
so a chunk keeps its context. A document scores by its best passage. Long texts give at most
MAX_BODY_PASSAGES and MAX_ATTACHMENT_PASSAGES chunks: their start says what they are about,
and embedding costs grow with every chunk.
"""

from __future__ import annotations

import hashlib
import re

from search.engines.base import SearchDocument

MAX_BODY_PASSAGES = 6
MAX_ATTACHMENT_PASSAGES = 3
# Sentence ends in the scripts the site is written in (Latin, Korean, CJK, Arabic).
_SENTENCE_END = re.compile(r"(?<=[.!?。！？؟])\s+|(?<=[。！？])")


def _chunks(text: str, size: int, limit: int) -> list[str]:
    """`text` cut into at most `limit` chunks of at most `size` characters, at sentence ends
    where one falls within a chunk, else at a space, else anywhere."""
    text = " ".join(text.split())
    chunks: list[str] = []
    current = ""
    for sentence in _SENTENCE_END.split(text):
        while len(sentence) > size:  # a sentence longer than a chunk is cut where it can be
            if current:
                chunks.append(current)
                current = ""
            cut = sentence.rfind(" ", size // 2, size)
            cut = cut if cut > 0 else size
            chunks.append(sentence[:cut].strip())
            sentence = sentence[cut:].strip()
        if current and len(current) + 1 + len(sentence) > size:
            chunks.append(current)
            current = sentence
        else:
            current = f"{current} {sentence}".strip()
        if len(chunks) >= limit:
            return chunks[:limit]
    if current:
        chunks.append(current)
    return [chunk for chunk in chunks if chunk][:limit]


def document_passages(document: SearchDocument, passage_chars: int) -> list[str]:
    """The texts to embed for `document`, the title-and-summary passage first."""
    head = "\n".join(part for part in (document.title, document.summary) if part)
    passages = [head[:passage_chars]] if head else []
    # Each chunk is headed by the title: room is left for it within the model's length.
    room = max(passage_chars - len(document.title) - 1, passage_chars // 2)
    for text, limit in (
        (document.body, MAX_BODY_PASSAGES),
        (document.attachments_text, MAX_ATTACHMENT_PASSAGES),
    ):
        for chunk in _chunks(text[: room * limit * 2], room, limit):
            passages.append(f"{document.title}\n{chunk}" if document.title else chunk)
    return passages


def text_hash(text: str) -> str:
    """The cache key of one passage's text (with the model's key beside it)."""
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()
