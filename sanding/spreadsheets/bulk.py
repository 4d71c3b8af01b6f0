"""Raw batched inserts for large imports, history rows included.

`bulk_create` spends most of a large import building model instances and compiling one SQL parameter at
a time (a profile of the 10k ledger import: 9.2 of 14 s in `bulk_create` / `bulk_history_create`, of which
3.1 s in the database). Here a row is a dict {attname: value}; the columns come from the model's
`_meta.concrete_fields` (so a field added to a model is written with its default without touching this
code), values are converted with each field's `get_db_prep_value` (once per distinct value for dates and
times, skipped only for a str / int / bool already in a text, integer, boolean or foreign-key column,
where the conversion is the identity), and the rows go to the database in one statement per batch:
COPY on PostgreSQL, `executemany` on SQLite. Primary keys are assigned and returned, so dependent rows
(history, events, child rows) can point at them.

The simple-history rows are written the same way, as `bulk_create_with_history` would: a copy of each
row plus history_user, history_date, history_type '+' and history_change_reason.

Call inside the import's transaction: nothing here commits.
"""

import datetime
import io

from django.db import connections, router
from django.db.models import DateField, DateTimeField
from django.utils import timezone

# Column types whose get_db_prep_value returns a value of the given Python type unchanged.
_IDENTITY = {
    "CharField": (str,),
    "TextField": (str,),
    "SlugField": (str,),
    "EmailField": (str,),
    "URLField": (str,),
    "BooleanField": (bool,),
    "IntegerField": (int,),
    "SmallIntegerField": (int,),
    "BigIntegerField": (int,),
    "PositiveIntegerField": (int,),
    "PositiveSmallIntegerField": (int,),
    "PositiveBigIntegerField": (int,),
    "AutoField": (int,),
    "BigAutoField": (int,),
    "SmallAutoField": (int,),
}
_MEMO = ("DateField", "DateTimeField", "TimeField")


class _Column:
    __slots__ = ("attname", "callable_default", "column", "convert", "copy_text", "default", "field")

    def __init__(self, field, connection):
        self.field = field
        self.attname = field.attname
        self.column = field.column
        kind = field.get_internal_type()
        if kind == "ForeignKey":
            kind = field.target_field.get_internal_type()
        self.callable_default = field.has_default() and callable(field.default)
        self.default = None if self.callable_default else field.get_default()
        identity = _IDENTITY.get(kind)
        prep = field.get_db_prep_value
        if identity:

            def convert(value, identity=identity, prep=prep, connection=connection):
                if value is None or type(value) in identity:
                    return value
                return prep(value, connection, prepared=False)

        elif kind in _MEMO:
            memo = {}

            def convert(value, memo=memo, prep=prep, connection=connection):
                try:
                    return memo[value]
                except KeyError:
                    memo[value] = result = prep(value, connection, prepared=False)
                    return result
                except TypeError:  # unhashable
                    return prep(value, connection, prepared=False)

        else:

            def convert(value, prep=prep, connection=connection):
                return prep(value, connection, prepared=False)

        self.convert = convert
        if kind in _MEMO:  # few distinct values: format each once
            texts = {}

            def copy_text(value, texts=texts, convert=convert):
                try:
                    return texts[value]
                except KeyError:
                    texts[value] = result = _copy_text(convert(value))
                    return result

        elif identity == (str,):

            def copy_text(value, convert=convert):
                if type(value) is str:
                    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
                        return _escape(value)
                    return value
                return _copy_text(convert(value))

        elif identity == (int,):

            def copy_text(value, convert=convert):
                if type(value) is int:
                    return str(value)
                return _copy_text(convert(value))

        else:

            def copy_text(value, convert=convert):
                return _copy_text(convert(value))

        self.copy_text = copy_text


