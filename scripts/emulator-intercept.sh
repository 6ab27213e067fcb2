#!/bin/sh
# The docker-compose `intercept` service's entrypoint (docs/docker.md): connect the emulator's adbd,
# wait until Android has booted, `adb root` (the system CA store needs it; docs/lab-guide.md §2:
# the harness itself never runs `adb root`), then *exec* `harness intercept`. exec makes harness
# replace this shell (the process `docker stop` signals), so its SIGTERM handler restores the
# emulator; dash does not exec the last command of `a && b` by itself.
#
# Environment: EMULATOR_ADB (HOST:PORT of the emulator's adbd, default emulator:5555), BOOT_TIMEOUT
# (seconds to wait for adb connect + sys.boot_completed=1, default 600). Arguments are passed to
# `harness intercept` (e.g. --duration 600); `restore` as the first argument runs
# `harness restore --device EMULATOR_ADB` instead (after a run that was SIGKILLed). The adb binary is the one harness runs (HARNESS_ADB,
# else the adb bundled with adbutils: harness.device.adbbin), so the two never fight over the server.
# Exit 2 (one line on stderr) when the emulator is not up within BOOT_TIMEOUT.
set -eu

address=${EMULATOR_ADB:-emulator:5555}
timeout=${BOOT_TIMEOUT:-600}
adb=$(python -c 'from harness.device.adbbin import adb_binary; print(adb_binary().path)')
deadline=$(( $(date +%s) + timeout ))

up() {  # connected over TCP and Android has finished booting
    "$adb" connect "$address" 2>&1 | grep -q "connected to" \
        && [ "$("$adb" -s "$address" shell getprop sys.boot_completed 2>/dev/null | tr -d '\r')" = 1 ]
}

wait_up() {
    until up; do
        if [ "$(date +%s)" -ge "$deadline" ]; then
            echo "emulator-intercept: error: $address $1 within ${timeout}s (fix: check the emulator container's log, or raise BOOT_TIMEOUT)" >&2
            exit 2
        fi
        sleep 2  # the emulator boots for minutes; polled, bounded by BOOT_TIMEOUT
    done
}

wait_up "did not answer adb or finish booting (sys.boot_completed)"
answer=$("$adb" -s "$address" root 2>&1 || true)
case $answer in
    *restarting*)  # adbd restarts as root: the TCP connection drops, connect again
        "$adb" disconnect "$address" >/dev/null 2>&1 || true
        wait_up "did not come back after adb root" ;;
    *already*) ;;
    *)  # harness's own root check (harness/device/root.py): su -c 'id -u' answering 0
        uid=$("$adb" -s "$address" shell "su -c 'id -u'" 2>/dev/null | tr -d '\r\n ' || true)
        if [ "$uid" = 0 ]; then
            echo "emulator-intercept: note: adb root refused ($answer); the device has su, so harness installs the CA in the system store through su" >&2
        else
            echo "emulator-intercept: warning: adb root refused ($answer) and the device has no su: --ca auto puts the CA in the user store, which most apps ignore (--ca system fails)" >&2
        fi ;;
esac
echo "emulator-intercept: $address booted; adb root: ${answer:-?}" >&2
if [ "${1:-}" = restore ]; then
    shift
    exec harness restore --device "$address" "$@"
fi
exec harness intercept --device "$address" "$@"
