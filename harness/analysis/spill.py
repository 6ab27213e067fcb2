"""A table written batch by batch to a private temporary Arrow IPC file, read back memory-mapped.

Analysis keeps every flow's row (bodies cut at ``Options.frame_body_cap``) in the flows frame. Held
in memory, those rows made peak RSS grow with the number of flows (760 MB at 100 000 flows, issue
17). Written to disk as they come and memory-mapped at the end, the rows cost page cache, not
process memory: only the pages a rule reads (ids, hosts, sizes) become resident, and those are
file-backed pages the kernel can drop. The file (mode 0600, in the temporary folder) is unlinked as
soon as it is mapped, so nothing is left behind even if the process is killed afterwards.

Pages a rule has read stay resident (counted in the process's RSS) until the kernel needs them.
:meth:`SpilledTable.release` drops them from this process (``madvise(MADV_DONTNEED)`` on the
read-only shared mapping: the next read faults them in again from the page cache, unchanged;
madvise(2)). The rules read the table one record batch at a time and release after each batch
(:class:`harness.analysis.batches.FlowBatches`), so peak RSS does not grow with the flows a rule
reads (issue 17: 10 k to 100 k flows must stay flat). Reading even a few small columns maps more
than their bytes: the kernel maps 16 pages (64 KB) about each fault (fault-around), also under
``MADV_RANDOM``.

Format: Arrow IPC file format, uncompressed so buffers map without a copy
(https://arrow.apache.org/docs/format/Columnar.html#ipc-file-format).
"""

from __future__ import annotations

import contextlib
import mmap
import os
import tempfile
import weakref

import pyarrow as pa

from harness.errors import AnalysisError


def _no_space(path: str, exc: OSError) -> AnalysisError:
    return AnalysisError(f"cannot write the analysis spill file {path}: {exc.strerror or exc}",
                         fix="point TMPDIR at a folder with free space (about the size of the capture)")


def _remove(path: str) -> None:
    with contextlib.suppress(FileNotFoundError):
        os.unlink(path)


class SpilledTable:
    """Collects record batches of ``schema`` on disk; :meth:`table` maps them back (once).

    Raises :class:`~harness.errors.AnalysisError` when the temporary folder (``TMPDIR`` decides
    where) cannot be written or fills up. On a tmpfs the file costs memory, though not this
    process's RSS.
    """

    def __init__(self, schema: pa.Schema, prefix: str = "harness-spill-") -> None:
        self.schema = schema
        try:
            fd, self.path = tempfile.mkstemp(prefix=prefix, suffix=".arrow")  # 0600
        except OSError as exc:
            raise _no_space(tempfile.gettempdir(), exc) from None
        os.close(fd)
        #: removes the file if the table is dropped before :meth:`table` (an analysis that failed)
        self._cleanup = weakref.finalize(self, _remove, self.path)
        self._sink = pa.OSFile(self.path, "wb")
        self._writer = pa.ipc.new_file(self._sink, schema)
        self.rows = 0
        self._map: mmap.mmap | None = None

    def write(self, batch: pa.RecordBatch) -> None:
        """Append one batch (written now; nothing is kept in memory)."""
        try:
            self._writer.write_batch(batch)
        except OSError as exc:
            raise _no_space(self.path, exc) from None
        self.rows += batch.num_rows

    def table(self) -> pa.Table:
        """All batches as one table whose buffers are the memory-mapped file (no copy)."""
        try:
            self._writer.close()
            self._sink.close()
        except OSError as exc:
            raise _no_space(self.path, exc) from None
        fd = os.open(self.path, os.O_RDONLY)
        try:
            self._map = mmap.mmap(fd, 0, access=mmap.ACCESS_READ)  # MAP_SHARED, PROT_READ
            self._map.madvise(mmap.MADV_RANDOM)
        finally:
            os.close(fd)
        # buffers of the table point into the mapping (no copy); they keep it alive
        table = pa.ipc.open_file(pa.BufferReader(pa.py_buffer(self._map))).read_all()
        self._cleanup()  # the mapping keeps the data readable after the unlink
        return table

    def release(self) -> None:
        """Drop the mapped pages read so far from this process's resident set; the data stays
        readable (a later read faults the pages in again). A no-op before :meth:`table`."""
        if self._map is not None and hasattr(mmap, "MADV_DONTNEED"):
            self._map.madvise(mmap.MADV_DONTNEED)
