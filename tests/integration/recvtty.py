#!/usr/bin/env python3
"""Console-socket receiver for terminal tests.

Listens on a unix socket, takes the pty master a runtime sends over it
(SCM_RIGHTS, as with `--console-socket`), optionally types some input into
it, and copies everything the container writes to stdout until the pty's
last slave closes.

    recvtty.py SOCKET [--input TEXT]
"""

import argparse
import os
import socket
import sys


def receive_fd(conn):
    fds = []
    cmsg_space = socket.CMSG_SPACE(4)
    while not fds:
        msg, ancdata, _flags, _addr = conn.recvmsg(4096, cmsg_space)
        for level, kind, data in ancdata:
            if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
                fds.extend(int.from_bytes(data[i:i + 4], sys.byteorder)
                           for i in range(0, len(data) - len(data) % 4, 4))
        if not msg and not ancdata:
            raise SystemExit("recvtty: peer closed without sending a descriptor")
    for extra in fds[1:]:
        os.close(extra)
    return fds[0]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("socket")
    parser.add_argument("--input", default=None)
    opts = parser.parse_args()

    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(opts.socket)
    server.listen(1)
    conn, _ = server.accept()
    master = receive_fd(conn)
    conn.close()
    server.close()

    if opts.input is not None:
        os.write(master, opts.input.encode())

    out = sys.stdout.buffer
    while True:
        try:
            chunk = os.read(master, 4096)
        except OSError:  # EIO: every slave end is closed
            break
        if not chunk:
            break
        out.write(chunk.replace(b"\r\n", b"\n"))
        out.flush()
    os.close(master)


if __name__ == "__main__":
    main()
