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

The simple-history rows hold what `bulk_create_with_history` would write (a copy of each row plus
history_user, history_date, history_type '+' and history_change_reason), but the database copies them
from the rows just written (`Table.insert_select`): nothing is formatted in Python for them.

On PostgreSQL a `Writer` overlaps the database's work with Python's: the COPY statements go to a
background thread on the import's own connection (so they are part of its transaction), and the server
writes one batch while Python parses and prepares the next. New keys come from a second connection:
a sequence is not transactional, so a key taken there is as good as one taken in the transaction.

Call inside the import's transaction: nothing here commits.
"""

import datetime
import io
import queue
import re
import threading
from operator import itemgetter

from django.db import DEFAULT_DB_ALIAS, OperationalError, connections, router, transaction
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
_SPECIAL = re.compile(r"[\\\t\n\r]")  # what COPY's text format escapes
_NONE = type(None)


class _Column:
    __slots__ = ("attname", "callable_default", "column", "convert", "copy_text", "default", "field", "identity")

    def __init__(self, field, connection):
        self.field = field
        self.attname = field.attname
        self.column = field.column
        kind = field.get_internal_type()
        if kind == "ForeignKey":
            kind = field.target_field.get_internal_type()
        self.callable_default = field.has_default() and callable(field.default)
        self.default = None if self.callable_default else field.get_default()
        self.identity = identity = _IDENTITY.get(kind)
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

    def copy_texts(self, values):
        """COPY text of one column of a batch; text and integer columns without a Python call per value."""
        kinds = set(map(type, values)) - {_NONE}
        if self.identity == (str,) and kinds <= {str} and not _SPECIAL.search("".join(filter(None, values))):
            return ["\\N" if v is None else v for v in values]
        if self.identity == (int,) and kinds <= {int}:
            return ["\\N" if v is None else str(v) for v in values]
        return list(map(self.copy_text, values))


class Writer:
    """Where the batches of one import go; see the module docstring.

    While statements are queued, the connection belongs to the writer's thread: a query through Django in
    the meantime is refused with an error (it would interleave with a COPY on the wire) until `wait()`
    has returned. `close()` stops the thread in every case (call it in a `finally`).
    """

    QUEUE = 4  # batches waiting for the server at most (bounds the memory held)
    CHUNK = 1 << 20  # characters handed to COPY at a time
    KEYS = 10_000  # keys taken from a sequence at a time at most (unused ones are gaps)

    def __init__(self, using=DEFAULT_DB_ALIAS, *, background=True, expected_rows=0):
        self.using = using
        self.connection = connections[using]
        self.background = background and self.connection.vendor == "postgresql"
        self.expected_rows = expected_rows
        self._thread = self._keys = self._error = None
        self._failed = self._stop = self._running = False
        self._spare = {}  # table -> keys taken but not yet handed out
        if self.background:
            with self.connection.cursor() as cursor:
                # Foreign keys are checked by each statement, in the background with it, instead of all
                # at commit (for 100,000 ledger rows about 5 s of checks that would otherwise wait).
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            self._queue = queue.Queue(maxsize=self.QUEUE)
            self._thread = threading.Thread(target=self._run, name="bulk-copy", daemon=True)
            self._thread.start()

    def keys(self, table, column, n):
        """n new values of the table's key sequence."""
        spare = self._spare.setdefault(table, [])
        if len(spare) < n:
            if self.background and self._keys is None:
                self._keys = connections.create_connection(self.using)  # autocommit, this thread only
            ahead = min(self.KEYS, self.expected_rows) if self.background else 0
            with (self._keys or self.connection).cursor() as cursor:
                cursor.execute(
                    "SELECT string_agg(nextval(pg_get_serial_sequence(%s, %s))::text, ',') FROM generate_series(1, %s)",
                    [self.connection.ops.quote_name(table), column, max(n - len(spare), ahead)],
                )
                spare += [int(value) for value in cursor.fetchone()[0].split(",")]
        taken, self._spare[table] = spare[:n], spare[n:]
        return taken

    def copy(self, sql, buffer):
        """Run `COPY ... FROM STDIN` with the text in `buffer`: queued on PostgreSQL, else at once."""
        self._raise()
        if not self.background:
            with self.connection.cursor() as cursor:
                cursor.copy_expert(sql, buffer, size=self.CHUNK)
            return
        self._put((sql, buffer))

    def execute(self, sql, params):
        """Run one statement: queued on PostgreSQL (after what is queued before it), else at once."""
        self._raise()
        if not self.background:
            with self.connection.cursor() as cursor:
                cursor.execute(sql, params)
            return
        self._put((sql, params))

    def wait(self):
        """Wait until everything queued is written; raises the first error of the thread."""
        if self._thread is not None:
            self._queue.join()
            self._busy(False)
        self._raise()

    def close(self, *, failed=False):
        """Stop the thread and the second connection.

        failed=True (the import is being abandoned): what is still queued is dropped and a statement
        running is cancelled, so the rollback that follows never meets a COPY on the connection.
        Otherwise everything queued is written first and an error of the thread is raised.
        """
        try:
            if self._thread is not None:
                if failed:
                    self._stop = True
                    self._cancel()
                self._queue.put(None)
                self._join()
                self._busy(False)
            if not failed:
                self._raise()
        finally:
            if self._keys is not None:
                self._keys.close()
                self._keys = None

    def _join(self):
        while self._thread is not None:
            try:
                self._thread.join()
                self._thread = None
            except BaseException:  # e.g. a second Ctrl-C: never leave the thread on the connection
                self._stop = True
                self._cancel()
                self._thread.join()
                self._thread = None
                raise

    def _cancel(self):
        raw = self.connection.connection
        if self._running and raw is not None and not raw.closed:
            raw.cancel()  # psycopg2: safe from another thread; the statement running ends with an error

    def _put(self, item):
        self._busy(True)
        self._queue.put(item)

    def _busy(self, busy):
        wrappers = self.connection.execute_wrappers
        if busy and self._refuse not in wrappers:
            wrappers.append(self._refuse)
        elif not busy and self._refuse in wrappers:
            wrappers.remove(self._refuse)

    @staticmethod
    def _refuse(execute, sql, params, many, context):
        raise RuntimeError("bulk.Writer: the connection is writing in the background; call wait() first")

    def _raise(self):
        if self._error is not None:
            error, self._error = self._error, None
            raise error

    def _run(self):
        raw = self.connection.connection  # the transaction's DB-API connection, never Django's wrapper
        while True:
            item = self._queue.get()
            try:
                if item is None:
                    return
                if not (self._failed or self._stop):  # after a failure the transaction is lost: skip the rest
                    sql, argument = item
                    self._running = True
                    with self.connection.wrap_database_errors, raw.cursor() as cursor:
                        if isinstance(argument, io.StringIO):
                            cursor.copy_expert(sql, argument, size=self.CHUNK)
                        else:
                            cursor.execute(sql, argument)
            except Exception as error:  # handed to the importing thread
                self._failed = True
                if not self._stop:
                    self._error = error
            finally:
                self._running = False
                self._queue.task_done()


