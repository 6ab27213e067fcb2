"""Record into a harness run directory from plain mitmdump/mitmweb:

    mitmdump -s addons/record.py --set harness_run_dir=RUN_DIR

Writes the same store format as ``harness record`` (store.sqlite + flows.mitm); mark steps with
the command ``harness.mark STEP_ID [NAME]``.
"""

from harness.capture.recorder import Recorder

addons = [Recorder()]
