"""Child process for the redirect test: waits, then makes one plain HTTP request straight to the
given address (no proxy configured), and prints the response status line."""

import socket
import sys


def main() -> None:
    host, port, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    print("ready", flush=True)
    if sys.stdin.readline().strip() != "go":
        return
    with socket.create_connection((host, port), timeout=10) as s:
        s.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n\r\n".encode())
        response = b""
        while chunk := s.recv(65536):
            response += chunk
    print("status", response.split(b"\r\n", 1)[0].decode(), flush=True)
    # QUIC attempt: UDP to port 443 must be refused by the agent
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as u:
        try:
            u.sendto(b"\xc0quic-initial", ("127.0.0.1", 443))
            print("udp sent", flush=True)
        except OSError as exc:
            print("udp blocked", exc.errno, flush=True)
    sys.stdin.readline()


if __name__ == "__main__":
    main()
