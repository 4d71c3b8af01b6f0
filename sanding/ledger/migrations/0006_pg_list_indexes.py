"""PostgreSQL only (a no-op on SQLite): indexes for the ledger list's descending deadline sort and the
issue list's text search.

- The ledger list sorts undated items last in both directions. `rect_deadline_idx` (deadline, id,
  region) serves `deadline ASC NULLS LAST` (PostgreSQL's default order); read backwards it would give
  `DESC NULLS FIRST`, so `deadline DESC NULLS LAST, id DESC` gets its own index. (SQLite cannot
  declare NULLS LAST in an index; it sorts the small tables it holds.)
- The issue list searches `code` and `description` with icontains (`UPPER(col) LIKE UPPER('%term%')`);
  pg_trgm (enabled by 0003) answers that from GIN indexes on the same expressions.
"""

from django.db import migrations

CREATE = [
    "CREATE INDEX IF NOT EXISTS rect_deadline_desc_idx ON ledger_rectification (deadline DESC NULLS LAST, id DESC)",
    "CREATE INDEX IF NOT EXISTS issue_code_trgm ON ledger_issue USING gin (UPPER(code::text) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS issue_description_trgm ON ledger_issue USING gin (UPPER(description) gin_trgm_ops)",
]
DROP = [
    "DROP INDEX IF EXISTS rect_deadline_desc_idx",
    "DROP INDEX IF EXISTS issue_code_trgm",
    "DROP INDEX IF EXISTS issue_description_trgm",
]


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
    dependencies = [("ledger", "0005_kind_constraints_evidence")]

    operations = [migrations.RunPython(forwards, backwards)]
