"""Bulk loading into PostgreSQL: a fresh database migrated by `portal db upgrade`, then rows by COPY.

COPY takes rows as plain values, so this module fills in what SQLAlchemy would: column defaults (scalar or
callable, such as `utcnow` or `list`), enum values and JSON text. Ids are given by the seeder; the sequences are
moved past them at the end.
"""

from __future__ import annotations

import enum
import json
import os
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import JSON, Column, Connection, Engine, Table, create_engine, func, make_url, select, text
from sqlalchemy.sql.schema import CallableColumnDefault, ScalarElementColumnDefault

from bench.measure import BIN, run
from bench.report import BenchError

DATABASE_URL = os.environ.get("BENCH_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/bench")
Row = dict[str, Any]


def fresh_database(url: str = DATABASE_URL) -> Engine:
    """Create the database if needed, empty it and build the schema with the app's migrations."""
    name = make_url(url).database or ""
    if not name.startswith("bench"):  # never the test suite's database, never production
        raise BenchError(f"Die Benchmark-Datenbank muss mit „bench“ beginnen, nicht „{name}“.")
    server = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with server.connect() as connection:
        if connection.scalar(text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": name}) is None:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    server.dispose()
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    run([str(BIN / "portal"), "db", "upgrade"], {"DATABASE_URL": url})
    return engine


def copy(connection: Connection, table: Table, rows: Iterable[Mapping[str, Any]]) -> int:
    """COPY the rows into the table; columns a row leaves out get their default. Returns the number of rows."""
    columns = list(table.columns)
    defaults = {column.name: _default(column) for column in columns}
    names = ", ".join(f'"{column.name}"' for column in columns)
    count = 0
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor, cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as writer:
        for row in rows:
            writer.write_row([_value(column, row.get(column.name, defaults[column.name])) for column in columns])
            count += 1
    return count


def _default(column: Column[Any]) -> Any:
    default = column.default
    if isinstance(default, CallableColumnDefault):
        return default.arg(None)  # type: ignore[arg-type] # SQLAlchemy wraps it to take a context; it ignores it
    if isinstance(default, ScalarElementColumnDefault):
        return default.arg
    return None


def _value(column: Column[Any], value: Any) -> Any:
    if isinstance(value, enum.Enum):
        return value.value
    if value is not None and isinstance(column.type, JSON):
        return json.dumps(value, ensure_ascii=False)
    return value


def move_sequences(connection: Connection, tables: Iterable[Table]) -> None:
    """Let the id sequences continue after the ids the seeder chose."""
    for table in tables:
        if "id" in table.columns:
            after = func.coalesce(func.max(table.c.id), 0) + 1
            connection.execute(select(func.setval(func.pg_get_serial_sequence(table.name, "id"), after, False)))
