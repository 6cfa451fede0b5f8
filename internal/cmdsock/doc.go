// Package cmdsock speaks LXC 5.0.2's per-container command protocol, both as
// the server a container monitor runs and as the client tools use, so golxc
// tools and real LXC tools can talk to each other's monitors.
//
// # Socket
//
// The monitor listens on an abstract AF_UNIX stream socket named
// "\0LXCPATH/NAME/command". The address length covers the leading NUL and
// the text only (no trailing NUL). LXC formats the text into sun_path minus
// two bytes, so it is used while it is at most 105 bytes long; a longer
// text is replaced by "lxc/HASH/command", HASH being the FNV-1a 64-bit hash
// of "LXCPATH/NAME" as 16 lower-case hex digits. Hashed sockets answer
// GET_NAME and GET_LXCPATH so scanners of /proc/net/unix can tell whose
// they are. Abstract names belong to the network namespace and disappear
// when the socket closes: a name that is taken means a live server.
// Nothing listening (ECONNREFUSED) is what "STOPPED" means.
//
// # Framing
//
// Every command uses a fresh connection. The client writes a request
// header, struct {int cmd; int datalen; const void *data;}, in host byte
// order: 4 + 4 bytes, padding to pointer alignment, and the pointer (16
// bytes on 64-bit hosts). The header goes in one sendmsg that carries
// SCM_CREDENTIALS (the client's pid, uid and gid). If datalen > 0, datalen
// payload bytes follow. Otherwise the pointer slot itself holds a small
// argument: the tty number for GET_TTY_FD, the timeout for
// FREEZE/UNFREEZE, the state for SERVE_STATE_CLIENTS.
//
// The reply has the same shape, struct {int ret; int datalen; void *data;}.
// ret is 0 or a negative errno, and datalen payload bytes follow it. When
// datalen is 0 the pointer slot carries an integer, read as its low 32 bits:
// the state (GET_STATE), the init pid (GET_INIT_PID), the clone flags, or
// the tty number. String payloads (config items, cgroup paths, names)
// include their terminating NUL. Payloads above 8192 bytes (2*PATH_MAX) are
// refused both ways, except for CONSOLE_LOG.
//
// Descriptors travel as SCM_RIGHTS on the reply header. GET_TTY_FD,
// GET_CGROUP2_FD, GET_LIMIT_CGROUP2_FD, GET_INIT_PIDFD, GET_DEVPTS_FD,
// GET_SECCOMP_NOTIFY_FD, GET_CGROUP_FD and GET_LIMIT_CGROUP_FD carry one;
// GET_CGROUP_CTX carries up to 20. The one request that carries a
// descriptor is SECCOMP_NOTIFY_ADD_LISTENER: after its header the client
// sends a separate one-byte message with the listener fd.
//
// # Who may ask
//
// The server turns on SO_PASSCRED and checks every request's credentials.
// A sender that is not root, or whose uid or gid differs from the server's,
// gets a reply with ret = -EPERM and is hung up on, whatever the command.
// LXC 5.0.2 makes no per-command exception (GET_STATE is refused too), and
// neither does this package.
//
// # Replies that are not replies
//
// LXC closes the connection after answering, except where the connection
// itself stands for something:
//   - STOP: on success the monitor sends nothing and keeps the connection
//     until it exits. The client's EOF means "stopped"; a reply means
//     failure (ret = -errno).
//   - GET_TTY_FD: the tty slot stays allocated while the connection is
//     open. A busy or invalid tty gets a hang-up with no reply.
//   - ADD_STATE_CLIENT: the payload is int states[8], and states[s] == 1
//     asks to hear about s. If the current state is wanted, ret and the
//     pointer slot hold it and the client is done. Otherwise both hold 8
//     (MAX_STATE) and the connection is registered. On the next transition
//     to a wanted state, the monitor writes one struct lxc_msg {int type
//     = 0; char name[256]; int value = state;} (264 bytes) and hangs up.
//     A real LXC 5.0.2 monitor that exits sends nothing and just closes its
//     state clients. liblxc reads that EOF as a zeroed message, so it means
//     STOPPED. Subscription.Wait does the same.
//   - Unknown commands and handler failures: hang-up without a reply.
//   - TERMINAL_WINCH is obsolete in LXC 5 and is answered the same way.
//
// FREEZE and UNFREEZE are sent by LXC only on pure cgroup2 hosts (on hybrid
// and v1 hosts the client writes freezer.state itself and then uses
// SERVE_STATE_CLIENTS to announce FREEZING/FROZEN/THAWED/RUNNING).
//
// # This package
//
// Server runs the accept loop. It answers GET_NAME and GET_LXCPATH itself
// and hands every other command to a Handler. Request.Keep and
// Request.AnswerAddStateClient give a handler LXC's keep-the-connection
// behaviours, and Server.NotifyState feeds the state clients. Client
// wraps each command in a typed helper. ActiveNames and IsRunning find
// running containers the way lxc-ls --active does.
package cmdsock
