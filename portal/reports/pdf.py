"""Renders the portal's official documents as tagged PDF/A-3 (docs/architecture.md, data flow 4; docs/security.md 20):
the monthly report and the monthly settlement.

The input is the frozen document, a plain dict of schema version 1 (`schema/teilnahmebericht-v1.json`, the settlement's
`abrechnung-v1`), never ORM objects, and the current status, which is printed on every page: the document keeps the
status it was frozen with, and is embedded in the PDF as JSON unchanged. WeasyPrint runs in long-lived worker processes
(`pdf_worker.py`, run as a script with `python -I`, its address space limited), because a large or hostile document can
make a layout run long or allocate without end. `PdfPool` hands each job to an idle worker; a worker that runs over
time, dies or answers garbage is killed and replaced on the next job, and every worker is retired after
`jobs_per_worker` jobs. Whatever goes wrong reaches the caller as `PdfRenderError`, whose message can be shown to the
user; the reason (never document data) is logged.

The default pool is created on first use from the app config (`PDF_WORKERS`, `PDF_TIMEOUT` in seconds, `PDF_MEMORY_MB`)
or, outside an app context, from the defaults, and closed at interpreter exit.
"""

from __future__ import annotations

import atexit
import contextlib
import json
import logging
import os
import queue
import select
import subprocess
import sys
import threading
import time
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import current_app, has_app_context

from portal.reports.pdf_worker import FRAME_HEADER, MAX_FRAME, OK

