#!/usr/bin/python3
# An independent WebSocket client for crid's streaming server (Debian's
# python3-websocket): runs the remote command behind a URL over
# v4/v5.channel.k8s.io, prints stdout and stderr, and exits with the command's
# exit code taken from the Status on channel 3.
#   ws_exec.py URL [STDIN_TEXT]
# An https URL is spoken over TLS, trusting the CA file in $WS_CA_CERTS.
import json
import os
import sys

import websocket

url = sys.argv[1].replace("https://", "wss://", 1).replace("http://", "ws://", 1)
sslopt = {"ca_certs": os.environ["WS_CA_CERTS"]} if os.environ.get("WS_CA_CERTS") else None
ws = websocket.create_connection(url, subprotocols=["v5.channel.k8s.io", "v4.channel.k8s.io"], sslopt=sslopt)
proto = ws.getsubprotocol() or ""
if len(sys.argv) > 2:
    ws.send_binary(b"\x00" + sys.argv[2].encode())
    if proto.startswith("v5."):
        ws.send_binary(b"\xff\x00")  # close stdin
status = None
while True:
    try:
        opcode, data = ws.recv_data()
    except websocket.WebSocketConnectionClosedException:
        break
    if opcode == websocket.ABNF.OPCODE_CLOSE:
        break
    if not data:
        continue
    channel, payload = data[0], data[1:]
    if channel == 1:
        sys.stdout.buffer.write(payload)
    elif channel == 2:
        sys.stderr.buffer.write(payload)
    elif channel == 3 and payload:
        status = json.loads(payload)
sys.stdout.flush()
if status is None:
    sys.exit("ws_exec.py: no status on the error channel")
if status.get("status") == "Success":
    sys.exit(0)
for cause in status.get("details", {}).get("causes", []):
    if cause.get("reason") == "ExitCode":
        sys.exit(int(cause["message"]))
sys.exit("ws_exec.py: " + status.get("message", "failure"))