class Table:
    """Batched raw inserts into one model's table."""

    def __init__(self, model, *, using=None):
        self.model = model
        self.using = using or router.db_for_write(model)
        self.connection = connections[self.using]
        meta = model._meta
        self.table = meta.db_table
        self.pk = meta.pk
        self.columns = [_Column(f, self.connection) for f in meta.concrete_fields]
        self.auto = {
            f.attname: f
            for f in meta.concrete_fields
            if isinstance(f, (DateField, DateTimeField)) and (f.auto_now or f.auto_now_add)
        }

    def complete(self, rows, *, now=None):
        """Fill what the caller left out the way `Model.save` would: defaults, auto_now(_add) stamps."""
        now = now or timezone.now()
        stamps = {
            name: (now if isinstance(f, DateTimeField) else timezone.localdate(now)) for name, f in self.auto.items()
        }
        missing = None
        for row in rows:
            for name, value in stamps.items():
                row.setdefault(name, value)
            if missing is None:
                missing = [c for c in self.columns if c.attname not in row and c.field is not self.pk]
            for c in missing:
                if c.attname not in row:
                    row[c.attname] = c.field.get_default() if c.callable_default else c.default
        return rows

    def insert(self, rows, *, now=None, keys=True):
        """Insert `rows` (dicts by attname, all with the same keys).

        With keys=True sets each row's primary key and returns the keys in order; with keys=False the
        database assigns them and nothing is read back (for rows nothing else points at).
        """
        if not rows:
            return []
        self.complete(rows, now=now)
        pk = self.pk.attname
        if self.connection.vendor == "postgresql":
            if not keys:
                self._pg_copy(rows, [c for c in self.columns if c.field is not self.pk])
                return []
            ids = self._pg_ids(len(rows))
            for row, value in zip(rows, ids, strict=True):
                row[pk] = value
            self._pg_copy(rows, self.columns)
        else:
            ids = self._executemany(rows, keys=keys)
            for row, value in zip(rows, ids, strict=False):
                row[pk] = value
        return ids

    def _values(self, rows, columns):
        converters = [(c.attname, c.convert) for c in columns]
        return [[convert(row[name]) for name, convert in converters] for row in rows]

    # PostgreSQL: keys from the table's own sequence, then one COPY.
    def _pg_ids(self, n):
        with self.connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [self.connection.ops.quote_name(self.table), self.pk.column, n],
            )
            return [value for (value,) in cursor.fetchall()]

    def _pg_copy(self, rows, columns):
        quote = self.connection.ops.quote_name
        buffer = io.StringIO()
        write = buffer.write
        formats = [(c.attname, c.copy_text) for c in columns]
        for row in rows:
            write("\t".join([fmt(row[name]) for name, fmt in formats]))
            write("\n")
        buffer.seek(0)
        names = ", ".join(quote(c.column) for c in columns)
        with self.connection.cursor() as cursor:
            cursor.copy_expert(f"COPY {quote(self.table)} ({names}) FROM STDIN", buffer)

    # SQLite: executemany without the key; the transaction holds the write lock from the first row on,
    # so the batch's keys are the consecutive ones ending at last_insert_rowid() (checked below).
    def _executemany(self, rows, *, keys):
        quote = self.connection.ops.quote_name
        columns = [c for c in self.columns if c.field is not self.pk]
        names = ", ".join(quote(c.column) for c in columns)
        marks = ", ".join(["%s"] * len(columns))
        table = quote(self.table)
        with self.connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {table} ({names}) VALUES ({marks})", self._values(rows, columns))
            if not keys:
                return []
            cursor.execute("SELECT last_insert_rowid()")
            last = cursor.fetchone()[0]
            first = last - len(rows) + 1
            column = quote(self.pk.column)
            cursor.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} BETWEEN %s AND %s", [first, last])
            if cursor.fetchone()[0] != len(rows):  # pragma: no cover - would mean another writer interleaved
                raise RuntimeError(f"{self.table}: inserted keys are not consecutive")
        return list(range(first, last + 1))


def _escape(value):
    return value.replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def _copy_text(value):
    """One value in PostgreSQL's COPY text format."""
    if value is None:
        return "\\N"
    if isinstance(value, str):
        return _escape(value)
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, (datetime.date, datetime.time)):  # datetime is a date
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} with COPY")


class HistoryTable:
    """A model's table and its simple-history table, written together."""

    def __init__(self, model, *, using=None):
        self.rows = Table(model, using=using)
        self.history = Table(model.history.model, using=using) if hasattr(model, "history") else None

    def insert(self, rows, *, actor, reason, now=None, history_type="+"):
        """Insert `rows` and one history row each (which needs their keys); returns the keys."""
        now = now or timezone.now()
        ids = self.rows.insert(rows, now=now)
        if self.history is not None and rows:
            user_id = actor.pk if actor is not None else None
            tracked = [c.attname for c in self.history.columns if not c.attname.startswith("history_")]
            self.history.insert(
                [
                    {name: row[name] for name in tracked if name in row}
                    | {
                        "history_date": now,
                        "history_user_id": user_id,
                        "history_type": history_type,
                        "history_change_reason": reason,
                    }
                    for row in rows
                ],
                now=now,
                keys=False,
            )
        return ids
