"""Exit statuses of the ``harness`` command."""

from enum import IntEnum


class ExitStatus(IntEnum):
    OK = 0
    #: a scenario assertion failed or a finding was raised
    FINDING = 1
    #: usage error or harness error (device, capture, input)
    ERROR = 2
