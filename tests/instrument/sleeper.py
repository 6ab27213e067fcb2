"""Child process that prints "ready" and then sleeps (or exits when told to)."""

import sys
import time

print("ready", flush=True)
line = sys.stdin.readline().strip()
if line == "exit":
    sys.exit(0)
time.sleep(60)
