// Package attach runs a process inside a running container, the way
// lxc-attach does: it joins the container's namespaces through the C stage
// of internal/nsexec (spawn.Join), enters the container's cgroups, drops
// the bounding capabilities the container dropped, applies the
// environment policy and ids, and execs the command.
//
// # Process model
//
// Run (the caller's side) asks the container's monitor for init's pid,
// optionally allocates a pty on the container's own devpts, and starts the
// "attach" stage with spawn.Start. spawn's Prepare hook moves the
// intermediate into the container's cgroups before it joins the
// namespaces, so the attached process is born inside them. No Go runtime
// starts in the container: Run turns the options into an exec plan
// (stageSpec.plan: streams, personality, cwd, terminal, bounding set,
// seccomp, ids, exec, in that order) and the C executor of internal/nsexec
// carries it out in the joined process and execs. That process is
// non-dumpable until the exec, and every fd above 2 is close-on-exec, so
// nothing of the host reaches the command.
//
// The executor keeps its end of the sync socket until that exec and says
// there, last, whether it reached it (stageReport, a JSON packet the C
// writes: Exec, Failed after printing on the caller's stderr, or Err
// when it failed before it had that stderr). Wait uses it to tell
// the command's status from a helper that died on its way in: killed
// with its container, that is "the container stopped during the attach"
// (exit 1), as is any failure to enter while init is exiting, not a bare
// errno or a silent 137.
//
// # Frozen containers
//
// As with LXC, an attach to a frozen container waits for the thaw: the
// helper is frozen as soon as it enters the container's cgroups. Unlike
// LXC, it never holds the caller's streams while it may be frozen on its
// way in: it starts on /dev/null and receives the caller's stdin, stdout
// and stderr with the plan, once it runs inside. Run catches INT, TERM,
// HUP and QUIT from the start: during the setup a terminating signal
// aborts it (spawn's Request.Abort), the helper is killed and moved out
// of the frozen cgroup so the kill lands (cgroup.Evict); afterwards the
// signal is forwarded, and if the process is frozen it is killed and
// evicted the same way and Run returns without waiting for it.
//
// With a terminal, only the std streams that are terminals are replaced
// by the pty slave; redirected streams (files, pipes, /dev/null) are
// passed straight through, so "lxc-attach -n c -- cmd >file" and
// "echo cmd | lxc-attach -n c" behave as without a terminal.
package attach
