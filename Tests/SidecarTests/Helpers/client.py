#!/usr/bin/env python3
"""Sends the raw HTTP/1.1 request on stdin to 127.0.0.1:PORT, byte for byte, waits for the whole
response (content-length or chunked body) and prints its status line, then its body.

    client.py PORT < request"""
import socket
import sys


class Connection:
    def __init__(self, conn):
        self.conn, self.buffer = conn, b""

    def until(self, marker):
        while marker not in self.buffer:
            self.fill()
        end = self.buffer.index(marker) + len(marker)
        data, self.buffer = self.buffer[:end], self.buffer[end:]
        return data

    def exactly(self, count):
        while len(self.buffer) < count:
            self.fill()
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        return data

    def fill(self):
        data = self.conn.recv(65536)
        if not data:
            sys.exit("connection closed inside the response: %r" % self.buffer[:200])
        self.buffer += data


def read_body(connection, headers):
    if b"chunked" in headers.get(b"transfer-encoding", b"").lower():
        body = b""
        while True:
            size = int(connection.until(b"\r\n")[:-2].split(b";")[0], 16)
            if size == 0:
                while connection.until(b"\r\n") != b"\r\n":  # trailers, up to the empty line
                    pass
                return body
            body += connection.exactly(size + 2)[:-2]
    return connection.exactly(int(headers.get(b"content-length", b"0")))


def main():
    port = int(sys.argv[1])
    request = sys.stdin.buffer.read()
    with socket.create_connection(("127.0.0.1", port), timeout=10) as conn:
        conn.sendall(request)
        connection = Connection(conn)
        lines = connection.until(b"\r\n\r\n")[:-4].split(b"\r\n")
        headers = {name.strip().lower(): value.strip() for name, _, value in (line.partition(b":") for line in lines[1:])}
        body = read_body(connection, headers)
    sys.stdout.buffer.write(lines[0] + b"\n" + body)


if __name__ == "__main__":
    main()
