#!/usr/bin/env python3
"""The upstream behind Envoy in the sidecar tests: records every request exactly as it came off
the wire and answers 200 (or 503 once per `x-fail-once` token, so Envoy retries).

    upstream.py PORT_FILE RECORD_DIR

Binds 127.0.0.1 on a free port and writes the port to PORT_FILE once it accepts. Request N (in
arrival order over all connections) is written to RECORD_DIR/N.http: request line, headers and
body, byte for byte. Runs until it is killed."""
import os
import socket
import sys
import threading

counter_lock = threading.Lock()
counter = 0
failed_tokens = set()


class Closed(Exception):
    pass


class Reader:
    """Buffered reads off a socket that keep every byte read, so a request is recorded whole."""

    def __init__(self, conn):
        self.conn, self.buffer, self.raw = conn, b"", bytearray()

    def fill(self):
        data = self.conn.recv(65536)
        if not data:
            raise Closed()
        self.buffer += data

    def until(self, marker):
        while marker not in self.buffer:
            self.fill()
        end = self.buffer.index(marker) + len(marker)
        return self.take(end)

    def exactly(self, count):
        while len(self.buffer) < count:
            self.fill()
        return self.take(count)

    def take(self, count):
        data, self.buffer = self.buffer[:count], self.buffer[count:]
        self.raw += data
        return data


def read_request(reader):
    """Reads one request; returns its raw bytes and its headers (lowercased names, in order)."""
    reader.raw = bytearray()
    head = reader.until(b"\r\n\r\n")
    lines = head[:-4].split(b"\r\n")[1:]
    headers = [(name.strip().lower(), value.strip()) for name, _, value in (line.partition(b":") for line in lines)]
    names = dict(headers)
    if b"chunked" in names.get(b"transfer-encoding", b"").lower():
        while True:
            size = int(reader.until(b"\r\n")[:-2].split(b";")[0], 16)
            if size == 0:
                while reader.until(b"\r\n") != b"\r\n":  # trailers, up to the empty line
                    pass
                break
            reader.exactly(size + 2)
    elif b"content-length" in names:
        reader.exactly(int(names[b"content-length"]))
    return bytes(reader.raw), headers


def record(directory, raw):
    global counter
    with counter_lock:
        counter += 1
        number = counter
    path = os.path.join(directory, "%d.http" % number)
    with open(path + ".tmp", "wb") as file:
        file.write(raw)
    os.rename(path + ".tmp", path)


def answer(headers):
    token = dict(headers).get(b"x-fail-once")
    if token is not None:
        with counter_lock:
            first = token not in failed_tokens
            failed_tokens.add(token)
        if first:
            return b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 4\r\n\r\nfail"
    return b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok"


def serve(conn, directory):
    reader = Reader(conn)
    try:
        while True:
            raw, headers = read_request(reader)
            record(directory, raw)
            conn.sendall(answer(headers))
    except (Closed, ConnectionError):
        pass
    finally:
        conn.close()


def main():
    port_file, directory = sys.argv[1], sys.argv[2]
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    with open(port_file + ".tmp", "w") as file:
        file.write(str(listener.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    while True:
        conn, _ = listener.accept()
        threading.Thread(target=serve, args=(conn, directory), daemon=True).start()


if __name__ == "__main__":
    main()
