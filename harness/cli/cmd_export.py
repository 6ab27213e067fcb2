"""``harness export INPUT --format har|parquet|csv [-o FILE]``.

INPUT is a run directory (every format), or a ``.mitm`` flow file or HAR file made by any tool
(``--format har`` only: read with the analysis loaders, so a file ``harness analyze`` reads is the
file exported, migrated and validated the same way). A file that could be read only in part is
exported in part, with a warning and exit status 2.
"""

from __future__ import annotations

import argparse
from collections import Counter
from pathlib import Path

from harness.cli.context import Env
from harness.cli.status import ExitStatus


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser("export", help="export a recorded run (or a .mitm / HAR file) as HAR 1.2, Parquet or CSV",
                              description="Export the flows of a run directory; a .mitm or HAR file is exported as HAR.")
    p.add_argument("run_dir", metavar="INPUT", help="a run directory made by `harness record`, or a .mitm / HAR file")
    p.add_argument("--format", "-f", choices=("har", "parquet", "csv"), default="har",
                   help="output format (default: har)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="output file (default: RUN_DIR/flows.FORMAT; for a file: its name with .har, or .harness.har for a .har)")
    p.set_defaults(func=run)


def run(args: argparse.Namespace, env: Env) -> int:
    from harness.fsutil import check_output_file

    if args.output:
        check_output_file(args.output, "-o", make_folder=True)  # missing folders are made (0700)
    path = Path(args.run_dir)
    if path.is_file():
        return _export_file(path, args, env)
    from harness.capture.export import export

    out = export(args.run_dir, args.format, args.output)
    env.out(f"wrote {out}")
    return int(ExitStatus.OK)


def _export_file(path: Path, args: argparse.Namespace, env: Env) -> int:
    """A ``.mitm`` or HAR file as HAR 1.2 (see :func:`harness.capture.har.har_document_of`)."""
    from harness.analysis.loaders import open_source
    from harness.capture.export import write_har
    from harness.capture.har import HAR_KINDS, har_document_of
    from harness.errors import UsageError

    if args.format != "har":
        raise UsageError(f"{path} is a file: only --format har is exported from a .mitm or HAR file",
                         fix=f"for Parquet frames run `harness analyze {path} --out DIR`, or pass a run directory")
    out = Path(args.output) if args.output else path.with_name(path.stem + ".har")
    if not args.output and out == path:  # a .har input: its export goes beside it
        out = path.with_name(path.stem + ".harness.har")
    if out.resolve() == path.resolve():
        raise UsageError(f"exporting {path} would overwrite it", fix="name another output file with -o FILE")
    src = open_source(path)
    records = list(src.flows)
    doc = har_document_of(records, src.ws_messages, src.steps, f"{src.kind} file {path.name}")
    env.out(f"wrote {write_har(doc, out)}")
    left = Counter(r.extra.get("mitmproxy_type") or r.kind for r in records if not (r.method and r.kind in HAR_KINDS))
    if left:
        env.out(f"left out {sum(left.values())} flows HAR has no place for ("
                + ", ".join(f"{n} {kind}" for kind, n in sorted(left.items())) + f"): `harness analyze {path}` reads them")
    if src.incomplete:
        env.err(f"harness: warning: {path} was read in part; the export holds the readable records: "
                + "; ".join(src.problems) + " (fix: repair or re-export the input to include the rest)")
        return int(ExitStatus.ERROR)
    return int(ExitStatus.OK)
