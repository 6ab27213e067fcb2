"""Child process for the tls-native tests: waits, then loads libssl (``import ssl``) and sends one
HTTPS request, printing the exact request bytes it wrote (hex) so the test can compare."""

import sys


def main() -> None:
    host, port, cafile, body = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4].encode()
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    import socket
    import ssl  # libssl is loaded only now, after the test attached

    ctx = ssl.create_default_context(cafile=cafile)
    request = (
        f"POST /upload HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/octet-stream\r\n"
        f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n"
    ).encode() + body
    with socket.create_connection((host, port), timeout=10) as raw, ctx.wrap_socket(raw, server_hostname=host) as tls:
        tls.sendall(request)
        response = b""
        while chunk := tls.recv(65536):
            response += chunk
    print("sent", request.hex(), flush=True)
    print("received", response.hex(), flush=True)
    sys.stdin.readline()


if __name__ == "__main__":
    main()
