"""Work on untrusted bytes in a child process under a CPU, memory and time budget.

A PDF of 130 KB can hold a content stream of 60 MB that 50 pages share; extracting its
text took minutes of CPU in the server process. Whatever parses or
renders a file from outside therefore runs here: :func:`run` hands the bytes to a fresh
child process, which sets its own limits before it reads them:

- ``RLIMIT_CPU``: past the budget the kernel stops the child (SIGXCPU, then SIGKILL a
  second later), wherever it is, C code included;
- ``RLIMIT_AS``: the address space the child has once it holds the bytes, plus the
  memory budget; past it an allocation fails (``MemoryError``);
- a wall-clock limit, kept by the parent, which kills a child that waits (on the network,
  say) for too long.

Children are forked from a ``forkserver`` process that has the PDF libraries imported
already (:func:`preload`), so a call costs a fork and the copy of the bytes through a pipe,
not an interpreter start (``bench/pdf_bomb.py`` measures it); a fresh process per call
means no state, limit or damage carries from one file to the next. At most
:data:`PARALLEL` children run at once; more callers wait their turn.

A budget that runs out raises :class:`OverBudget` (422 ``pdf.too_costly``); an exception
the function raises in the child is raised again in the caller. The answer is unpickled
with an allow-list (:class:`_Answer`): a child that a file took over cannot make this
process call anything but the constructors of result and error types.
"""

from __future__ import annotations

import contextlib
import gc
import io
import math
import multiprocessing
import os
import pickle
import resource
import threading
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass
from multiprocessing import context, forkserver, popen_forkserver, reduction, spawn, util
from multiprocessing.connection import Connection
from typing import Any, TypeVar

from ecabinet.core import errors
from ecabinet.core.settings import Settings

R = TypeVar("R")
PARALLEL = max(2, os.cpu_count() or 2)
"""Children at work at once (each may use its whole memory budget)."""

_context = multiprocessing.get_context("forkserver")
_PRELOAD = ["pypdf"]
_context.set_forkserver_preload(_PRELOAD)


class _Popen(popen_forkserver.Popen):
    """The fork server's launcher, less the main module: a child would import the
    parent's ``__main__`` again (a console script's main pulls in the whole app, about a
    second per child; the stdlib's ``__main__`` preload does not reach the fork server in
    Python 3.11). What runs here is a function of a real module, never of ``__main__``."""

    def _launch(self, process_obj: Any) -> None:
        prep_data = spawn.get_preparation_data(process_obj._name)
        prep_data.pop("init_main_from_path", None)
        prep_data.pop("init_main_from_name", None)
        buf = io.BytesIO()
        context.set_spawning_popen(self)
        try:
            reduction.dump(prep_data, buf)
            reduction.dump(process_obj, buf)
        finally:
            context.set_spawning_popen(None)
        self.sentinel, w = forkserver.connect_to_new_process(self._fds)  # type: ignore[attr-defined]
        parent_w = os.dup(w)
        close = util.close_fds  # type: ignore[attr-defined]
        self.finalizer = util.Finalize(self, close, (parent_w, self.sentinel))
        with open(w, "wb", closefd=True) as f:
            f.write(buf.getbuffer())
        self.pid = forkserver.read_signed(self.sentinel)


class _Process(context.ForkServerProcess):
    @staticmethod
    def _Popen(process_obj: Any) -> Any:
        return _Popen(process_obj)


class _WorkerContext(context.ForkServerContext):
    Process = _Process


def worker_context() -> context.BaseContext:
    """A multiprocessing context for pools of trusted workers (e.g. the ballot box's proof
    checks): children forked from the same fork server, without the main module's import,
    so a worker starts in a fraction of a second."""
    return _WorkerContext()


_slots = threading.BoundedSemaphore(PARALLEL)
_GC_THRESHOLDS = (50_000, 20, 20)
"""The child's collector runs less often than Python's 700, 10, 10 (as the server's does,
decision 0009): a PDF's parse makes many short-lived objects, and the child's memory is
capped by its budget anyway; a third less CPU per file read."""
_SLACK = 64 * 2**20
"""Address space a child may grow by between items (the allocator keeps what it freed)."""


def preload(modules: list[str]) -> None:
    """Modules the fork server imports when it starts (the composition root names the ones
    whose functions run here); a call after the first :func:`run` changes nothing."""
    _context.set_forkserver_preload([*_PRELOAD, *modules])


@dataclass(frozen=True)
class Budget:
    """What one piece of work on an untrusted file may cost."""

    cpu_seconds: int
    """CPU time of the child (whole seconds: the kernel's unit)."""
    memory_bytes: int
    """Address space beyond what the child has when it starts on the bytes."""
    wall_seconds: float
    """Time from start to answer, waiting included (network fetches during a validation)."""

    @classmethod
    def of(cls, settings: Settings) -> Budget:
        return cls(settings.pdf_cpu_seconds, settings.pdf_memory_bytes, settings.pdf_seconds)


class OverBudget(errors.InvalidInput):
    """The file costs more CPU time, memory or time than the budget allows."""


def over_budget(what: str, budget: Budget, item: int = 0) -> OverBudget:
    return OverBudget(
        "pdf.too_costly",
        "Tệp PDF quá phức tạp để xử lý (vượt giới hạn "
        f"{budget.cpu_seconds} giây CPU, {budget.memory_bytes // 2**20} MiB bộ nhớ): hãy lưu"
        " lại tệp bằng phần mềm PDF rồi gửi lại.",
        "The PDF is too costly to process (over the limit of "
        f"{budget.cpu_seconds} s of CPU, {budget.memory_bytes // 2**20} MiB of memory):"
        " re-save it with a PDF tool and send it again.",
        {"limit": what, "item": item},
    )


