"""Text extraction of uploads: time per file type and what hostile files cost.

    .venv/bin/python bench/text_extraction.py [--runs 5]

Builds real files with the test builders (tests/files.py), runs each through the upload
check (documents.inspection.inspect_upload) and the sandboxed extraction the Celery job
uses (documents.extraction.extract_in_sandbox, a child process with the default time
and memory limits), and prints a Markdown table: median and slowest wall time per file,
characters extracted, and the outcome. Never asserts timings.
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

import django

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
# Refusal messages are translated strings: Django's settings must be loaded.
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cac.settings.dev")
django.setup()

from documents.extraction import extract_in_sandbox  # noqa: E402
from documents.inspection import UploadLimits, UploadRejected, inspect_upload  # noqa: E402
from tests import files  # noqa: E402

LIMITS = UploadLimits(max_bytes=50 * 1024 * 1024)
# A file name with this prefix skips the upload check, as a file saved by a script would.
UNCHECKED = "unchecked:"
PARAGRAPH = (
    "Seoul traced contacts within 24 hours and published anonymised routes so residents could "
    "check their own exposure; drive-through and walk-through testing kept staff safe."
)


def _cases() -> list[tuple[str, str, bytes]]:
    return [
        ("1-page PDF", "a.pdf", files.pdf_with_text(PARAGRAPH)),
        ("20-page PDF", "b.pdf", files.pdf_with_pages([[PARAGRAPH] * 30] * 20)),
        ("200-page PDF", "c.pdf", files.pdf_with_pages([[PARAGRAPH] * 30] * 200)),
        ("DOCX, 500 paragraphs", "d.docx", files.docx_with_text(*[PARAGRAPH] * 500)),
        (
            "PPTX, 50 slides with notes",
            "e.pptx",
            files.pptx_with_text(*[PARAGRAPH] * 50, notes=[PARAGRAPH] * 50),
        ),
        (
            "XLSX, 20,000 rows",
            "f.xlsx",
            files.xlsx_with_rows([[i, "Seoul", "tests", i * 3] for i in range(20_000)]),
        ),
        ("Malformed PDF", "g.pdf", files.malformed_pdf()),
        ("Encrypted PDF", "h.pdf", files.encrypted_pdf(PARAGRAPH)),
        ("Zip-bomb DOCX (200 MB unpacked)", "i.docx", files.zip_bomb_docx(200)),
        # Saved by a script, past the upload check: the child process must refuse it alone.
        ("Zip-bomb DOCX, no upload check", "unchecked:j.docx", files.zip_bomb_docx(200)),
    ]


def _run(name: str, data: bytes) -> tuple[float, str, int]:
    started = time.perf_counter()
    unchecked = name.startswith(UNCHECKED)
    name = name.removeprefix(UNCHECKED)
    if unchecked:
        kind = name.rsplit(".", 1)[1]
    else:
        try:
            kind = str(inspect_upload(io.BytesIO(data), name, LIMITS))
        except UploadRejected as rejection:
            return time.perf_counter() - started, f"refused at upload: {rejection.code}", 0
    result = extract_in_sandbox(data, kind)
    elapsed = time.perf_counter() - started
    outcome = "text" if result.ok else f"failed: {result.error_code}"
    return elapsed, outcome, len(result.text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{args.runs} runs per file; child-process extraction with the default limits\n")
    print("| File | Size | Median | Slowest | Characters | Outcome |")
    print("|---|---:|---:|---:|---:|---|")
    for label, name, data in _cases():
        timings, outcome, characters = [], "", 0
        for run in range(args.runs):
            elapsed, outcome, characters = _run(name, data)
            timings.append(elapsed)
            print(f"  {label}: run {run + 1}/{args.runs}", end="\r", file=sys.stderr)
        print(
            f"| {label} | {len(data) / 1024:,.0f} KB | {statistics.median(timings) * 1000:,.0f} ms"
            f" | {max(timings) * 1000:,.0f} ms | {characters:,} | {outcome} |"
        )


if __name__ == "__main__":
    main()
