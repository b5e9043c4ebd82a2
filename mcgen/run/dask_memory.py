"""What the workers of a Dask cluster hold: the exact peak, counted by the scheduler.

:class:`HeldBytes` is a scheduler plugin. After every task transition it adds up the bytes the
scheduler counts in the workers' memory (``WorkerState.nbytes``: every result, and every copy
of a result fetched by another worker), so its peak is exact rather than sampled. At a new
peak it also splits the total by the kind of key (``halo`` strips against chunks and the
rest). Tests and ``bench/dask_scaleout.py`` use it to hold Dask grid runs to their memory
bound.
"""

from __future__ import annotations

from typing import Any

from distributed.diagnostics.plugin import SchedulerPlugin


class HeldBytes(SchedulerPlugin):
    """Peak of the bytes held by all workers, and its split into strips and the rest.

    Use with a scheduler in this process (a ``LocalCluster``)::

        with HeldBytes.on(client) as held:
            sim.run(t_end)
        held.peak, held.strips_at_peak
    """

    name = "mcgen-held-bytes"

    def __init__(self) -> None:
        super().__init__()
        self.peak = 0
        self.strips_at_peak = 0
        self._scheduler: Any = None

    async def start(self, scheduler: Any) -> None:
        self._scheduler = scheduler

    def transition(self, key: Any, start: str, finish: str, *args: Any, **kwargs: Any) -> None:
        total = sum(ws.nbytes for ws in self._scheduler.workers.values())
        if total > self.peak:
            self.peak = total
            self.strips_at_peak = sum(
                ts.nbytes * len(ts.who_has) for ts in self._scheduler.tasks.values()
                if ts.who_has and "halo" in str(ts.key))

    @classmethod
    def on(cls, client: Any) -> _Tracking:
        """A context that tracks the peak on ``client``'s in-process scheduler."""
        scheduler = getattr(getattr(client, "cluster", None), "scheduler", None)
        if scheduler is None or not hasattr(scheduler, "add_plugin"):
            raise RuntimeError("HeldBytes needs the scheduler in this process (a LocalCluster "
                               "started here); a remote scheduler reports memory through "
                               "distributed.diagnostics.MemorySampler instead")
        return _Tracking(cls(), scheduler)


class _Tracking:
    def __init__(self, plugin: HeldBytes, scheduler: Any) -> None:
        self.plugin, self.scheduler = plugin, scheduler

    def __enter__(self) -> HeldBytes:
        self.plugin._scheduler = self.scheduler
        self.plugin.peak = sum(ws.nbytes for ws in self.scheduler.workers.values())
        self.scheduler.add_plugin(self.plugin, name=self.plugin.name, idempotent=False)
        return self.plugin

    def __exit__(self, *exc: Any) -> None:
        self.scheduler.remove_plugin(name=self.plugin.name)
