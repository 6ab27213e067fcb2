"""Device paths the harness reads and changes."""

SYSTEM_CACERTS = "/system/etc/security/cacerts"
APEX_CACERTS = "/apex/com.android.conscrypt/cacerts"
USER_CACERTS = "/data/misc/user/0/cacerts-added"
STAGING = "/data/local/tmp/harness"
FRIDA_SERVER = "/data/local/tmp/frida-server"
FRIDA_PORT = 27042
SDCARD_CA = "/sdcard/Download/harness-ca.crt"

#: ``settings`` keys that make up the global proxy
PROXY_SETTINGS = (
    "http_proxy",
    "global_http_proxy_host",
    "global_http_proxy_port",
    "global_http_proxy_exclusion_list",
)

#: ``settings`` the harness changes (journaled), by namespace; :mod:`.journal_check` refuses a
#: journal that names any other, and :func:`.proxy.put_setting` refuses to write any other
JOURNALED_SETTINGS: dict[str, tuple[str, ...]] = {"global": PROXY_SETTINGS}

#: system properties the harness may change (region and locale experiments); ``debug.harness.*``
#: is the harness's own namespace
JOURNALED_PROPS = frozenset({
    "persist.sys.country",
    "persist.sys.language",
    "persist.sys.locale",
    "persist.sys.timezone",
})
JOURNALED_PROP_PREFIXES = ("debug.harness.",)
