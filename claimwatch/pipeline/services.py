"""Long-running child processes (Airflow's components) started, watched and stopped together.

Each child runs in its own process group (its own session), so that

* Ctrl-C in a terminal reaches only the supervising ``claimwatch`` process, which then stops the children in
  order instead of every process dying at once mid-write;
* stopping a child stops everything it started (uvicorn's workers, Celery's pool, a task's crawl subprocess):
  nothing is left orphaned holding a port;
* one Celery worker can be SIGKILLed as a whole, pool and tasks included, the way a lost machine dies.

SIGTERM is turned into the same clean stop as Ctrl-C (:func:`stop_on_signals`): a service manager or
``claimwatch cluster down`` ends a run without a traceback and without leaving a child behind.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import subprocess
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType, TracebackType

log = logging.getLogger(__name__)


class Stopped(KeyboardInterrupt):
    """Raised in the main thread when SIGTERM (or SIGHUP) asks the process to stop; handled like Ctrl-C."""


@contextlib.contextmanager
def stop_on_signals() -> Iterator[None]:
    """While in the block, SIGTERM and SIGHUP raise :class:`Stopped` (a KeyboardInterrupt) in the main thread."""

    def _raise(signum: int, frame: FrameType | None) -> None:
        raise Stopped(signal.Signals(signum).name)

    previous = {sig: signal.signal(sig, _raise) for sig in (signal.SIGTERM, signal.SIGHUP)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def group_alive(pgid: int) -> bool:
    """Whether any process of the process group ``pgid`` still exists."""
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def signal_group(pgid: int, sig: int) -> None:
    """Send ``sig`` to a process group, ignoring one that is already gone."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pgid, sig)


def _process_alive(pid: int) -> bool:
    """Whether ``pid`` runs (a zombie, exited but not yet reaped, does not)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"


def _wait(alive: Callable[[], bool], deadline: float, reap: Callable[[], object] | None) -> None:
    while True:
        if reap is not None:
            reap()
        if time.monotonic() >= deadline or not alive():
            return
        time.sleep(0.2)


def stop_groups(pgids: Sequence[int], timeout: float = 30.0, reap: Callable[[], object] | None = None) -> list[int]:
    """Stop process groups in order; return the groups that had to be SIGKILLed.

    First SIGTERM to each leader only, so an Airflow scheduler or Celery worker shuts its task processes down
    itself (a task's supervisor outlives the task, and nothing dies mid-handshake); then SIGTERM to whatever is
    left in the groups; SIGKILL after ``timeout`` seconds in all. ``reap`` collects our own children's exit
    status while waiting: a group whose leader is a zombie still counts as alive to ``killpg``."""
    deadline = time.monotonic() + timeout
    for pgid in pgids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pgid, signal.SIGTERM)
    _wait(lambda: any(_process_alive(p) for p in pgids), time.monotonic() + timeout * 2 / 3, reap)
    for pgid in pgids:
        signal_group(pgid, signal.SIGTERM)
    _wait(lambda: any(group_alive(p) for p in pgids), deadline, reap)
    killed = [p for p in pgids if group_alive(p)]
    for pgid in killed:
        signal_group(pgid, signal.SIGKILL)
    return killed


def descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children, grandchildren...), from /proc: also those that started a session
    of their own (Airflow's task supervisor does), which a signal to the process group would miss."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        children.setdefault(ppid, []).append(int(entry.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def kill_tree(pid: int) -> list[int]:
    """SIGKILL a process group led by ``pid`` and every descendant of ``pid``, the way a machine dies: nothing it
    started gets to finish. Returns the pids killed besides the group."""
    killed: list[int] = []
    for _ in range(2):  # a second pass for what was forked while the first ran
        tree = descendants(pid)
        signal_group(pid, signal.SIGKILL)
        for child in tree:
            with contextlib.suppress(ProcessLookupError):
                os.kill(child, signal.SIGKILL)
                killed.append(child)
    return sorted(set(killed))


class Services:
    """A set of named child processes, each the leader of its own process group.

    Output of each child goes to ``log_dir/<name>.log`` when a folder is given (a cluster's seven processes on
    one console would be unreadable), else to this process's console.
    """

    def __init__(self, log_dir: Path | None = None, stop_timeout: float = 30.0) -> None:
        self.log_dir = log_dir
        self.stop_timeout = stop_timeout
        self.procs: dict[str, subprocess.Popen[bytes]] = {}

    def start(self, name: str, argv: Sequence[str], env: Mapping[str, str]) -> subprocess.Popen[bytes]:
        """Start ``argv`` as a new session (its own process group) named ``name``."""
        handle = None
        if self.log_dir is not None:
            self.log_dir.mkdir(parents=True, exist_ok=True)
            handle = (self.log_dir / f"{name}.log").open("ab")
        try:
            proc = subprocess.Popen(
                list(argv),
                env=dict(env),
                stdout=handle,
                stderr=subprocess.STDOUT if handle else None,
                start_new_session=True,
            )
        finally:
            if handle is not None:
                handle.close()
        self.procs[name] = proc
        log.debug("started %s (pid %d)", name, proc.pid)
        return proc

    def pids(self) -> dict[str, int]:
        """Process id (= process group id) of every child, by name."""
        return {name: proc.pid for name, proc in self.procs.items()}

    def exited(self) -> dict[str, int]:
        """Children that have ended, with their exit codes."""
        return {name: code for name, proc in self.procs.items() if (code := proc.poll()) is not None}

    def kill(self, name: str) -> list[int]:
        """SIGKILL one child with everything it started (:func:`kill_tree`): as if its machine died."""
        return kill_tree(self.procs[name].pid)

    def wait_any(self, poll: float = 0.5) -> str:
        """Block until one child ends; return its name."""
        while True:
            for name, code in self.exited().items():
                log.debug("%s exited with %s", name, code)
                return name
            time.sleep(poll)

    def stop(self) -> list[str]:
        """Stop every child (SIGTERM to its group, SIGKILL after the timeout); return the names that needed
        SIGKILL. Safe to call twice."""
        groups = {proc.pid: name for name, proc in self.procs.items()}
        # Airflow runs each task in a process group of its own: a signal to a component's group misses it, and once
        # the component has gone it is no longer below it either. So note every descendant now, and end those
        # still there after the components stopped.
        below = {pid for leader in groups for pid in descendants(leader)}
        killed = stop_groups(list(groups), self.stop_timeout, reap=self.exited)
        left = [pid for pid in below if _process_alive(pid)]
        for pid in left:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)
        _wait(lambda: any(_process_alive(p) for p in left), time.monotonic() + 5, None)
        for pid in left:
            if _process_alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)
        for proc in self.procs.values():
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=5)
        return [groups[p] for p in killed]

    def __enter__(self) -> Services:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # a second Ctrl-C while stopping must not leave children behind: finish the stop first
        with stop_on_signals():
            try:
                self.stop()
            except KeyboardInterrupt:
                for proc in self.procs.values():
                    signal_group(proc.pid, signal.SIGKILL)
