"""refman.store.schema: the peewee models name the tables the migrations create."""

from refman.store.schema import MODELS


def test_models_name_exactly_the_columns_the_migrations_create(db):
    for model in MODELS:
        table = model._meta.table_name
        columns = [row[1] for row in db.execute_sql(f"PRAGMA table_info({table})")]
        assert columns, f"no table {table}"
        assert sorted(columns) == sorted(f.column_name for f in model._meta.sorted_fields), table
