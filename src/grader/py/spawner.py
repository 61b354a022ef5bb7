"""Starts sandbox processes for the Node worker.

Forking a large Node process costs milliseconds of page-table copying per child, on the
event loop; this small process forks instead. One JSON request per stdin line:
  {"id", "argv", "cwd", "env", "stdin": b64, "fd3": b64 | null, "wall_ms", "output_bytes"}
and one JSON reply per stdout line when that process tree has finished:
  {"id", "status": exited|signaled|wall_timeout|output_limit|spawn_failed,
   "exit_code", "signal", "stdout": b64, "stderr": b64, "wall_ms", "error"}
Each child gets its own session; a wall-clock or output overrun kills its whole group.
"""
import base64
import json
import os
import selectors
import signal
import sys
import time

sel = selectors.DefaultSelector()
jobs = {}
out = sys.stdout.buffer


class Job(object):
    def __init__(self, req):
        self.id = req['id']
        self.cap = int(req['output_bytes'])
        self.started = time.monotonic()
        self.deadline = self.started + req['wall_ms'] / 1000.0
        self.buf = {1: bytearray(), 2: bytearray()}
        self.open_fds = {}
        self.killed_for = None
        self.status = None
        self.pidfd = None
        self.exited_at = None
        stdin_r, stdin_w = os.pipe()
        out_r, out_w = os.pipe()
        err_r, err_w = os.pipe()
        fd3 = base64.b64decode(req['fd3']) if req.get('fd3') else None
        extra_r = extra_w = None
        if fd3 is not None:
            extra_r, extra_w = os.pipe()
        pid = os.fork()
        if pid == 0:  # child: only async-signal-safe-ish work until exec
            try:
                os.setsid()
                os.dup2(stdin_r, 0)
                os.dup2(out_w, 1)
                os.dup2(err_w, 2)
                if extra_r is not None:
                    os.dup2(extra_r, 3)
                os.closerange(4 if extra_r is not None else 3, 65536)
                os.chdir(req['cwd'])
                os.execve(req['argv'][0], req['argv'], req['env'])
            except BaseException as exc:  # noqa: B902
                try:
                    os.write(2, ('spawn failed: %s\n' % exc).encode())
                finally:
                    os._exit(127)
        self.pid = pid
        for fd in (stdin_r, out_w, err_w) + ((extra_r,) if extra_r is not None else ()):
            os.close(fd)
        self.write_all(extra_w, fd3)
        self.stdin = base64.b64decode(req.get('stdin') or '')
        self.stdin_fd = stdin_w
        os.set_blocking(stdin_w, False)
        self.feed_stdin()
        for fd, stream in ((out_r, 1), (err_r, 2)):
            os.set_blocking(fd, False)
            self.open_fds[fd] = stream
            sel.register(fd, selectors.EVENT_READ, (self, stream))
        try:
            self.pidfd = os.pidfd_open(pid)
            sel.register(self.pidfd, selectors.EVENT_READ, (self, 'exit'))
        except (AttributeError, OSError):
            self.pidfd = None

    @staticmethod
    def write_all(fd, data):
        if fd is None:
            return
        try:
            view = memoryview(data)
            while view:
                view = view[os.write(fd, view):]
        except OSError:
            pass
        os.close(fd)

    def feed_stdin(self):
        if self.stdin_fd is None:
            return
        try:
            while self.stdin:
                n = os.write(self.stdin_fd, self.stdin[:65536])
                self.stdin = self.stdin[n:]
        except BlockingIOError:
            if not self.stdin_registered():
                sel.register(self.stdin_fd, selectors.EVENT_WRITE, (self, 'stdin'))
            return
        except OSError:
            self.stdin = b''
        self.close_stdin()

    def stdin_registered(self):
        try:
            sel.get_key(self.stdin_fd)
            return True
        except KeyError:
            return False

    def close_stdin(self):
        if self.stdin_fd is not None:
            if self.stdin_registered():
                sel.unregister(self.stdin_fd)
            os.close(self.stdin_fd)
            self.stdin_fd = None

    def kill(self, why):
        if self.killed_for is None:
            self.killed_for = why
        try:
            os.killpg(self.pid, signal.SIGKILL)
        except OSError:
            pass

    def read(self, fd, stream):
        try:
            chunk = os.read(fd, 65536)
        except BlockingIOError:
            return
        except OSError:
            chunk = b''
        if not chunk:
            self.close_fd(fd)
            return
        buf = self.buf[stream]
        room = self.cap - len(buf)
        if len(chunk) > room:
            buf.extend(chunk[:max(room, 0)])
            self.kill('output_limit')
        else:
            buf.extend(chunk)

    def close_fd(self, fd):
        if fd in self.open_fds:
            sel.unregister(fd)
            os.close(fd)
            del self.open_fds[fd]

    def reap(self):
        if self.status is not None:
            return True
        try:
            pid, status = os.waitpid(self.pid, os.WNOHANG)
        except ChildProcessError:
            pid, status = self.pid, 0
        if pid == 0:
            return False
        self.status = status
        self.exited_at = time.monotonic()
        if self.pidfd is not None:
            sel.unregister(self.pidfd)
            os.close(self.pidfd)
            self.pidfd = None
        return True

    def done(self):
        # A descendant that escaped the group could hold the pipes open: stop waiting soon.
        if self.status is not None and self.open_fds and time.monotonic() - self.exited_at > 0.5:
            for fd in list(self.open_fds):
                self.close_fd(fd)
        return self.status is not None and not self.open_fds

    def reply(self):
        self.close_stdin()
        st = self.status
        exit_code = os.WEXITSTATUS(st) if os.WIFEXITED(st) else None
        sig = os.WTERMSIG(st) if os.WIFSIGNALED(st) else None
        status = 'signaled' if sig is not None else 'exited'
        if self.killed_for:
            status = self.killed_for
        return {
            'id': self.id, 'status': status, 'exit_code': exit_code, 'signal': sig,
            'stdout': base64.b64encode(bytes(self.buf[1])).decode(),
            'stderr': base64.b64encode(bytes(self.buf[2])).decode(),
            'wall_ms': (time.monotonic() - self.started) * 1000.0,
        }


