#!/usr/bin/env python3
"""Seccomp agent stand-in for listenerPath tests: accepts one connection,
receives the container process state and the listener fd (SCM_RIGHTS),
writes the state JSON and the fd's /proc link to OUT_PREFIX.{json,fdlink},
then closes the listener so notified syscalls fail with ENOSYS."""
import array
import os
import socket
import sys

path, out = sys.argv[1], sys.argv[2]
srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
srv.bind(path)
srv.listen(1)
srv.settimeout(30)
open(out + ".ready", "w").close()
conn, _ = srv.accept()
fds = array.array("i")
msg, anc, _, _ = conn.recvmsg(65536, socket.CMSG_SPACE(4 * fds.itemsize))
for level, kind, data in anc:
    if level == socket.SOL_SOCKET and kind == socket.SCM_RIGHTS:
        fds.frombytes(data[: len(data) - (len(data) % fds.itemsize)])
with open(out + ".json", "wb") as f:
    f.write(msg)
with open(out + ".fdlink", "w") as f:
    f.write(os.readlink("/proc/self/fd/%d" % fds[0]) if fds else "none")
for fd in fds:
    os.close(fd)
conn.close()
srv.close()