class From:
    """In `Table.insert_select`: the value of a column (by attname) of the source row."""

    def __init__(self, attname):
        self.attname = attname


class Table:
    """Batched raw inserts into one model's table."""

    IDS_PER_STATEMENT = 900  # SQLite: keeps `IN (...)` under the smallest limit of bound parameters (999)

    def __init__(self, model, *, using=None, writer=None):
        self.model = model
        self.using = using or router.db_for_write(model)
        self.connection = connections[self.using]
        self.writer = writer or Writer(self.using, background=False)
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

    def insert_select(self, source, ids, values, *, now=None):
        """One row here for each row of `source` (a Table) with a key in `ids`, computed by the database.

        `values` maps this table's attnames to a `From(source attname)` or a constant; what it leaves out
        gets the field's default, and the key is assigned by the database. Nothing is formatted in Python
        per row: this is how history rows and creation events follow the rows they describe.
        """
        if not ids:
            return
        values = self.complete([dict(values)], now=now)[0]
        quote = self.connection.ops.quote_name
        source_columns = {c.attname: c.column for c in source.columns}
        targets, selects, params = [], [], []
        for c in self.columns:
            if c.field is self.pk:
                continue
            value = values[c.attname]
            targets.append(quote(c.column))
            if isinstance(value, From):
                selects.append(f"s.{quote(source_columns[value.attname])}")
            else:
                selects.append("%s")
                params.append(c.convert(value))
        head = (
            f"INSERT INTO {quote(self.table)} ({', '.join(targets)}) SELECT {', '.join(selects)} "
            f"FROM {quote(source.table)} s WHERE s.{quote(source.pk.column)}"
        )
        if self.connection.vendor == "postgresql":
            self.writer.execute(f"{head} = ANY(%s)", [*params, list(ids)])
            return
        for start in range(0, len(ids), self.IDS_PER_STATEMENT):
            chunk = list(ids[start : start + self.IDS_PER_STATEMENT])
            self.writer.execute(f"{head} IN ({', '.join(['%s'] * len(chunk))})", params + chunk)

    def _values(self, rows, columns):
        converters = [(c.attname, c.convert) for c in columns]
        return [[convert(row[name]) for name, convert in converters] for row in rows]

    # PostgreSQL: keys from the table's own sequence, then one COPY.
    def _pg_ids(self, n):
        return self.writer.keys(self.table, self.pk.column, n)

    def _pg_copy(self, rows, columns):
        quote = self.connection.ops.quote_name
        texts = [c.copy_texts(list(map(itemgetter(c.attname), rows))) for c in columns]  # column by column
        buffer = io.StringIO()
        buffer.write("\n".join(map("\t".join, zip(*texts, strict=True))))
        buffer.write("\n")
        buffer.seek(0)
        names = ", ".join(quote(c.column) for c in columns)
        self.writer.copy(f"COPY {quote(self.table)} ({names}) FROM STDIN", buffer)

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

    def __init__(self, model, *, using=None, writer=None):
        self.rows = Table(model, using=using, writer=writer)
        self.history = Table(model.history.model, using=using, writer=writer) if hasattr(model, "history") else None

    def insert(self, rows, *, actor, reason, now=None, history_type="+"):
        """Insert `rows` and one history row each (which needs their keys); returns the keys."""
        now = now or timezone.now()
        ids = self.rows.insert(rows, now=now)
        if self.history is not None and rows:
            tracked = [c.attname for c in self.history.columns if not c.attname.startswith("history_")]
            self.history.insert_select(
                self.rows,
                ids,
                {name: From(name) for name in tracked}
                | {
                    "history_date": now,
                    "history_user_id": actor.pk if actor is not None else None,
                    "history_type": history_type,
                    "history_change_reason": reason,
                },
                now=now,
            )
        return ids


