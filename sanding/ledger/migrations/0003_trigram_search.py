"""PostgreSQL only: trigram GIN index for the ledger's text search (a no-op on SQLite).

`Rectification.search_text` holds the lower-cased code, description, measures and person; the
search is `search_text LIKE '%term%'`, which pg_trgm answers from this index for terms of 3+ characters.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS rect_search_trgm ON ledger_rectification USING gin (search_text gin_trgm_ops)",
]
DROP = ["DROP INDEX IF EXISTS rect_search_trgm"]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in CREATE:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for sql in DROP:
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_default_categories")]

    operations = [migrations.RunPython(forwards, backwards)]
