"""Child process for the coverage test: waits, then makes one call through the HTTP proxy, one
direct TCP call to the origin (ignoring the proxy) and sends one UDP datagram to port 443 (what an
HTTP/3 client's first QUIC packet looks like to the network), printing each outcome."""

import socket
import sys


def get(conn_to: tuple[str, int], target: str, host: str) -> str:
    with socket.create_connection(conn_to, timeout=10) as s:
        s.sendall(f"GET {target} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
        response = b""
        while chunk := s.recv(65536):
            response += chunk
    return response.split(b"\r\n", 1)[0].decode()


def main() -> None:
    proxy_host, proxy_port, host, port = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    origin = f"{host}:{port}"
    print("proxied", get((proxy_host, proxy_port), f"http://{origin}/coverage/proxied", origin), flush=True)
    print("direct", get((host, port), "/coverage/direct", origin), flush=True)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        try:
            u.sendto(b"\xc0\x00\x00\x00\x01quic-initial", (host, 443))
            print("udp sent", flush=True)
        except OSError as exc:
            print("udp blocked", exc.errno, flush=True)
    sys.stdin.readline()


if __name__ == "__main__":
    main()
