# python3-lxc's console_getfd and console (the two Container methods that
# need a running container's terminals). argv: LXCPATH NAME. Prints
# "key: value" lines.
import lxc, os, sys
P, N = sys.argv[1:3]
c = lxc.Container(N, P)
c.create("busybox", lxc.LXC_CREATE_QUIET)
c.clear_config_item("lxc.net")
try:
    c.console_getfd()
    print("console_getfd stopped: no error", flush=True)
except ValueError as e:
    print("console_getfd stopped: ValueError", e, flush=True)
print("start:", c.start(), flush=True)
print("wait:", c.wait("RUNNING", 30), flush=True)
fd = c.console_getfd(ttynum=2)
print("console_getfd:", fd >= 0, os.isatty(fd), flush=True)
# the user typed Ctrl-a q at once
r, w = os.pipe()
os.write(w, b"\x01q")
null = os.open("/dev/null", os.O_WRONLY)
print("console:", c.console(ttynum=1, stdinfd=r, stdoutfd=null, stderrfd=null, escape=1), flush=True)
os.close(fd)
print("stop:", c.stop(), flush=True)
print("destroy:", c.destroy(), flush=True)
