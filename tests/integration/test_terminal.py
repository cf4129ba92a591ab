"""process.terminal: the pty master sent to --console-socket (as conmon expects), consoleSize, and a
foreground `run` relaying a real terminal."""
import fcntl
import os
import pty
import select
import socket
import struct
import subprocess
import termios
import threading
import time

from conftest import CRUN


def terminal_edit(args, size=None):
    def edit(c):
        c["process"]["terminal"] = True
        c["process"]["args"] = args
        if size:
            c["process"]["consoleSize"] = {"height": size[0], "width": size[1]}
    return edit


def read_until_eof(fd, timeout=20):
    """Everything the container writes until its side of the pty is gone (EIO on the master)."""
    out = b""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        r, _, _ = select.select([fd], [], [], 0.5)
        if not r:
            continue
        try:
            chunk = os.read(fd, 4096)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    return out.decode(errors="replace").replace("\r\n", "\n")


class ConsoleSocket:
    """conmon's side: a listening unix socket; the runtime connects and sends the master with SCM_RIGHTS."""

    def __init__(self, path):
        self.path = path
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.bind(path)
        self.sock.listen(1)
        self.sock.settimeout(30)
        self.master = None
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        conn, _ = self.sock.accept()
        with conn:
            _, fds, _, _ = socket.recv_fds(conn, 4096, 1)
            self.master = fds[0] if fds else None

    def close(self):
        self.sock.close()
        if self.master is not None:
            os.close(self.master)


def test_console_socket_receives_the_master(rt, tmp_path):
    cs = ConsoleSocket(str(tmp_path / "console.sock"))
    try:
        cid = rt.new_id()
        b = rt.bundle(edit=terminal_edit(["sh", "-c", "tty; stty size; echo done"], size=(40, 100)))
        rt.run("create", "--bundle", b, "--console-socket", cs.path, cid, check=True)
        cs.thread.join(10)
        assert cs.master is not None, "no fd received on the console socket"
        assert os.readlink(f"/proc/self/fd/{cs.master}") in ("/dev/ptmx", "/dev/pts/ptmx")
        rt.run("start", cid, check=True)
        out = read_until_eof(cs.master)
    finally:
        cs.close()
    lines = out.split()
    assert "/dev/pts/0" in lines, out
    assert "40 100" in out, out  # consoleSize applied before the workload started
    assert "done" in lines, out


def test_create_with_terminal_needs_console_socket(rt):
    cid = rt.new_id()
    r = rt.run("create", "--bundle", rt.bundle(edit=terminal_edit(["true"])), cid)
    assert r.returncode != 0 and "--console-socket" in r.stderr, r
    assert not os.path.exists(os.path.join(rt.root, cid))


def test_unreachable_console_socket_is_a_clear_error(rt, tmp_path):
    cid = rt.new_id()
    path = str(tmp_path / "nobody.sock")
    r = rt.run("create", "--bundle", rt.bundle(edit=terminal_edit(["true"])), "--console-socket", path, cid)
    assert r.returncode != 0 and "nobody.sock" in r.stderr, r
    assert not os.path.exists(os.path.join(rt.root, cid))


def test_foreground_run_relays_a_terminal(rt):
    """`run` on a real terminal: the container gets its own pty, our input reaches it, its output and
    the window size come back."""
    cid = rt.new_id()
    b = rt.bundle(edit=terminal_edit(["sh", "-c", "tty; stty size; read line; echo got=$line; exit 3"]))
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 33, 77, 0, 0))
    try:
        p = subprocess.Popen([CRUN, "--root", rt.root, "run", "--bundle", b, cid], stdin=slave, stdout=slave,
                             stderr=slave, start_new_session=True)
        os.close(slave)
        slave = None
        out = ""
        end = time.monotonic() + 20
        while "33 77" not in out and time.monotonic() < end:
            r, _, _ = select.select([master], [], [], 0.5)
            if r:
                out += os.read(master, 4096).decode(errors="replace")
        os.write(master, b"hello\r")
        out += read_until_eof(master)
        rc = p.wait(20)
    finally:
        if slave is not None:
            os.close(slave)
        os.close(master)
    assert "/dev/pts/0" in out, out
    assert "33 77" in out, out  # the window size of our terminal was copied
    assert "got=hello" in out, out
    assert rc == 3
