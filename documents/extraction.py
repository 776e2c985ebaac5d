"""Text extraction from uploaded documents, in a child process with its own limits.

Parsers for PDF and Office files are large C-backed code bases fed with files from outside;
a hostile or broken file can make them loop, eat memory or crash. So the parsing runs in a
fresh Python process (`python -m documents.extraction`) that caps its own address space
and CPU time before importing any parser, and the parent only reads one JSON object back.
Whatever the file does, `extract_in_sandbox` returns an ExtractionResult and never raises.

This module must not import Django at module level: the child starts without settings.
"""

from __future__ import annotations

import errno
import io
import json
import math
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

# The directory that holds the `knowledge` package: the child's cwd, so `-m` finds it.
PROJECT_ROOT = Path(__file__).resolve().parent.parent

KINDS = frozenset({"pdf", "docx", "pptx", "xlsx", "csv", "txt"})
OFFICE_KINDS = frozenset({"docx", "pptx", "xlsx"})
ERROR_CODES = frozenset(
    {"timeout", "memory", "encrypted", "damaged", "unsupported", "zip_bomb", "crashed"}
)

# Zip-bomb limits, checked on declared sizes in the central directory. Upload inspection
# (documents/inspection.py) uses the same defaults and the same check.
MAX_UNPACKED_BYTES = 300 * 1024 * 1024
MAX_COMPRESSION_RATIO = 100
RATIO_CHECKED_ABOVE_BYTES = 1024 * 1024  # small parts compress very well and harm nobody
MAX_ZIP_ENTRIES = 10_000

DETAIL_MAX_CHARS = 500
# A file's own title (metadata, first heading) comes back raw for the parent to judge
# (documents/titles.py); these only bound what the child sends.
TITLE_CANDIDATE_MAX_CHARS = 1000
MAX_TITLE_CANDIDATES = 4


@dataclass
class ExtractionResult:
    ok: bool
    text: str = ""
    error_code: str = ""
    detail: str = ""
    truncated: bool = False
    duration_s: float = 0.0
    # What the file says its title is, best first: metadata title, then first heading.
    title_candidates: tuple[str, ...] = ()


@dataclass(frozen=True)
class ZipProblem:
    """Why a zip container is refused, from its central directory alone."""

    code: str  # "zip_bomb" or "password_protected"
    reason: str  # "entries", "unpacked", "ratio" or "encrypted"
    detail: str  # technical English, for logs and editors
    entry: str = ""
    amount: int = 0  # the entry count, unpacked bytes or ratio that broke the limit


def find_zip_problem(
    infos: list[zipfile.ZipInfo],
    *,
    max_unpacked_bytes: int = MAX_UNPACKED_BYTES,
    max_compression_ratio: int = MAX_COMPRESSION_RATIO,
    max_zip_entries: int = MAX_ZIP_ENTRIES,
) -> ZipProblem | None:
    """Check a zip's declared sizes and flags without decompressing anything.

    Declared sizes are enough: Python's zipfile never returns more than an entry's declared
    size, so a member that lies about it fails its CRC check instead of growing.
    """
    if len(infos) > max_zip_entries:
        return ZipProblem(
            "zip_bomb",
            "entries",
            f"{len(infos)} zip entries (limit {max_zip_entries})",
            amount=len(infos),
        )
    for info in infos:
        if info.flag_bits & 0x1:
            return ZipProblem(
                "password_protected",
                "encrypted",
                f"zip entry {info.filename!r} is encrypted",
                entry=info.filename,
            )
    total = sum(info.file_size for info in infos)
    if total > max_unpacked_bytes:
        return ZipProblem(
            "zip_bomb",
            "unpacked",
            f"declared unpacked size {total} bytes (limit {max_unpacked_bytes})",
            amount=total,
        )
    for info in infos:
        if info.file_size <= RATIO_CHECKED_ABOVE_BYTES:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > max_compression_ratio:
            return ZipProblem(
                "zip_bomb",
                "ratio",
                f"zip entry {info.filename!r} compression ratio {ratio:.0f}:1 "
                f"(limit {max_compression_ratio}:1)",
                entry=info.filename,
                amount=round(ratio),
            )
    return None


