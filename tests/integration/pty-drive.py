#!/usr/bin/env python3
"""Run a command with stdin and stderr on a real pseudo-terminal and stdout on a file (a pipe, not a
terminal), as in `skytune apply | tail` typed at a terminal. Once the command asks ("[y/N]" on the
terminal), answer it or send it a signal.

    pty-drive.py STDOUT_FILE ACTION CMD...     ACTION: answer:TEXT | signal:INT | signal:TERM

What the terminal showed goes to STDOUT_FILE.tty. Exits with the command's exit code (128 + N when
a signal killed it), or 99 when it exited without asking (the terminal text says what it did).
"""
import os
import pty
import select
import signal
import subprocess
import sys
import time


def main():
    out_path, action, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    master, slave = pty.openpty()
    with open(out_path, "wb") as out:
        child = subprocess.Popen(cmd, stdin=slave, stdout=out, stderr=slave, close_fds=True)
    os.close(slave)
    seen = b""
    asked = eof = False
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        ready, _, _ = select.select([] if eof else [master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 4096)
            except OSError:      # EIO: the command closed its side
                chunk = b""
            eof = not chunk
            seen += chunk
        if not asked and b"[y/N]" in seen:
            asked = True
            time.sleep(0.3)      # the command is now blocked in its read of the answer
            if action.startswith("answer:"):
                os.write(master, action[len("answer:"):].encode() + b"\n")
            else:
                child.send_signal(getattr(signal, "SIG" + action[len("signal:"):]))
        if child.poll() is not None and (eof or not ready):
            break
    if child.poll() is None:
        child.kill()
    rc = child.wait()
    with open(out_path + ".tty", "wb") as tty:
        tty.write(seen)
    os.close(master)
    if not asked:
        sys.exit(99)
    sys.exit(128 - rc if rc < 0 else rc)


if __name__ == "__main__":
    main()
