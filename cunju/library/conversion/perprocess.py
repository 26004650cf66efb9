"""One service per process for the converters that supervise a child (LibreOffice's
listener, the page work child): made on first use, made afresh in a forked process, stopped
when the process exits.

A forked worker must not share its parent's child: the pipes, the reader thread and the
lock behind them belong to the parent. So the holder remembers which process made the
service, and a fork drops it (and the holder's lock, which another thread may have held at
the moment of the fork) in the child. At exit only the process that made the service
stops it: a forked child exiting leaves its parent's LibreOffice alone.
"""

from __future__ import annotations

import atexit
import os
import threading
from collections.abc import Callable
from typing import Generic, Protocol, TypeVar


class Stoppable(Protocol):
    def stop(self) -> None: ...


S = TypeVar("S", bound=Stoppable)


class PerProcess(Generic[S]):
    """``holder()`` is this process's service, made by ``make()`` when first asked for."""

    def __init__(self, make: Callable[[], S]) -> None:
        self.make = make
        self.lock = threading.Lock()
        self.service: S | None = None
        self.owner = 0
        os.register_at_fork(after_in_child=self._forget)
        atexit.register(self.stop)

    def __call__(self) -> S:
        with self.lock:
            if self.service is None or self.owner != os.getpid():
                self.service, self.owner = self.make(), os.getpid()
            return self.service

    def current(self) -> S | None:
        """This process's service if it was made (without making one)."""
        return self.service if self.owner == os.getpid() else None

    def stop(self) -> None:
        """Stop this process's service, if it made one (it starts again when next used)."""
        service = self.current()
        if service is not None:
            service.stop()

    def _forget(self) -> None:  # in a forked child, before anything else runs there
        self.lock = threading.Lock()
        self.service = None