def send(obj):
    out.write(json.dumps(obj).encode() + b'\n')
    out.flush()


def main():
    stdin_fd = sys.stdin.fileno()
    os.set_blocking(stdin_fd, False)
    sel.register(stdin_fd, selectors.EVENT_READ, (None, 'requests'))
    pending = b''
    eof = False
    while not eof or jobs:
        now = time.monotonic()
        timeout = 0.05
        for job in jobs.values():
            if job.status is None:
                if now >= job.deadline:
                    job.kill('wall_timeout')
                else:
                    timeout = min(timeout, job.deadline - now)
        for key, _ in sel.select(max(timeout, 0)):
            job, what = key.data
            if what == 'requests':
                try:
                    data = os.read(stdin_fd, 1 << 20)
                except BlockingIOError:
                    continue
                if not data:
                    eof = True
                    sel.unregister(stdin_fd)
                    continue
                pending += data
                while b'\n' in pending:
                    line, pending = pending.split(b'\n', 1)
                    req = json.loads(line)
                    try:
                        jobs[req['id']] = Job(req)
                    except Exception as exc:  # pipes or fork failed
                        send({'id': req['id'], 'status': 'spawn_failed', 'exit_code': None, 'signal': None,
                              'stdout': '', 'stderr': '', 'wall_ms': 0, 'error': str(exc)})
            elif what == 'stdin':
                job.feed_stdin()
            elif what == 'exit':
                job.reap()
            else:
                job.read(key.fd, what)
        for job_id, job in list(jobs.items()):
            if job.pidfd is None:
                job.reap()
            if job.done():
                del jobs[job_id]
                send(job.reply())


if __name__ == '__main__':
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    main()