def suspend_indexes(models, *, method="gin", using=DEFAULT_DB_ALIAS, lock_wait="5s"):
    """PostgreSQL: drop the tables' indexes of one access method until `restore_indexes`; returns them.

    Never the primary key, a unique index or one behind a constraint: those stay and keep checking.
    Building a GIN index over the whole table once is faster than updating it row by row when a load
    adds more rows than the table holds (the ledger's trigram index of 100,000 items: about 2.7 s to
    build against about 6 s of row-by-row updates; b-trees gain too little to be worth the wider lock).
    Both statements are part of the caller's transaction, so a rollback brings the indexes back
    untouched; but the DROP locks the table until commit (readers wait), so this is for large loads only.
    If the lock is not granted within `lock_wait` (another transaction is using the table), nothing is
    dropped and the load updates the indexes row by row as usual.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return []
    tables = [model._meta.db_table for model in models]
    with connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('lock_timeout')")
        (previous,) = cursor.fetchone()
    try:
        with transaction.atomic(using=using), connection.cursor() as cursor:  # a savepoint
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [lock_wait])
            cursor.execute(
                """
                SELECT c.relname, pg_get_indexdef(i.indexrelid)
                FROM pg_index i
                JOIN pg_class c ON c.oid = i.indexrelid
                JOIN pg_class t ON t.oid = i.indrelid
                JOIN pg_am am ON am.oid = c.relam
                WHERE t.relname = ANY(%s) AND t.relnamespace = current_schema()::regnamespace AND am.amname = %s
                  AND NOT i.indisunique AND NOT i.indisprimary
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
                ORDER BY c.relname
                """,
                [tables, method],
            )
            indexes = cursor.fetchall()
            for name, _ in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    except OperationalError:  # lock_timeout: leave the indexes alone
        return []
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT set_config('lock_timeout', %s, true)", [previous])
    return [definition for _, definition in indexes]


def restore_indexes(definitions, *, using=DEFAULT_DB_ALIAS):
    """Build again what `suspend_indexes` dropped (same names and definitions)."""
    if not definitions:
        return
    connection = connections[using]
    with connection.cursor() as cursor:
        # CREATE INDEX refuses a table with pending (deferred) foreign-key checks: run them now.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)
