# Written by hand: indexes on Wagtail's own tables, which it does not index by file name.

from django.db import migrations


class Migration(migrations.Migration):
    """The image view (knowledge/image_files.py) finds an image or a rendition by the file
    name in its URL: one indexed lookup per request instead of a scan of every rendition."""

    dependencies = [
        ('knowledge', '0005_models_move_to_their_apps'),
        ('wagtailimages', '0027_image_description'),
    ]

    operations = [
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS "cac_image_file" ON "wagtailimages_image" ("file")',
            'DROP INDEX IF EXISTS "cac_image_file"',
        ),
        migrations.RunSQL(
            'CREATE INDEX IF NOT EXISTS "cac_rendition_file" ON "wagtailimages_rendition" ("file")',
            'DROP INDEX IF EXISTS "cac_rendition_file"',
        ),
    ]
