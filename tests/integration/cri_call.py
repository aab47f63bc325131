#!/usr/bin/python3
"""A second CRI client for the tests: calls one RuntimeService (or
ImageService) method with a JSON request and prints the JSON response.

    cri_call.py ENDPOINT METHOD [JSON]      e.g. unix:///t/crid.sock PodSandboxStats '{"pod_sandbox_id": "ab"}'

The message classes come from crid/proto/api.proto, compiled with protoc
into a temporary directory (python3-protobuf and python3-grpcio, no
generated stubs needed: the method is called by its path). A failed call
prints "CODE: message" on stderr and exits 1.
"""
import importlib
import os
import subprocess
import sys
import tempfile

import grpc
from google.protobuf import json_format

PROTO_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "crid", "proto")
IMAGE_METHODS = {"ListImages", "ImageStatus", "PullImage", "RemoveImage", "ImageFsInfo"}


def load_api(tmp):
    subprocess.run(["protoc", "-I" + PROTO_DIR, "--python_out=" + tmp, "api.proto"], check=True)
    sys.path.insert(0, tmp)
    return importlib.import_module("api_pb2")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    endpoint, method = sys.argv[1], sys.argv[2]
    body = sys.argv[3] if len(sys.argv) > 3 else "{}"
    with tempfile.TemporaryDirectory() as tmp:
        api = load_api(tmp)
        request_type = getattr(api, method + "Request")
        response_type = getattr(api, method + "Response")
        request = json_format.Parse(body, request_type())
        service = "ImageService" if method in IMAGE_METHODS else "RuntimeService"
        # ExecSync answers up to 16 MiB per stream: more than grpc's 4 MiB default.
        options = [("grpc.max_receive_message_length", 64 << 20)]
        with grpc.insecure_channel(endpoint, options=options) as channel:
            call = channel.unary_unary("/runtime.v1.%s/%s" % (service, method),
                                       request_serializer=request_type.SerializeToString,
                                       response_deserializer=response_type.FromString)
            try:
                response = call(request, timeout=60)
            except grpc.RpcError as e:
                print("%s: %s" % (e.code().name, e.details()), file=sys.stderr)
                sys.exit(1)
        print(json_format.MessageToJson(response, preserving_proto_field_name=True))


if __name__ == "__main__":
    main()
