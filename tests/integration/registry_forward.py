"""What the test registry fronts (fault_proxy.py, token_auth_proxy.py) share:
passing one request through to the upstream docker-registry and sending its
answer back with a Content-Length of our own (the upstream's chunking and
connection headers are hop-by-hop)."""
import http.client


def fetch(handler, upstream, drop=("host", "connection")):
    """Forwards the request `handler` holds; returns (status, headers, body)."""
    length = int(handler.headers.get("Content-Length") or 0)
    body = handler.rfile.read(length) if length else None
    headers = {k: v for k, v in handler.headers.items() if k.lower() not in drop}
    up = http.client.HTTPConnection(upstream, timeout=30)
    up.request(handler.command, handler.path, body=body, headers=headers)
    resp = up.getresponse()
    return resp.status, resp.getheaders(), resp.read()


def send_head(handler, status, headers, length):
    handler.send_response(status)
    for k, v in headers:
        if k.lower() not in ("connection", "transfer-encoding", "content-length"):
            handler.send_header(k, v)
    handler.send_header("Content-Length", str(length))
    handler.end_headers()
