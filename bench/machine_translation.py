"""What a machine-translation job costs us, apart from the provider's own time.

    .venv/bin/python bench/machine_translation.py [--language ja]

Builds a fresh temporary SQLite site (`load_summit_2020`, `load_demo_practices`), starts a local
server speaking DeepL's API (tests/translation/fakes.py, answering at once), and runs the job
body (`translation.jobs.run_machine_translation`) for every English demo practice:
first into an empty translation, then again with nothing changed, then after one sentence of
each source changed. Prints a Markdown table: pages, segments sent, provider requests and the
median and slowest seconds per page. Never asserts timings.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT_ROOT))


def _configure(workdir: Path, provider_url: str) -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "cac.settings.dev"
    os.environ["DATABASE_URL"] = f"sqlite:///{workdir / 'bench.sqlite3'}"
    os.environ["SEARCH_INDEX_DIR"] = str(workdir / "search-index")
    os.environ["MEDIA_ROOT"] = str(workdir / "media")
    os.environ["MT_PROVIDER"] = "deepl"
    os.environ["MT_API_KEY"] = "bench-key"
    os.environ["MT_URL"] = provider_url
    for name in ("CELERY_BROKER_URL", "ELASTICSEARCH_URL"):
        os.environ.pop(name, None)


def _round(name: str, practices, language: str, provider) -> dict:
    from wagtail.models import Locale

    from translation.jobs import run_machine_translation
    from translation.models import MachineTranslationJob

    locale = Locale.objects.get(language_code=language)
    requests_before = len(provider.requests)
    timings, sent = [], 0
    for page in practices:
        job = MachineTranslationJob.objects.create(
            page=page, target_locale=locale, provider="deepl"
        )
        started = time.perf_counter()
        run_machine_translation(job.pk)
        timings.append(time.perf_counter() - started)
        job.refresh_from_db()
        if job.status != MachineTranslationJob.Status.DONE:
            raise SystemExit(f"{page.slug}: {job.status} {job.error}")
        sent += job.segments_translated
    return {
        "round": name,
        "pages": len(practices),
        "segments": sent,
        "requests": len(provider.requests) - requests_before,
        "median": statistics.median(timings),
        "max": max(timings),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", default="ja")
    args = parser.parse_args()

    from tests.translation.fakes import FakeDeepL

    with (
        tempfile.TemporaryDirectory(prefix="cac-bench-mt-") as tmp,
        FakeDeepL(api_key="bench-key") as provider,
    ):
        _configure(Path(tmp), provider.url)
        import django

        django.setup()
        from django.core.management import call_command
        from wagtail.models import Locale

        from knowledge.models import PracticePage

        print("building the demo site ...", file=sys.stderr)
        for command in ("migrate", "load_summit_2020", "load_demo_practices"):
            call_command(command, verbosity=0)
        practices = list(
            PracticePage.objects.live().filter(locale=Locale.objects.get(language_code="en"))
        )
        rounds = [_round("new translation", practices, args.language, provider)]
        rounds.append(_round("nothing changed", practices, args.language, provider))
        for page in practices:
            page.summary = f"{page.summary} Updated in the benchmark."
            page.save_revision().publish()
        rounds.append(_round("one segment changed", practices, args.language, provider))

    print(f"\nMachine translation into {args.language}, provider on loopback (no latency)\n")
    print("| round | pages | segments sent | provider requests | median s/page | slowest s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    for r in rounds:
        print(
            f"| {r['round']} | {r['pages']} | {r['segments']} | {r['requests']} "
            f"| {r['median']:.3f} | {r['max']:.3f} |"
        )


if __name__ == "__main__":
    main()