def failure_message(error_code: str) -> str:
    """A translated one-line explanation of a failed extraction, for editors and rapporteurs."""
    from django.utils.translation import gettext

    messages = {
        "timeout": gettext(
            "Reading the text took too long, so it was stopped. The file may be very large "
            "or unusually built; try saving it again or splitting it."
        ),
        "memory": gettext(
            "Reading the text needed too much memory, so it was stopped. Try saving the file "
            "again, with fewer or smaller images."
        ),
        "encrypted": gettext(
            "The file is protected with a password, so its text cannot be read. Upload a copy "
            "saved without a password."
        ),
        "damaged": gettext(
            "The file is damaged or not in the format its name says, so its text cannot be "
            "read. Open it, save it again and upload the new copy."
        ),
        "unsupported": gettext("Text cannot be read from this type of file."),
        "zip_bomb": gettext(
            "The file unpacks to far more data than a normal document, so it was not read. "
            "Save it again from the program that made it."
        ),
        "crashed": gettext(
            "Reading the text failed unexpectedly. Try saving the file again; if it keeps "
            "failing, tell the site team."
        ),
    }
    return messages.get(error_code, messages["crashed"])


# --- Parent side -----------------------------------------------------------------------------


def extract_in_sandbox(
    data: bytes,
    kind: str,
    *,
    time_limit_s: float = 60,
    memory_limit_bytes: int = 512 * 1024**2,
    max_chars: int = 500_000,
) -> ExtractionResult:
    """Extract a document's text in a child process limited in wall time, CPU and memory.

    Never raises for a bad file: every failure comes back as ok=False with an error_code.
    """
    started = time.monotonic()
    if kind not in KINDS:
        return ExtractionResult(ok=False, error_code="unsupported", detail=f"kind {kind!r}")
    cpu_seconds = max(1, math.ceil(time_limit_s))
    command = [
        sys.executable,
        "-m",
        "documents.extraction",
        kind,
        str(max_chars),
        str(memory_limit_bytes),
        str(cpu_seconds),
    ]
    try:
        completed = subprocess.run(  # noqa: S603 - fixed argv, our own interpreter and module
            command,
            input=data,
            capture_output=True,
            timeout=time_limit_s,
            cwd=PROJECT_ROOT,
            env=_child_environment(),
            check=False,
        )
    except subprocess.TimeoutExpired:
        # subprocess.run has already killed and reaped the child.
        result = ExtractionResult(
            ok=False, error_code="timeout", detail=f"no result after {time_limit_s:g} s"
        )
    except OSError as exc:  # could not start the child at all (no memory, no processes)
        result = ExtractionResult(ok=False, error_code="crashed", detail=_describe(exc))
    else:
        result = _result_from_child(completed)
    result.duration_s = time.monotonic() - started
    return result


def _child_environment() -> dict[str, str]:
    env = dict(os.environ)
    # `-m` finds the package from the cwd, unless PYTHONSAFEPATH is set; the path makes sure.
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTHONIOENCODING"] = "utf-8"
    return env


def _result_from_child(completed: subprocess.CompletedProcess[bytes]) -> ExtractionResult:
    stderr = completed.stderr.decode("utf-8", errors="replace")
    if completed.returncode < 0:
        signal_number = -completed.returncode
        try:
            signal_name = signal.Signals(signal_number).name
        except ValueError:
            signal_name = f"signal {signal_number}"
        detail = _trim(f"child killed by {signal_name}; {_tail(stderr)}")
        if signal_number == signal.SIGXCPU:
            return ExtractionResult(ok=False, error_code="timeout", detail=detail)
        if signal_number == signal.SIGKILL or _mentions_memory(stderr):
            # SIGKILL from outside is almost always the kernel's out-of-memory killer.
            return ExtractionResult(ok=False, error_code="memory", detail=detail)
        return ExtractionResult(ok=False, error_code="crashed", detail=detail)
    if completed.returncode != 0:
        code = "memory" if _mentions_memory(stderr) else "crashed"
        detail = _trim(f"child exited with {completed.returncode}; {_tail(stderr)}")
        return ExtractionResult(ok=False, error_code=code, detail=detail)
    try:
        payload = json.loads(completed.stdout)
        ok = payload["ok"]
        if not isinstance(ok, bool) or not isinstance(payload.get("text", ""), str):
            raise TypeError("unexpected field types")
    except (ValueError, KeyError, TypeError) as exc:
        detail = _trim(f"unreadable child output ({_describe(exc)}); {_tail(stderr)}")
        return ExtractionResult(ok=False, error_code="crashed", detail=detail)
    error_code = str(payload.get("error_code", ""))
    detail = str(payload.get("detail", ""))
    if not ok and error_code not in ERROR_CODES:
        error_code, detail = "crashed", f"unknown error code {error_code!r}; {detail}"
    return ExtractionResult(
        ok=ok,
        text=payload.get("text", "") if ok else "",
        error_code="" if ok else error_code,
        detail=_trim(detail),
        truncated=bool(payload.get("truncated", False)),
        title_candidates=_title_candidates(payload.get("title_candidates")) if ok else (),
    )


