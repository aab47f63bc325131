#!/usr/bin/python3
# An independent client of crid's port-forward over WebSocket (Debian's
# python3-websocket), framed as the kubelet serves it: ports in the query,
# channel 2i data and 2i+1 errors for port i, each channel's first message the
# port (uint16 little-endian). Sends one HTTP GET per port and prints what
# comes back on each data channel; errors go to stderr (exit 1).
#   ws_portforward.py URL PORT [PORT]... [--base64]
import base64
import struct
import sys

import websocket

args = [a for a in sys.argv[1:] if a != "--base64"]
b64 = "--base64" in sys.argv
url, ports = args[0].replace("http://", "ws://", 1), [int(p) for p in args[1:]]
query = "&".join("port=%d" % p for p in ports)
proto = "v4.base64.channel.k8s.io" if b64 else "v4.channel.k8s.io"
ws = websocket.create_connection(url + "?" + query, subprotocols=[proto])
if ws.getsubprotocol() != proto:
    sys.exit("ws_portforward.py: server chose %r, not %s" % (ws.getsubprotocol(), proto))


def encode(channel, data):
    if b64:
        return (chr(ord("0") + channel) + base64.b64encode(data).decode()).encode()
    return bytes([channel]) + data


def decode(message):
    if b64:
        text = message.decode() if isinstance(message, bytes) else message
        return ord(text[0]) - ord("0"), base64.b64decode(text[1:])
    return message[0], message[1:]


for i in range(len(ports)):
    request = b"GET /index.html HTTP/1.0\r\nHost: pod\r\n\r\n"
    if b64:
        ws.send(encode(2 * i, request).decode())
    else:
        ws.send_binary(encode(2 * i, request))

seen_prefix = set()
data = {i: b"" for i in range(len(ports))}
errors = b""
while True:
    try:
        opcode, message = ws.recv_data()
    except websocket.WebSocketConnectionClosedException:
        break
    if opcode == websocket.ABNF.OPCODE_CLOSE:
        break
    if not message:
        continue
    channel, payload = decode(message)
    if channel not in seen_prefix:
        seen_prefix.add(channel)
        if struct.unpack("<H", payload[:2])[0] != ports[channel // 2]:
            sys.exit("ws_portforward.py: channel %d began with %r, not port %d" % (channel, payload[:2], ports[channel // 2]))
        payload = payload[2:]
    if channel % 2 == 0:
        data[channel // 2] += payload
    else:
        errors += payload
for i, port in enumerate(ports):
    body = data[i].split(b"\r\n\r\n", 1)[-1]
    sys.stdout.write("%d: %s\n" % (port, body.decode(errors="replace").strip()))
if len(seen_prefix) != 2 * len(ports):
    sys.exit("ws_portforward.py: not every channel began with its port (saw %s)" % sorted(seen_prefix))
if errors:
    sys.stderr.write(errors.decode(errors="replace") + "\n")
    sys.exit(1)
