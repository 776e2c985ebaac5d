"""The glossary the issue starts with: Korean public-health terms as Seoul renders them."""

from django.db import migrations

# 방역 is listed as "quarantine / disease control": a glossary must give one rendering, and
# "disease control" is the broader sense (the note keeps the other for editors).
SEED_NOTES = {"방역": "Also “quarantine”, where isolation is meant."}
SEED_TERMS = [
    ("방역", "disease control"),
    ("선별진료소", "screening clinic"),
    ("자가격리", "self-quarantine"),
    ("역학조사", "epidemiological investigation"),
    ("생활 속 거리두기", "everyday-life distancing"),
    ("재난지원금", "emergency relief fund"),
]


def seed(apps, schema_editor):
    GlossaryTerm = apps.get_model("knowledge", "GlossaryTerm")
    for source, target in SEED_TERMS:
        GlossaryTerm.objects.get_or_create(
            source_language="ko",
            source_term=source,
            target_language="en",
            defaults={"target_term": target, "notes": SEED_NOTES.get(source, "")},
        )


def unseed(apps, schema_editor):
    GlossaryTerm = apps.get_model("knowledge", "GlossaryTerm")
    GlossaryTerm.objects.filter(
        source_language="ko", target_language="en", source_term__in=[s for s, _t in SEED_TERMS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("knowledge", "0003_machine_translation")]

    operations = [migrations.RunPython(seed, unseed)]