def _title_candidates(value: object) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    strings = [item[:TITLE_CANDIDATE_MAX_CHARS] for item in value if isinstance(item, str)]
    return tuple(strings[:MAX_TITLE_CANDIDATES])


def _mentions_memory(stderr: str) -> bool:
    return "MemoryError" in stderr or "Cannot allocate memory" in stderr


def _tail(stderr: str) -> str:
    lines = [line for line in stderr.strip().splitlines() if line.strip()]
    return lines[-1].strip() if lines else "no error output"


def _trim(text: str) -> str:
    return text if len(text) <= DETAIL_MAX_CHARS else text[: DETAIL_MAX_CHARS - 1] + "…"


def _describe(exc: BaseException) -> str:
    message = str(exc)
    return _trim(f"{type(exc).__name__}: {message}" if message else type(exc).__name__)


# --- Child side ------------------------------------------------------------------------------


class ExtractionFailure(Exception):
    """A failure the child recognised, with the error code to report."""

    def __init__(self, error_code: str, detail: str) -> None:
        super().__init__(detail)
        self.error_code = error_code
        self.detail = detail


_SPACES = re.compile(r"[^\S\n]+")  # whitespace other than newlines
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def normalise_text(text: str) -> str:
    """One line per paragraph: runs of spaces collapsed, blank lines and ends trimmed."""
    text = _CONTROL.sub(" ", text.replace("\r\n", "\n").replace("\r", "\n"))
    lines = (_SPACES.sub(" ", line).strip() for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


class _TextCollector:
    """Joins normalised pieces of text and stops at max_chars."""

    def __init__(self, max_chars: int) -> None:
        self.max_chars = max_chars
        self.pieces: list[str] = []
        self.length = 0
        self.truncated = False
        self.title_candidates: list[str] = []

    @property
    def full(self) -> bool:
        return self.truncated

    def add(self, text: str | None) -> None:
        if self.truncated or not text:
            return
        piece = normalise_text(text)
        if not piece:
            return
        room = self.max_chars - self.length - (1 if self.pieces else 0)
        if len(piece) > room:
            piece = piece[: max(room, 0)].rstrip()
            self.truncated = True
        if piece:
            self.pieces.append(piece)
            self.length += len(piece) + (1 if len(self.pieces) > 1 else 0)

    def text(self) -> str:
        return "\n".join(self.pieces)

    def offer_title(self, read_title: Callable[[], object]) -> None:
        """Keep what the file calls its title; a title that cannot be read is no title."""
        if len(self.title_candidates) >= MAX_TITLE_CANDIDATES:
            return
        try:
            title = read_title()
        except Exception:  # metadata is as hostile as the rest of the file
            return
        if isinstance(title, str) and title.strip():
            self.title_candidates.append(title[:TITLE_CANDIDATE_MAX_CHARS])


def _extract_pdf(data: bytes, out: _TextCollector) -> None:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(data))
    if reader.is_encrypted:
        try:
            opened = reader.decrypt("")
        except Exception as exc:  # e.g. AES without a crypto library installed
            raise ExtractionFailure("encrypted", _describe(exc)) from exc
        if not opened:
            raise ExtractionFailure("encrypted", "PDF needs a password to open")
    if len(reader.pages) == 0:
        raise ExtractionFailure("damaged", "PDF has no readable pages")
    out.offer_title(lambda: reader.metadata.title if reader.metadata else None)
    for page in reader.pages:
        out.add(page.extract_text())
        if out.full:
            break


