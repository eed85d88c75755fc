"""One Bookinfo-shaped service of the mesh (productpage, details, reviews or ratings).

    bookinfo.py SERVICE PORT [DOWNSTREAM=IP ...]

Listens on 0.0.0.0:PORT (HTTP/1.1, threaded). For every request it calls its downstream services
in order, each over a kept-alive connection of its own thread (the pod's iptables send it through
the sidecar), forwarding the headers Bookinfo's apps forward: the trace context of every format,
x-request-id, user-agent and cookie. A body (POST /productpage, a review) is passed on to reviews
and ratings; ratings answers with its SHA-256, so the caller can tell it arrived whole.
"""
import hashlib
import http.client
import http.server
import json
import sys
import threading

SERVICE, PORT = sys.argv[1], int(sys.argv[2])
DOWNSTREAM = [arg.split("=", 1) for arg in sys.argv[3:]]
# Bookinfo's productpage getForwardHeaders(), in its order.
FORWARDED = [
    "x-request-id", "traceparent", "tracestate", "x-b3-traceid", "x-b3-spanid", "x-b3-parentspanid",
    "x-b3-sampled", "x-b3-flags", "b3", "uber-trace-id", "user-agent", "cookie",
]
PATHS = {"details": "/details/0", "reviews": "/reviews/0", "ratings": "/ratings/0"}
local = threading.local()


def call(name, address, method, incoming, body):
    connections = getattr(local, "connections", None)
    if connections is None:
        connections = local.connections = {}
    headers = {key: incoming[key] for key in FORWARDED if incoming.get(key) is not None}
    if body:
        headers["content-type"] = "application/json"
    for attempt in range(2):
        connection = connections.get(name)
        if connection is None:
            connection = connections[name] = http.client.HTTPConnection(address, 9080, timeout=10)
        try:
            connection.putrequest(method, PATHS[name], skip_host=True, skip_accept_encoding=True)
            connection.putheader("host", f"{name}:9080")
            for key, value in headers.items():
                connection.putheader(key, value)
            if body:
                connection.putheader("content-length", str(len(body)))
            connection.endheaders(body or None)
            response = connection.getresponse()
            return response.status, response.read()
        except (http.client.HTTPException, OSError):
            # A kept-alive connection the sidecar closed meanwhile: one fresh attempt.
            connection.close()
            connections.pop(name, None)
            if attempt == 1:
                raise


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True

    def log_message(self, *args):
        pass

    def serve(self, method):
        length = int(self.headers.get("content-length") or 0)
        body = self.rfile.read(length) if length else b""
        parts = {"service": SERVICE}
        status = 200
        for name, address in DOWNSTREAM:
            forward = body if name in ("reviews", "ratings") else b""
            code, answer = call(name, address, method if forward else "GET", self.headers, forward)
            status = status if code == 200 else 502
            parts[name] = json.loads(answer) if code == 200 else {"status": code}
        if SERVICE == "ratings" and body:
            parts["sha256"] = hashlib.sha256(body).hexdigest()
        out = json.dumps(parts).encode()
        self.send_response(status)
        self.send_header("content-type", "application/json")
        self.send_header("content-length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def do_GET(self):
        self.serve("GET")

    def do_POST(self):
        self.serve("POST")


http.server.ThreadingHTTPServer(("0.0.0.0", PORT), Handler).serve_forever()
