"""CPU time per process group during a load run (Linux, psutil): the app server, PostgreSQL and the load generator.

A page that reads the database costs CPU in three places on the measuring machine; the load run reports each one
per request, so that a share below its target shows where the time goes.
"""

from __future__ import annotations

from dataclasses import dataclass

import psutil


@dataclass(frozen=True)
class CpuSplit:
    app: float  # seconds, every process of the app server (gunicorn and its workers)
    database: float  # every PostgreSQL process on this machine
    load: float  # the load generator (this process)

    def per_request(self, later: CpuSplit, requests: int) -> dict[str, float]:
        """Milliseconds of CPU per request from this snapshot to a later one."""
        count = max(requests, 1)
        return {
            "app": (later.app - self.app) / count * 1000,
            "database": (later.database - self.database) / count * 1000,
            "load": (later.load - self.load) / count * 1000,
        }


def snapshot(server_pid: int) -> CpuSplit:
    app = _cpu(tree(psutil.Process(server_pid)))
    database = _cpu([process for process in psutil.process_iter(["name"]) if process.info["name"] == "postgres"])
    return CpuSplit(app, database, _cpu([psutil.Process()]))


def tree(root: psutil.Process) -> list[psutil.Process]:
    """The process and all its descendants (those that end meanwhile are left out)."""
    try:
        return [root, *root.children(recursive=True)]
    except psutil.Error:
        return []


def _cpu(processes: list[psutil.Process]) -> float:
    total = 0.0
    for process in processes:
        try:
            times = process.cpu_times()
        except psutil.Error:  # ended while it was looked at
            continue
        total += times.user + times.system
    return total