def run(budget: Budget, fn: Callable[..., R], data: bytes, *args: Any, **kwargs: Any) -> R:
    """``fn(data, *args, **kwargs)`` in a child process under ``budget``. ``fn`` and the
    arguments are pickled (``fn`` must be a module-level function), ``data`` is copied
    through a pipe. Blocks the calling thread: call it from a worker thread."""
    with contextlib.closing(run_each(budget, fn, [data], *args, **kwargs)) as answers:
        return next(answers)


def run_each(
    budget: Budget, fn: Callable[..., R], items: Sequence[bytes], *args: Any, **kwargs: Any
) -> Generator[R, None, None]:
    """``fn(item, *args, **kwargs)`` for each item in turn, in one child process, each item
    under its own ``budget`` (the CPU and memory limits are set again before each one);
    the answers come as they are made, so the caller can use the first while the child
    reads the next. An item over its budget raises :class:`OverBudget` naming its index
    (``details["item"]``) and ends the child; the items after it are not read."""
    if not items:
        return
    with _slots:
        parent, child = _context.Pipe()
        process = _Process(target=_child, args=(child, budget, len(items)), daemon=True)
        process.start()
        child.close()
        try:
            parent.send((fn, args, kwargs, max(len(d) for d in items)))
            for index, data in enumerate(items):
                try:
                    parent.send_bytes(data)
                    if not parent.poll(budget.wall_seconds):
                        raise over_budget("time", budget, index)
                    kind, value = _Answer(io.BytesIO(parent.recv_bytes())).load()
                except (EOFError, BrokenPipeError, ConnectionResetError):
                    # The kernel stopped the child (CPU) or it died allocating: no answer.
                    raise over_budget("cpu", budget, index) from None
                if kind == "memory":
                    raise over_budget("memory", budget, index)
                if kind != "ok":
                    raise _rebuilt(value)
                yield value
        finally:
            if process.is_alive():
                process.kill()
            process.join()
            parent.close()


def _child(conn: Connection, budget: Budget, count: int) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # The function and its arguments come from our own process; unpickling them may import
    # a module the fork server did not preload, which is not the file's cost. The clocks
    # start after that, before the first untrusted byte is read; the hard limits bound
    # every item together, the soft ones each item from where the previous one ended.
    fn, args, kwargs, largest = conn.recv()
    gc.set_threshold(*_GC_THRESHOLDS)
    cpu_hard = _cpu_used() + budget.cpu_seconds * count + 1
    # room for the largest item twice (the pipe's buffer and the bytes) beside the budget
    memory_hard = _address_space() + budget.memory_bytes + 2 * largest + _SLACK
    for _ in range(count):
        cpu = min(_cpu_used() + budget.cpu_seconds, cpu_hard - 1)
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu_hard))
        resource.setrlimit(resource.RLIMIT_AS, (memory_hard, memory_hard))
        data = conn.recv_bytes()
        limit = min(_address_space() + budget.memory_bytes, memory_hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, memory_hard))
        try:
            result: tuple[str, Any] = ("ok", fn(data, *args, **kwargs))
        except MemoryError:
            result = ("memory", None)
        except Exception as exc:
            result = ("raise", _portable(exc))
        del data
        try:
            conn.send(result)
        except MemoryError:
            conn.send(("memory", None))
        except (pickle.PicklingError, TypeError, AttributeError) as exc:
            conn.send(("raise", (RuntimeError, (f"unpicklable result: {exc}",), {})))
        if result[0] != "ok":
            return


def _cpu_used() -> int:
    """Whole CPU seconds used so far, rounded down: a limit of this plus the budget leaves
    a file at most the budget (the kernel counts whole seconds)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return math.floor(usage.ru_utime + usage.ru_stime)


class _Answer(pickle.Unpickler):
    """Unpickles what a child sends back: containers, dates, and the classes of the
    result and error modules; nothing else can be named (no function, no other class)."""

    MODULES = (
        "datetime",
        "signing.",
        "documents.",
        "ecabinet.core.errors",
        "ecabinet.core.sandbox",
        "ecabinet.signatures.intake",
    )
    COPYREG = frozenset({"_reconstructor", "__newobj__", "__newobj_ex__"})

    def find_class(self, module: str, name: str) -> Any:
        found = super().find_class(module, name)
        if module == "copyreg" and name in self.COPYREG:
            return found
        if module == "builtins" and isinstance(found, type):
            return found  # str, bytes, dict, list, set, the exception classes…
        if isinstance(found, type) and module.startswith(self.MODULES):
            return found
        raise pickle.UnpicklingError(f"sandbox: {module}.{name} is not an answer type")


def _address_space() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[0]) * resource.getpagesize()


def _portable(exc: Exception) -> tuple[type[Exception], tuple[Any, ...], dict[str, Any]]:
    # Domain errors take (code, vi, en, details) but keep one message in ``args``: they
    # travel as class, args and attributes, and are put together again as they were.
    return type(exc), exc.args, dict(vars(exc))


def _rebuilt(value: tuple[type[Exception], tuple[Any, ...], dict[str, Any]]) -> Exception:
    cls, args, attributes = value
    if not (isinstance(cls, type) and issubclass(cls, Exception)):
        return RuntimeError(f"sandbox: {cls!r} is not an exception")
    exc = cls.__new__(cls)
    Exception.__init__(exc, *args)
    vars(exc).update(attributes)
    return exc