RENDER_FAILED = "Der Bericht konnte nicht als PDF erzeugt werden. Bitte versuchen Sie es später erneut."
SCHEMA_VERSION = 1
DEFAULT_WORKERS = 1
DEFAULT_TIMEOUT_S = 60.0
DEFAULT_MEMORY_MB = 1024
JOBS_PER_WORKER = 100  # then the worker is replaced, so that what a long run leaks or fragments is given back
STARTUP_TIMEOUT_S = 30.0  # loading WeasyPrint and one warm-up page; not counted against a job's timeout
STOP_TIMEOUT_S = 5.0  # a worker asked to end (its input closed) is killed if it has not ended by then
MIB = 1024 * 1024
# Run as a script, not with -m: importing the `portal` package would load Flask and SQLAlchemy before the limit.
WORKER = Path(__file__).with_name("pdf_worker.py")
# All the worker gets from the environment: what fontconfig and the temporary files need, never the app's secrets.
WORKER_ENVIRONMENT = (
    "PATH",
    "HOME",
    "LANG",
    "LC_ALL",
    "TMPDIR",
    "XDG_CACHE_HOME",
    "FONTCONFIG_FILE",
    "FONTCONFIG_PATH",
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Status:
    """The status a PDF prints ("Genehmigt am 05.11.2026"): its label and when it was reached."""

    label: str
    since: datetime


class PdfRenderError(Exception):
    """The PDF could not be made. The message is for the user; `reason` says why, for the log."""

    def __init__(self, reason: str) -> None:
        super().__init__(RENDER_FAILED)
        self.reason = reason


class WorkerBrokenError(Exception):
    """The worker ran over time, ended or broke the protocol: it is killed and replaced."""


class Worker:
    """One worker process, used by one thread at a time. Blocks on its pipes at most until a deadline."""

    def __init__(self, memory_mb: int) -> None:
        command = [sys.executable, "-I", str(WORKER), str(memory_mb * MIB)]
        environment = {key: os.environ[key] for key in WORKER_ENVIRONMENT if key in os.environ}
        self.process = subprocess.Popen(  # noqa: S603 - our own script, run by this interpreter
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, env=environment
        )
        self.jobs = 0
        for pipe in (self.process.stdin, self.process.stdout):
            os.set_blocking(pipe.fileno(), False)  # type: ignore[union-attr]
        try:
            self.receive(time.monotonic() + STARTUP_TIMEOUT_S)  # the empty frame that says "ready"
        except WorkerBrokenError:
            self.kill()
            raise

    def call(self, request: bytes, timeout_s: float) -> bytes:
        """The worker's answer: a status byte, then the PDF or the reason it failed."""
        deadline = time.monotonic() + timeout_s
        self.jobs += 1
        self.send(FRAME_HEADER.pack(len(request)) + request, deadline)
        return self.receive(deadline)

    def send(self, data: bytes, deadline: float) -> None:
        fd = self.process.stdin.fileno()  # type: ignore[union-attr]
        view = memoryview(data)
        while view:
            wait_for(fd, select.POLLOUT, deadline)
            try:
                view = view[os.write(fd, view) :]
            except BrokenPipeError as error:
                raise WorkerBrokenError("the worker ended while reading the request") from error

    def receive(self, deadline: float) -> bytes:
        fd = self.process.stdout.fileno()  # type: ignore[union-attr]
        (length,) = FRAME_HEADER.unpack(read_exactly(fd, FRAME_HEADER.size, deadline))
        if length > MAX_FRAME:
            raise WorkerBrokenError(f"the worker announced a frame of {length} bytes")
        return read_exactly(fd, length, deadline)

    def usable(self, jobs_per_worker: int) -> bool:
        return self.jobs < jobs_per_worker and self.process.poll() is None

    def stop(self) -> None:
        """Ends the worker by closing its input; kills it if it does not end within a few seconds."""
        self.process.stdin.close()  # type: ignore[union-attr]
        try:
            self.process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process.stdout.close()  # type: ignore[union-attr]

    def kill(self) -> None:
        self.process.kill()
        self.process.wait()
        self.process.stdin.close()  # type: ignore[union-attr]
        self.process.stdout.close()  # type: ignore[union-attr]


def wait_for(fd: int, event: int, deadline: float) -> None:
    """Waits until the pipe is ready for reading or writing (or closed), or raises at the deadline."""
    poller = select.poll()
    poller.register(fd, event)
    remaining_ms = (deadline - time.monotonic()) * 1000
    if remaining_ms <= 0 or not poller.poll(remaining_ms):
        raise WorkerBrokenError("the worker ran over time")


def read_exactly(fd: int, size: int, deadline: float) -> bytes:
    data = bytearray()
    while len(data) < size:
        wait_for(fd, select.POLLIN, deadline)
        chunk = os.read(fd, size - len(data))
        if not chunk:
            raise WorkerBrokenError("the worker ended")
        data += chunk
    return bytes(data)


class PdfPool:
    """Up to `size` worker processes, started when first needed; thread-safe."""

    def __init__(
        self,
        size: int = DEFAULT_WORKERS,
        timeout_s: float = DEFAULT_TIMEOUT_S,
        memory_mb: int = DEFAULT_MEMORY_MB,
        *,
        jobs_per_worker: int = JOBS_PER_WORKER,
    ) -> None:
        self.size, self.timeout_s, self.memory_mb, self.jobs_per_worker = size, timeout_s, memory_mb, jobs_per_worker
        # One entry per worker slot: an idle worker, or None where one is still to be started.
        self.idle: queue.Queue[Worker | None] = queue.Queue()
        for _ in range(size):
            self.idle.put(None)
        self.lock = threading.Lock()
        self.closed = False

    def render(self, request: dict[str, Any]) -> bytes:
        """The PDF for one request to the worker (see `pdf_worker`: the kind, the document and the status)."""
        answer = self.call(json.dumps(request, ensure_ascii=False).encode())
        if answer[:1] != OK:
            raise failed(answer[1:].decode(errors="replace"))
        return answer[1:]

    def call(self, request: bytes) -> bytes:
        slot = self.take_slot()
        worker = None
        try:
            worker = self.ready(slot)
            return worker.call(request, self.timeout_s)
        except (WorkerBrokenError, OSError) as error:
            if worker is not None:
                worker.kill()
                worker = None
            raise failed(str(error)) from error
        finally:
            self.give_back(worker)

    def take_slot(self) -> Worker | None:
        """An idle worker or an empty slot; waits at most one job's timeout for one to become free."""
        try:
            return self.idle.get(timeout=self.timeout_s)
        except queue.Empty:
            raise failed("all workers stayed busy") from None

    def ready(self, slot: Worker | None) -> Worker:
        """The slot's worker if it may take another job, otherwise a new one (the old one stopped)."""
        if self.closed:
            raise WorkerBrokenError("the pool is closed")
        if slot is not None and slot.usable(self.jobs_per_worker):
            return slot
        if slot is not None:
            slot.stop()
        return Worker(self.memory_mb)

    def give_back(self, worker: Worker | None) -> None:
        with self.lock:
            if self.closed and worker is not None:
                worker.stop()
                worker = None
            self.idle.put(worker)

    def worker_pids(self) -> list[int]:
        """The process ids of the idle workers (for tests and benchmarks)."""
        return [worker.process.pid for worker in list(self.idle.queue) if worker is not None]

    def close(self) -> None:
        """Stops the idle workers now and the busy ones when their job is done; later jobs fail."""
        with self.lock:
            self.closed = True
            drained: list[Worker | None] = []
            with contextlib.suppress(queue.Empty):
                while True:
                    drained.append(self.idle.get_nowait())
            for worker in drained:
                if worker is not None:
                    worker.stop()
                self.idle.put(None)


def failed(reason: str) -> PdfRenderError:
    log.warning("PDF rendering failed: %s", reason)
    return PdfRenderError(reason)


_default_pool: PdfPool | None = None
_default_lock = threading.Lock()


def pool_settings() -> tuple[int, float, int]:
    """Workers, timeout in seconds and memory per worker in MB: from the app config if there is an app context."""
    config = current_app.config if has_app_context() else {}
    return (
        int(config.get("PDF_WORKERS", DEFAULT_WORKERS)),
        float(config.get("PDF_TIMEOUT", DEFAULT_TIMEOUT_S)),
        int(config.get("PDF_MEMORY_MB", DEFAULT_MEMORY_MB)),
    )


def default_pool() -> PdfPool:
    global _default_pool
    with _default_lock:
        if _default_pool is None:
            _default_pool = PdfPool(*pool_settings())
            atexit.register(close_default_pool)
        return _default_pool


def close_default_pool() -> None:
    global _default_pool
    with _default_lock:
        if _default_pool is not None:
            _default_pool.close()
            _default_pool = None


def render_report(document: dict[str, Any], status: Status, pool: PdfPool | None = None) -> bytes:
    """The official PDF/A-3 of a report document, with the document embedded as `teilnahmebericht.json`."""
    return render_document("report", document, status, pool)


def render_settlement(document: dict[str, Any], status: Status, pool: PdfPool | None = None) -> bytes:
    """The PDF/A-3 of a settlement document, with the document embedded as `abrechnung.json`."""
    return render_document("settlement", document, status, pool)


def render_document(kind: str, document: dict[str, Any], status: Status, pool: PdfPool | None) -> bytes:
    if document.get("schema_version") != SCHEMA_VERSION:
        raise ValueError(f"{kind} document of schema version {SCHEMA_VERSION} expected")
    request = {"kind": kind, "document": document, "status": {"label": status.label, "since": status.since.isoformat()}}
    return (pool or default_pool()).render(request)


def render_minimal(pool: PdfPool | None = None) -> bytes:
    """A one-page PDF/A-3 made by the same workers: the floor for benchmarks and a health check."""
    return (pool or default_pool()).render({"kind": "minimal"})
