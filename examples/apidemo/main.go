// Command apidemo drives a container through golxc's Go API (package lxc)
// from a program that is not golxc: create (busybox template, no
// network), start (daemonized monitor), wait for RUNNING, attach (runs a
// command and checks what it printed), stop, destroy.
//
//	apidemo [-P LXCPATH] [-golxc PATH] -n NAME [STEP...]
//
// STEPs are create, start, attach, stop and destroy; all of them, in that
// order, when none is given. Step execute runs a command as an
// application container in the foreground (lxc-execute's way: the
// monitor runs inside this program) and prints its exit status. The helper processes (monitor, init, attach
// stage) run the installed golxc binary; -golxc (lxc.SetGolxcBinary) or
// $GOLXC_BINARY names another one. The integration test
// TestAPIFromAnotherProgram builds and runs it.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/golxc/golxc/lxc"
)

const timeout = 30 * time.Second

func main() {
	lxcpath := flag.String("P", "", "container path (default: lxc.lxcpath)")
	name := flag.String("n", "", "container name")
	golxc := flag.String("golxc", "", "golxc binary for the helper processes")
	flag.Parse()
	if *name == "" {
		fmt.Fprintln(os.Stderr, "usage: apidemo [-P LXCPATH] [-golxc PATH] -n NAME [create|start|attach|stop|destroy|execute ...]")
		os.Exit(2)
	}
	if *golxc != "" {
		if err := lxc.SetGolxcBinary(*golxc); err != nil {
			fail("golxc", err)
		}
	}
	steps := flag.Args()
	if len(steps) == 0 {
		steps = []string{"create", "start", "attach", "stop", "destroy"}
	}
	c, err := lxc.NewContainer(*name, *lxcpath)
	if err != nil {
		fail("open", err)
	}
	for _, step := range steps {
		if err := run(c, step); err != nil {
			fail(step, err)
		}
		fmt.Printf("%s: ok\n", step)
	}
}

func fail(step string, err error) {
	fmt.Fprintf(os.Stderr, "apidemo: %s: %v\n", step, err)
	os.Exit(1)
}

func run(c *lxc.Container, step string) error {
	switch step {
	case "create":
		return create(c)
	case "start":
		if err := c.Start(); err != nil {
			return err
		}
		if !c.Wait(lxc.RUNNING, timeout) {
			return fmt.Errorf("not RUNNING after %v (state %s)", timeout, c.State())
		}
		fmt.Printf("init pid %d\n", c.InitPid())
		return nil
	case "attach":
		return attach(c)
	case "stop":
		if err := c.Stop(); err != nil {
			return err
		}
		if !c.Wait(lxc.STOPPED, timeout) {
			return fmt.Errorf("not STOPPED after %v (state %s)", timeout, c.State())
		}
		return nil
	case "destroy":
		return c.Destroy()
	case "execute":
		c.WantDaemonize(false)
		defer c.WantDaemonize(true)
		status, err := c.StartWith(lxc.StartOptions{Command: []string{"/bin/sh", "-c", "echo payload ran; exit 7"},
			Execute: true, UID: -1, GID: -1})
		if err != nil {
			return err
		}
		fmt.Printf("exit status %d\n", status)
		return nil
	}
	return fmt.Errorf("unknown step (want create, start, attach, stop, destroy or execute)")
}

// create makes a busybox container without network (no bridge needed).
func create(c *lxc.Container) error {
	dir, err := os.MkdirTemp("", "apidemo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	conf := filepath.Join(dir, "create.conf")
	if err := os.WriteFile(conf, []byte("lxc.net.0.type = empty\n"), 0o644); err != nil {
		return err
	}
	o := lxc.BusyboxTemplateOptions
	o.ConfigFile = conf
	return c.Create(o)
}

// attach runs a command in the container with its stdout on a pipe and
// checks what it printed: the container's hostname (its name) and a line
// computed by the container's shell.
func attach(c *lxc.Container) error {
	rd, wr, err := os.Pipe()
	if err != nil {
		return err
	}
	defer rd.Close()
	opts := lxc.DefaultAttachOptions
	opts.StdoutFd = wr.Fd()
	var out bytes.Buffer
	copied := make(chan error, 1)
	go func() { _, err := io.Copy(&out, rd); copied <- err }()
	code, err := c.RunCommandStatus([]string{"/bin/sh", "-c", "hostname; echo sum=$((40 + 2))"}, opts)
	wr.Close()
	if cerr := <-copied; err == nil && cerr != nil {
		err = cerr
	}
	if err != nil {
		return err
	}
	if code != 0 {
		return fmt.Errorf("command exited with status %d (output %q)", code, out.String())
	}
	want := c.Name() + "\nsum=42\n"
	if out.String() != want {
		return fmt.Errorf("command printed %q, want %q", out.String(), want)
	}
	fmt.Print(strings.ReplaceAll(out.String(), "\n", " | "), "\n")
	return nil
}
