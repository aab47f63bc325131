#!/usr/bin/python3
"""A registry front that speaks Docker's token auth, for crid_images.bats.

    token_auth_proxy.py PORT UPSTREAM LOGFILE [USER:PASSWORD]

Forwards /v2/... to the (auth-less) docker-registry at http://UPSTREAM and logs
every request as "METHOD PATH AUTHORIZATION" to LOGFILE, so tests can count
blob downloads. With USER:PASSWORD it demands tokens, as Docker Hub does:
a /v2/ request without "Bearer <token>" gets 401 with
    WWW-Authenticate: Bearer realm="http://127.0.0.1:PORT/token",service="berth-test",scope="repository:REPO:pull"
and GET /token?service=berth-test&scope=repository:REPO:pull hands out a
token for that scope: to anyone for repositories under public/, and to
USER:PASSWORD (basic auth) for all. A token is good for its repository only.
Wrong credentials at /token get 401. Without USER:PASSWORD it only forwards.
"""
import base64
import http.server
import re
import secrets
import sys
import urllib.parse

import registry_forward

PORT, UPSTREAM, LOG = int(sys.argv[1]), sys.argv[2], sys.argv[3]
CREDS = sys.argv[4] if len(sys.argv) > 4 else None
TOKENS = {}  # token -> repository


def log(line):
    with open(LOG, "a") as f:
        f.write(line + "\n")


class Proxy(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def reply(self, code, body=b"", headers=()):
        self.send_response(code)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def token(self):
        q = urllib.parse.parse_qs(urllib.parse.urlparse(self.path).query)
        scope = q.get("scope", [""])[0]
        m = re.fullmatch(r"repository:([^:]+):pull(,push)?", scope)
        if q.get("service", [""])[0] != "berth-test" or not m:
            return self.reply(400, b'{"errors":[{"code":"DENIED","message":"bad service or scope"}]}')
        repo = m.group(1)
        auth = self.headers.get("Authorization", "")
        user_ok = False
        if auth.startswith("Basic "):
            user_ok = base64.b64decode(auth[6:]).decode() == CREDS
            if not user_ok:
                return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"wrong credentials"}]}')
        if not user_ok and not repo.startswith("public/"):
            return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"authentication required"}]}')
        tok = secrets.token_hex(16)
        TOKENS[tok] = repo
        body = ('{"token": "%s", "access_token": "%s", "expires_in": 300}' % (tok, tok)).encode()
        self.reply(200, body, [("Content-Type", "application/json")])

    def handle_any(self):
        log("%s %s %s" % (self.command, self.path, self.headers.get("Authorization", "-").split(" ")[0]))
        if self.path.startswith("/token"):
            return self.token()
        if CREDS and self.path.startswith("/v2/"):
            m = re.match(r"/v2/(.+)/(manifests|blobs|tags)/", self.path)
            repo = m.group(1) if m else ""
            auth = self.headers.get("Authorization", "")
            good = auth.startswith("Bearer ") and TOKENS.get(auth[7:]) == repo and repo
            if not good:
                challenge = 'Bearer realm="http://127.0.0.1:%d/token",service="berth-test"' % PORT
                if repo:
                    challenge += ',scope="repository:%s:pull"' % repo
                return self.reply(401, b'{"errors":[{"code":"UNAUTHORIZED","message":"token required"}]}',
                                  [("WWW-Authenticate", challenge), ("Content-Type", "application/json")])
        status, headers, data = registry_forward.fetch(self, UPSTREAM, ("host", "connection", "authorization"))
        registry_forward.send_head(self, status, headers, len(data))
        if self.command != "HEAD":
            self.wfile.write(data)

    do_GET = do_HEAD = do_PUT = do_POST = do_PATCH = do_DELETE = handle_any


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


Server(("127.0.0.1", PORT), Proxy).serve_forever()
