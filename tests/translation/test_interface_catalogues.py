"""The interface catalogues: every language complete, current with the code, and consistent.

`make messages` extracts the strings and merges them into locale/<lang>/LC_MESSAGES/django.po.
These checks fail when a string is untranslated or fuzzy in any shipped language, when the
catalogues miss a string that the code now marks, when a translation drops a placeholder, and
when a translation strays from its language's glossary (locale/<lang>/glossary.tsv).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.utils.translation import to_locale

ROOT = Path(settings.BASE_DIR)
LOCALE_DIR = ROOT / "locale"
# Every shipped language but the source one; the catalogue's folder uses Django's locale name.
TRANSLATED = [code for code in settings.AVAILABLE_LANGUAGES if code != settings.LANGUAGE_CODE]
PLACEHOLDER = re.compile(r"%\([a-z_0-9]+\)[sd]|%[sd]|\{[a-z_0-9]*\}")


# Templates and Python code; and the admin scripts' strings (core/upstream_strings.js).
DOMAINS = ["django", "djangojs"]
CATALOGUES = [(code, domain) for code in TRANSLATED for domain in DOMAINS]


def _catalogue(code: str, domain: str = "django") -> polib.POFile:
    return polib.pofile(str(LOCALE_DIR / to_locale(code) / "LC_MESSAGES" / f"{domain}.po"))


def _live(po: polib.POFile):
    return [entry for entry in po if not entry.obsolete]


def _translations(entry: polib.POEntry) -> list[str]:
    return list(entry.msgstr_plural.values()) if entry.msgid_plural else [entry.msgstr]


@pytest.mark.parametrize(("code", "domain"), CATALOGUES)
def test_every_string_is_translated_and_none_is_fuzzy(code, domain):
    po = _catalogue(code, domain)
    nplurals = int(re.search(r"nplurals=(\d+)", po.metadata["Plural-Forms"]).group(1))
    untranslated = [
        entry.msgid
        for entry in _live(po)
        if not all(_translations(entry))
        or (entry.msgid_plural and len(entry.msgstr_plural) != nplurals)
    ]
    fuzzy = [entry.msgid for entry in _live(po) if "fuzzy" in entry.flags]
    assert not untranslated, f"{code}: {len(untranslated)} untranslated, e.g. {untranslated[:5]}"
    assert not fuzzy, f"{code}: {len(fuzzy)} fuzzy, e.g. {fuzzy[:5]}"
    assert po.metadata.get("Language") == to_locale(code)
    # A fuzzy header is left out of the .mo, and its plural rule with it.
    assert not po.metadata_is_fuzzy, f"{code}: the catalogue's header is still marked fuzzy"


@pytest.mark.parametrize(("code", "domain"), CATALOGUES)
def test_translations_keep_every_placeholder(code, domain):
    wrong = []
    for entry in _live(_catalogue(code, domain)):
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        expected_plural = sorted(PLACEHOLDER.findall(entry.msgid_plural or entry.msgid))
        for index, text in enumerate(_translations(entry)):
            found = sorted(PLACEHOLDER.findall(text))
            # A singular form may drop a %(count)s the plural keeps ("one result").
            if found not in (expected, expected_plural) and not (
                entry.msgid_plural and set(found) <= set(expected_plural) and index == 0
            ):
                wrong.append((entry.msgid, text))
    assert not wrong, f"{code}: placeholders differ in {wrong[:5]}"


@pytest.mark.parametrize(("code", "domain"), CATALOGUES)
def test_the_compiled_catalogue_matches_its_source(code, domain):
    """msgfmt --check (format strings, headers) and the shipped .mo is not stale."""
    folder = LOCALE_DIR / to_locale(code) / "LC_MESSAGES"
    compiled = subprocess.run(
        ["msgfmt", "--check", "-o", "-", str(folder / f"{domain}.po")],
        capture_output=True,
        check=False,
    )
    assert compiled.returncode == 0, compiled.stderr.decode()
    shipped = polib.mofile(str(folder / f"{domain}.mo"))
    source = {(e.msgid, e.msgstr) for e in _live(_catalogue(code, domain)) if not e.msgid_plural}
    assert {(e.msgid, e.msgstr) for e in shipped if e.msgid and not e.msgid_plural} == source, (
        f"{code}: {domain}.mo is older than {domain}.po; run `make messages`"
    )


def _source_copy(target: Path) -> Path:
    """The files git would commit, copied: makemessages writes into the tree it runs in."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = ROOT / name
        if source.is_file():
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / name)
    return target


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="GNU gettext is not installed")
@pytest.mark.skipif(not (ROOT / ".git").exists(), reason="not a git checkout")
def test_the_catalogues_hold_every_string_the_code_marks(tmp_path):
    """What `make messages` would extract today is already in every catalogue."""
    copy = _source_copy(tmp_path / "src")
    extracted = subprocess.run(
        [sys.executable, "manage.py", "makemessages", "--verbosity=0", "--ignore=tests"]
        + [f"--locale={to_locale(code)}" for code in TRANSLATED],
        cwd=copy,
        capture_output=True,
        check=False,
        env={key: value for key, value in os.environ.items() if not key.endswith("_URL")},
    )
    assert extracted.returncode == 0, extracted.stderr.decode()
    for code in TRANSLATED:
        fresh = polib.pofile(str(copy / "locale" / to_locale(code) / "LC_MESSAGES/django.po"))
        shipped = {(e.msgctxt, e.msgid) for e in _live(_catalogue(code))}
        missing = [msgid for ctxt, msgid in {(e.msgctxt, e.msgid) for e in _live(fresh)} - shipped]
        assert not missing, f"{code}: not in the catalogue, run `make messages`: {missing[:5]}"


def _glossary(code: str) -> list[tuple[str, list[str]]]:
    path = LOCALE_DIR / to_locale(code) / "glossary.tsv"
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip():
            term, forms, *_note = line.split("\t")
            rows.append((term, [form.casefold() for form in forms.split("|")]))
    return rows


@pytest.mark.parametrize("code", TRANSLATED)
def test_translations_follow_the_glossary(code):
    """Where a string uses a glossary term, its translation uses the agreed translation."""
    glossary = _glossary(code)
    assert len(glossary) >= 20, f"{code}: the glossary names too few terms"
    strays = []
    for term, forms in glossary:
        pattern = re.compile(rf"\b{re.escape(term)}(s|es)?\b", re.IGNORECASE)
        for entry in _live(_catalogue(code)):
            if "glossary-exempt" in (entry.tcomment or "") or not pattern.search(entry.msgid):
                continue
            for text in _translations(entry):
                if not any(form in text.casefold() for form in forms):
                    strays.append((term, entry.msgid, text))
    assert not strays, f"{code}: {len(strays)} strings stray from the glossary, e.g. {strays[:5]}"