def _check_office_zip(data: bytes) -> None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            problem = find_zip_problem(archive.infolist())
    except zipfile.BadZipFile as exc:
        raise ExtractionFailure("damaged", _describe(exc)) from exc
    if problem is not None:
        code = "encrypted" if problem.code == "password_protected" else problem.code
        raise ExtractionFailure(code, problem.detail)


def _extract_docx(data: bytes, out: _TextCollector) -> None:
    import docx
    from docx.table import Table

    document = docx.Document(io.BytesIO(data))
    out.offer_title(lambda: document.core_properties.title)
    out.offer_title(lambda: _first_docx_heading(document))

    def blocks(container) -> Iterator[str]:
        for block in container.iter_inner_content():
            if isinstance(block, Table):
                # A merged cell repeats across its row; the set keeps the lxml elements
                # alive, so each stays the same object and is read once.
                seen = set()
                for row in block.rows:
                    for cell in row.cells:
                        if cell._tc in seen:
                            continue
                        seen.add(cell._tc)
                        yield from blocks(cell)
            else:
                yield block.text

    for text in blocks(document):
        out.add(text)
        if out.full:
            return


def _first_docx_heading(document) -> str | None:
    for paragraph in document.paragraphs[:50]:
        style = paragraph.style.name if paragraph.style is not None else ""
        if (style == "Title" or style.startswith("Heading")) and paragraph.text.strip():
            return paragraph.text
    return None


def _extract_pptx(data: bytes, out: _TextCollector) -> None:
    from pptx import Presentation
    from pptx.enum.shapes import MSO_SHAPE_TYPE

    presentation = Presentation(io.BytesIO(data))
    out.offer_title(lambda: presentation.core_properties.title)
    out.offer_title(lambda: presentation.slides[0].shapes.title.text)

    def shape_texts(shapes) -> Iterator[str]:
        for shape in shapes:
            if shape.shape_type == MSO_SHAPE_TYPE.GROUP:
                yield from shape_texts(shape.shapes)
            elif shape.has_text_frame:
                yield shape.text_frame.text
            elif getattr(shape, "has_table", False) and shape.has_table:
                for row in shape.table.rows:
                    for cell in row.cells:
                        yield cell.text_frame.text

    for slide in presentation.slides:
        texts: Iterable[str] = shape_texts(slide.shapes)
        for text in texts:
            out.add(text)
            if out.full:
                return
        if slide.has_notes_slide and slide.notes_slide.notes_text_frame is not None:
            out.add(slide.notes_slide.notes_text_frame.text)
            if out.full:
                return


def _extract_xlsx(data: bytes, out: _TextCollector) -> None:
    import openpyxl

    workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    out.offer_title(lambda: workbook.properties.title)
    try:
        for sheet in workbook.worksheets:
            out.add(sheet.title)
            for row in sheet.iter_rows(values_only=True):
                values = [str(value) for value in row if value is not None and value != ""]
                if values:
                    out.add(" ".join(values))
                if out.full:
                    return
    finally:
        workbook.close()


def _extract_plain(data: bytes, out: _TextCollector) -> None:
    out.add(data.decode("utf-8-sig", errors="replace"))


_EXTRACTORS = {
    "pdf": _extract_pdf,
    "docx": _extract_docx,
    "pptx": _extract_pptx,
    "xlsx": _extract_xlsx,
    "csv": _extract_plain,
    "txt": _extract_plain,
}


