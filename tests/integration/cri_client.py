#!/usr/bin/python3
"""A minimal CRI gRPC client for the tests, independent of cridctl.

    cri_client.py ENDPOINT METHOD [REQUEST_JSON]

ENDPOINT is unix:///path; METHOD a RuntimeService or ImageService method
("RunPodSandbox", "ImageService/PullImage"); REQUEST_JSON the request in
protobuf JSON ("{}" when left out). Prints the response as JSON. On a gRPC
error prints "CODE: message" (CODE as grpc names it: NOT_FOUND, ...) on
stderr and exits 1.

The Python classes are generated from crid/proto/api.proto with protoc into
$CRI_CLIENT_CACHE (default /tmp/cri-client-py-<uid>) on first use.

Other Python tools (tests/bench, tests/load) import it for load_api(),
Client (one channel, a stub per method, safe to share between threads) and
processes().
"""
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
PROTO_DIR = os.environ.get("CRI_PROTO_DIR", os.path.join(HERE, "..", "..", "crid", "proto"))
CACHE = os.environ.get("CRI_CLIENT_CACHE", "/tmp/cri-client-py-%d" % os.getuid())


def load_api():
    proto = os.path.join(PROTO_DIR, "api.proto")
    generated = os.path.join(CACHE, "api_pb2.py")
    if not os.path.exists(generated) or os.path.getmtime(generated) < os.path.getmtime(proto):
        os.makedirs(CACHE, exist_ok=True)
        tmp = CACHE + "/tmp-%d" % os.getpid()
        os.makedirs(tmp, exist_ok=True)
        subprocess.run(["protoc", "-I", PROTO_DIR, "--python_out", tmp, proto], check=True)
        os.replace(os.path.join(tmp, "api_pb2.py"), generated)
        os.rmdir(tmp)
    sys.path.insert(0, CACHE)
    import api_pb2  # noqa: E402
    return api_pb2


class CriError(RuntimeError):
    """A failed call: code is grpc's name for the status (NOT_FOUND, ...)."""

    def __init__(self, method, code, details, prefix=""):
        super().__init__("%s%s: %s: %s" % (prefix, method, code, details))
        self.method, self.code, self.details = method, code, details


class Client:
    """One gRPC channel to ENDPOINT; call(METHOD, REQUEST) with METHOD as on
    the command line and REQUEST a dict in protobuf JSON form or a message.
    Errors raise CriError, their text prefixed with NAME when one is given."""

    def __init__(self, endpoint, name=""):
        import grpc
        self._grpc = grpc
        self.api = load_api()
        self.name = name
        self.endpoint = endpoint
        self.channel = grpc.insecure_channel(endpoint)
        self._stubs = {}

    def _stub(self, service, method):
        key = (service, method)
        if key not in self._stubs:
            desc = self.api.DESCRIPTOR.services_by_name[service].methods_by_name[method]
            req_class = getattr(self.api, desc.input_type.name)
            resp_class = getattr(self.api, desc.output_type.name)
            stub = self.channel.unary_unary("/runtime.v1.%s/%s" % (service, method),
                                            request_serializer=req_class.SerializeToString,
                                            response_deserializer=resp_class.FromString)
            # A race here only builds the same stub twice.
            self._stubs[key] = (req_class, stub)
        return self._stubs[key]

    def call(self, method, request=None, timeout=180):
        from google.protobuf import json_format
        service = "RuntimeService"
        if "/" in method:
            service, method = method.split("/", 1)
        req_class, stub = self._stub(service, method)
        if request is None:
            request = {}
        if isinstance(request, dict):
            request = json_format.ParseDict(request, req_class())
        try:
            return stub(request, timeout=timeout)
        except self._grpc.RpcError as e:
            raise CriError(method, e.code().name, e.details(),
                           self.name + " " if self.name else "") from None

    def close(self):
        self.channel.close()


def processes(exe_suffix, match):
    """Pids of the processes whose argv[0] ends with EXE_SUFFIX and whose
    command line holds MATCH (a daemon's root, say, to tell its helpers
    from another daemon's)."""
    pids = []
    for p in os.listdir("/proc"):
        if not p.isdigit():
            continue
        try:
            with open("/proc/%s/cmdline" % p, "rb") as f:
                argv = f.read().split(b"\0")
        except OSError:
            continue
        if argv and argv[0].decode(errors="replace").endswith(exe_suffix) and \
                match.encode() in b" ".join(argv):
            pids.append(int(p))
    return pids


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    from google.protobuf import json_format

    endpoint, method = sys.argv[1], sys.argv[2]
    client = Client(endpoint)
    service = method.split("/", 1)[0] if "/" in method else "RuntimeService"
    name = method.split("/", 1)[-1]
    desc = client.api.DESCRIPTOR.services_by_name[service].methods_by_name[name]
    request = json_format.Parse(sys.argv[3] if len(sys.argv) > 3 else "{}",
                                getattr(client.api, desc.input_type.name)())
    try:
        response = client.call(method, request, timeout=float(os.environ.get("CRI_CLIENT_TIMEOUT", "120")))
    except CriError as e:
        sys.stderr.write("%s: %s\n" % (e.code, e.details))
        return 1
    print(json_format.MessageToJson(response, including_default_value_fields=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
