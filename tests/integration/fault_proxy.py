#!/usr/bin/python3
"""An HTTP proxy in front of a test registry that misbehaves on blob GETs.

    fault_proxy.py PORT UPSTREAM MODEFILE

Every request is forwarded to http://UPSTREAM. For GET .../blobs/sha256:...
the first line of MODEFILE (read on each request) decides:
    pass   forward the blob whole
    stall  send the headers and half the body, then hold the connection open
    drop   send the headers and half the body, then close the connection
Each faulted blob request is appended to MODEFILE.log as "MODE DIGEST".
"""
import http.server
import socket
import sys
import time

import registry_forward

PORT, UPSTREAM, MODEFILE = int(sys.argv[1]), sys.argv[2], sys.argv[3]


def mode():
    try:
        with open(MODEFILE) as f:
            return f.readline().strip() or "pass"
    except OSError:
        return "pass"


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def forward(self):
        status, headers, data = registry_forward.fetch(self, UPSTREAM)
        m = mode()
        is_blob = self.command == "GET" and "/blobs/sha256:" in self.path and status == 200
        registry_forward.send_head(self, status, headers, len(data))
        if self.command == "HEAD":
            return
        if not is_blob or m == "pass":
            self.wfile.write(data)
            return
        digest = self.path.rsplit("/", 1)[-1]
        with open(MODEFILE + ".log", "a") as log:
            log.write(f"{m} {digest}\n")
        self.wfile.write(data[: len(data) // 2])
        self.wfile.flush()
        if m == "stall":
            time.sleep(300)
        self.close_connection = True
        self.connection.shutdown(socket.SHUT_RDWR)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = forward


http.server.ThreadingHTTPServer.daemon_threads = True
http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Proxy).serve_forever()
