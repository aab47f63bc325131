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


def main():
    if len(sys.argv) < 3:
        sys.stderr.write(__doc__)
        return 2
    import grpc
    from google.protobuf import json_format

    api = load_api()
    endpoint, method = sys.argv[1], sys.argv[2]
    service = "RuntimeService"
    if "/" in method:
        service, method = method.split("/", 1)
    desc = api.DESCRIPTOR.services_by_name[service].methods_by_name[method]
    request_class = getattr(api, desc.input_type.name)
    response_class = getattr(api, desc.output_type.name)
    request = json_format.Parse(sys.argv[3] if len(sys.argv) > 3 else "{}", request_class())
    channel = grpc.insecure_channel(endpoint)
    call = channel.unary_unary("/runtime.v1.%s/%s" % (service, method),
                               request_serializer=request_class.SerializeToString,
                               response_deserializer=response_class.FromString)
    try:
        response = call(request, timeout=float(os.environ.get("CRI_CLIENT_TIMEOUT", "120")))
    except grpc.RpcError as e:
        sys.stderr.write("%s: %s\n" % (e.code().name, e.details()))
        return 1
    print(json_format.MessageToJson(response, including_default_value_fields=True))
    return 0


if __name__ == "__main__":
    sys.exit(main())
