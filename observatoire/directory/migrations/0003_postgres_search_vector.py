"""French full-text search on PostgreSQL: keep `search_vector` = to_tsvector('french',
search_text) with a trigger, and index it with GIN. SQLite searches `search_text` by substring
and skips this migration.

Why a stored column rather than an index on the expression: when a word is frequent the
planner prefers a sequential scan, and recomputing to_tsvector on every row then costs
hundreds of milliseconds; matching a stored tsvector costs microseconds. Why a trigger: bulk
loads (imports, the benchmark generator) bypass `save()` and must stay searchable.
See https://www.postgresql.org/docs/current/textsearch-tables.html
"""

from django.db import migrations

TABLES = ["directory_organisation", "directory_tool", "directory_initiative"]

FUNCTION = """
CREATE OR REPLACE FUNCTION directory_search_vector_update() RETURNS trigger AS $$
BEGIN
    NEW.search_vector := to_tsvector('french'::regconfig, COALESCE(NEW.search_text, ''));
    RETURN NEW;
END
$$ LANGUAGE plpgsql
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(FUNCTION)
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_search_vector BEFORE INSERT OR UPDATE OF search_text "
            f"ON {table} FOR EACH ROW EXECUTE FUNCTION directory_search_vector_update()"
        )
        schema_editor.execute(
            f"UPDATE {table} SET search_vector = to_tsvector('french'::regconfig, search_text)"
        )
        schema_editor.execute(
            f"CREATE INDEX {table}_search_vector ON {table} USING GIN (search_vector)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_vector")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_search_vector ON {table}")
    schema_editor.execute("DROP FUNCTION IF EXISTS directory_search_vector_update()")


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_seed_taxonomy")]

    operations = [migrations.RunPython(forwards, backwards)]