def extract_text(
    data: bytes, kind: str, max_chars: int, memory_limit_bytes: int | None = None
) -> dict[str, object]:
    """Extract in this process, mapping every failure to an error code. The child runs this
    under its limits; call it directly only on files you trust."""
    out = _TextCollector(max_chars)
    try:
        if kind not in _EXTRACTORS:
            raise ExtractionFailure("unsupported", f"kind {kind!r}")
        if kind in OFFICE_KINDS:
            _check_office_zip(data)
        _EXTRACTORS[kind](data, out)
    except ExtractionFailure as exc:
        return _failure(exc.error_code, exc.detail)
    except MemoryError as exc:
        out.pieces.clear()
        return _failure("memory", _describe(exc))
    except OSError as exc:
        if exc.errno == errno.ENOMEM:  # an import or mmap refused by the address-space limit
            return _failure("memory", _describe(exc))
        return _failure("damaged", _describe(exc))
    except Exception as exc:  # parsers raise anything (KeyError, lxml errors...) on bad input
        if _is_out_of_memory(exc) or _near_memory_limit(memory_limit_bytes):
            return _failure("memory", _describe(exc))
        if isinstance(exc, ImportError | SystemError):  # the environment broke, not the file
            return _failure("crashed", _describe(exc))
        return _failure("damaged", _describe(exc))
    return {
        "ok": True,
        "text": out.text(),
        "error_code": "",
        "detail": "",
        "truncated": out.truncated,
        "title_candidates": out.title_candidates,
    }


def _is_out_of_memory(exc: Exception) -> bool:
    """C parsers report a refused malloc as their own error: libxml2 as an XMLSyntaxError
    ("unknown error") whose log says ERR_NO_MEMORY."""
    error_log = getattr(exc, "error_log", None)
    if error_log is not None and any(
        getattr(entry, "type_name", "") == "ERR_NO_MEMORY" for entry in error_log
    ):
        return True
    message = str(exc).lower()
    if isinstance(exc, ImportError):  # a parser's shared library could not be mapped
        return "failed to map segment" in message or "cannot allocate memory" in message
    if type(exc).__module__ == "zlib" and "error -4" in message:  # Z_MEM_ERROR
        return True
    return "memory" in message and "alloc" in message


def _near_memory_limit(memory_limit_bytes: int | None) -> bool:
    """Whether this process came close to its address-space limit: then a C extension's odd
    error (SystemError, an ImportError) is most likely a refused allocation."""
    if not memory_limit_bytes:
        return False
    try:
        with open("/proc/self/status", encoding="ascii") as status:
            peak_kb = next(int(line.split()[1]) for line in status if line.startswith("VmPeak:"))
    except (OSError, StopIteration, ValueError, IndexError):
        return False
    margin = max(16 * 1024 * 1024, memory_limit_bytes // 10)
    return peak_kb * 1024 >= memory_limit_bytes - margin


def _failure(error_code: str, detail: str) -> dict[str, object]:
    return {"ok": False, "text": "", "error_code": error_code, "detail": _trim(detail)}


def _limit(resource_id: int, soft: int, hard: int) -> None:
    import resource

    _, current_hard = resource.getrlimit(resource_id)
    if current_hard != resource.RLIM_INFINITY:
        soft, hard = min(soft, current_hard), min(hard, current_hard)
    resource.setrlimit(resource_id, (soft, hard))


def main(argv: list[str]) -> int:
    kind, max_chars, memory_limit_bytes, cpu_seconds = (
        argv[0],
        int(argv[1]),
        int(argv[2]),
        int(argv[3]),
    )
    import resource

    # Limits first, before any parser is imported or any byte of the file is read.
    _limit(resource.RLIMIT_AS, memory_limit_bytes, memory_limit_bytes)
    # SIGXCPU at the soft limit ends the process; the hard limit's SIGKILL is the backstop.
    _limit(resource.RLIMIT_CPU, cpu_seconds, cpu_seconds + 1)
    # openpyxl imports numpy when present, and OpenBLAS reserves ~100 MB of address space
    # per thread (it crashes under a tight RLIMIT_AS). No extractor needs it.
    sys.modules["numpy"] = None  # type: ignore[assignment]

    # Keep fd 1 for the JSON result alone: anything a library prints goes to stderr.
    result_stream = os.fdopen(os.dup(1), "w", encoding="utf-8")
    os.dup2(2, 1)

    data = sys.stdin.buffer.read()
    result = extract_text(data, kind, max_chars, memory_limit_bytes)
    del data
    json.dump(result, result_stream, ensure_ascii=False)
    result_stream.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
