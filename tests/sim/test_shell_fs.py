"""The handset's filesystem through its shell: CA stores per personality, mounts (tmpfs, bind,
remount, the immutable APEX), permissions of the shell user and root, file commands, and the sync
service's path resolution (``harness.sim.android.fs`` and ``harness.sim.android.layout``), tested
in-process through ``AndroidDevice.run`` as in test_shell.py."""

from __future__ import annotations

import errno
import os
import stat

import pytest


def test_ca_folders_per_personality(make_device):
    a10 = make_device("miui-android10", name="a10")
    system = a10.run("ls /system/etc/security/cacerts")[1].split()
    assert len(system) >= 3 and all(n.endswith(".0") for n in system)
    assert "BEGIN CERTIFICATE" in a10.run(f"cat /system/etc/security/cacerts/{system[0]}")[1]
    assert a10.run("ls /apex/com.android.conscrypt/cacerts")[0] == 1
    a14 = make_device("android14", name="a14")
    assert a14.run("ls /apex/com.android.conscrypt/cacerts")[1].split() == \
        a14.run("ls /system/etc/security/cacerts")[1].split()
    assert a14.run("getprop ro.build.version.sdk")[1] == "34\n"
    # the APEX can be shadowed by a tmpfs/bind mount but never remounted read-write
    assert a14.run("su 0 mount -o remount,rw /apex/com.android.conscrypt")[0] == 1
    assert a14.run("su 0 touch /apex/com.android.conscrypt/cacerts/x")[0] == 1


def test_user_ca_folder_needs_root(make_device):
    dev = make_device()
    assert dev.run("su -c 'mkdir -p /data/misc/user/0/cacerts-added'")[0] == 0
    status, _, err = dev.run("touch /data/misc/user/0/cacerts-added/x.0")
    assert status == 1 and "Permission denied" in err
    assert dev.run("su -c 'touch /data/misc/user/0/cacerts-added/x.0'")[0] == 0
    assert dev.run("ls /data/data")[2] == "ls: /data/data: Permission denied\n"


def test_tmpfs_mount_shadows_and_umount_restores(make_device):
    dev = make_device()
    before = dev.run("ls /system/etc/security/cacerts")[1]
    script = (
        "mkdir -p /data/local/tmp/certs && cp /system/etc/security/cacerts/* /data/local/tmp/certs/ && "
        "mount -t tmpfs tmpfs /system/etc/security/cacerts && "
        "cp /data/local/tmp/certs/* /system/etc/security/cacerts/ && "
        "echo extra > /system/etc/security/cacerts/abcdef01.0 && "
        "chown root:root /system/etc/security/cacerts/* && chmod 644 /system/etc/security/cacerts/* && "
        "chcon u:object_r:system_file:s0 /system/etc/security/cacerts/*"
    )
    assert dev.run(f"su -c '{script}'") == (0, "", "")
    after = dev.run("ls /system/etc/security/cacerts")[1].split()
    assert sorted(after) == sorted(before.split() + ["abcdef01.0"])
    assert "tmpfs on /system/etc/security/cacerts type tmpfs" in dev.run("mount")[1]
    assert "u:object_r:system_file:s0" in dev.run("ls -Z /system/etc/security/cacerts/abcdef01.0")[1]
    assert dev.run("stat -c %a /system/etc/security/cacerts/abcdef01.0")[1] == "644\n"
    # the factory tree is untouched underneath
    assert not (dev.fs.root / "system/etc/security/cacerts/abcdef01.0").exists()
    assert dev.run("su -c 'umount /system/etc/security/cacerts'")[0] == 0
    assert dev.run("ls /system/etc/security/cacerts")[1] == before


def test_remount_rw_and_bind_mount(make_device):
    dev = make_device()
    assert dev.run("su -c 'touch /system/etc/hosts'")[0] == 1
    assert dev.run("su -c 'mount -o remount,rw /'")[0] == 0
    assert dev.run("su -c 'echo 127.0.0.1 x > /system/etc/hosts' && cat /system/etc/hosts")[1] == "127.0.0.1 x\n"
    assert dev.run("mkdir -p /data/local/tmp/b && echo in-b > /data/local/tmp/b/f")[0] == 0
    assert dev.run("su -c 'mkdir /system/etc/bindtarget'")[0] == 0
    assert dev.run("su -c 'mount --bind /data/local/tmp/b /system/etc/bindtarget'")[0] == 0
    assert dev.run("cat /system/etc/bindtarget/f")[1] == "in-b\n"


def test_nsenter_runs_in_the_same_view(make_device):
    dev = make_device()
    zygote = dev.run("pidof zygote64")[1].strip()
    assert zygote
    assert dev.run(f"su -c 'nsenter --mount=/proc/{zygote}/ns/mnt -- id -u'")[1] == "0\n"
    assert dev.run(f"nsenter --mount=/proc/{zygote}/ns/mnt -- id")[0] == 1
    assert "No such file" in dev.run("su -c 'nsenter --mount=/proc/99999/ns/mnt -- true'")[2]


def test_file_commands(make_device):
    dev = make_device()
    t = "/data/local/tmp"
    assert dev.run(f"mkdir {t}/a/b")[0] == 1
    assert dev.run(f"mkdir -p {t}/a/b && touch {t}/a/b/c && ls {t}/a/b")[1] == "c\n"
    assert dev.run(f"cp {t}/a/b/c {t}/d && mv {t}/d {t}/e && ls {t}")[1].split() == ["a", "e"]
    assert dev.run(f"rm {t}/a")[0] == 1
    assert dev.run(f"rm -rf {t}/a {t}/e && ls {t}")[1] == ""
    assert dev.run(f"rm {t}/missing")[2] == f"rm: {t}/missing: No such file or directory\n"
    assert dev.run(f"rm -f {t}/missing")[0] == 0
    assert dev.run(f"test -d {t} && [ -e {t}/missing ] || echo absent")[1] == "absent\n"
    assert dev.run(f"echo x > {t}/f; chmod 755 {t}/f; ls -l {t}/f")[1].startswith("-rwxr-xr-x")
    assert dev.run(f"chown root {t}/f")[2] == f"chown: {t}/f: Operation not permitted\n"
    # files behind the device are private on the host
    host = dev.fs.host_path(f"{t}/f")
    assert stat.S_IMODE(os.stat(host).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(dev.state.dir).st_mode) == 0o700


def test_resolve_path_for_sync(make_device):
    dev = make_device()
    host = dev.resolve_path("/data/local/tmp/new/dir/file", write=True)
    assert host.parent.is_dir()
    with pytest.raises(OSError) as ro:
        dev.resolve_path("/system/etc/security/cacerts/x.0", write=True)
    assert ro.value.errno == errno.EROFS
    with pytest.raises(PermissionError):
        dev.resolve_path("/data/data/com.harness.probe/secret", write=False)
    with pytest.raises(FileNotFoundError):
        dev.resolve_path("/data/local/tmp/absent")
    assert dev.resolve_path("/system/build.prop").read_text().startswith("ro.")
    dev.run("su -c 'mount -t tmpfs tmpfs /system/etc/security/cacerts'")
    with pytest.raises(OSError):  # shell user still may not write there
        dev.resolve_path("/system/etc/security/cacerts/x.0", write=True)
    assert dev.set_adb_root(True).startswith("adbd cannot")
