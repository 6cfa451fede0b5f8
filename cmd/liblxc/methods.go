package main

/*
#include <stdlib.h>
#include "capi.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/golxc/golxc/lxc"
)

//export golxcIsDefined
func golxcIsDefined(c *C.lxc_c) C.bool { return C.bool(container(c).Defined()) }

// golxcState returns LXC's state number (STOPPED = 0).
//
//export golxcState
func golxcState(c *C.lxc_c) C.int { return C.int(container(c).State()) - 1 }

//export golxcIsRunning
func golxcIsRunning(c *C.lxc_c) C.bool { return C.bool(container(c).Running()) }

//export golxcFreeze
func golxcFreeze(c *C.lxc_c) C.bool { return cbool(container(c).Freeze(), c) }

//export golxcUnfreeze
func golxcUnfreeze(c *C.lxc_c) C.bool { return cbool(container(c).Unfreeze(), c) }

//export golxcInitPid
func golxcInitPid(c *C.lxc_c) C.pid_t {
	if p := container(c).InitPid(); p > 0 {
		return C.pid_t(p)
	}
	return -1
}

//export golxcLoadConfig
func golxcLoadConfig(c *C.lxc_c, alt *C.char) C.bool {
	x := container(c)
	path := optString(alt)
	if path == "" {
		path = x.ConfigFileName()
	}
	state(c).loaded = true
	return cbool(x.LoadConfigFile(path), c)
}

//export golxcSaveConfig
func golxcSaveConfig(c *C.lxc_c, alt *C.char) C.bool {
	if err := state(c).loadDefault(); err != nil {
		fail(c, err)
		return false
	}
	return cbool(container(c).SaveConfigFile(optString(alt)), c)
}

// loadDefault gives a container that has no config yet lxc.default_config,
// as liblxc's save_config does.
func (h *handle) loadDefault() error {
	if h.loaded {
		return nil
	}
	h.loaded = true
	def := lxc.GlobalConfigItem("lxc.default_config")
	if _, err := os.Stat(def); err != nil {
		return nil
	}
	if err := h.x.LoadConfigFile(def); err != nil {
		return fmt.Errorf("Error loading default configuration file %s while saving %s: %v", def, h.x.Name(), err)
	}
	return nil
}

//export golxcStart
func golxcStart(c *C.lxc_c, useinit C.int, argv **C.char) C.bool {
	x := container(c)
	if !x.Defined() {
		fail(c, fmt.Errorf("no such container (%s)", x.ConfigFileName()))
		return false
	}
	if x.Running() {
		fail(c, errors.New("container is already running"))
		return false
	}
	_, err := x.StartWith(lxc.StartOptions{Command: goStrings(argv), Execute: useinit != 0, UID: -1, GID: -1})
	return cbool(err, c)
}

//export golxcStop
func golxcStop(c *C.lxc_c) C.bool {
	x := container(c)
	if !x.Running() {
		return true // liblxc: "already stopped" is success
	}
	return cbool(x.Stop(), c)
}

//export golxcWantDaemonize
func golxcWantDaemonize(c *C.lxc_c, state C.bool) C.bool {
	return cbool(container(c).WantDaemonize(bool(state)), c)
}

//export golxcWantCloseAllFds
func golxcWantCloseAllFds(c *C.lxc_c, state C.bool) C.bool {
	return cbool(container(c).WantCloseAllFds(bool(state)), c)
}

//export golxcConfigFileName
func golxcConfigFileName(c *C.lxc_c) *C.char { return C.CString(container(c).ConfigFileName()) }

// seconds turns LXC's timeout (seconds, negative: forever) into Go's.
func seconds(t C.int) time.Duration {
	if t < 0 {
		return -1
	}
	return time.Duration(t) * time.Second
}

//export golxcWait
func golxcWait(c *C.lxc_c, state *C.char, timeout C.int) C.bool {
	var states []lxc.State
	for _, name := range strings.Split(optString(state), "|") {
		s, ok := lxc.ParseState(name)
		if !ok {
			fail(c, fmt.Errorf("invalid state %q", name))
			return false
		}
		states = append(states, s)
	}
	return C.bool(container(c).WaitAny(states, seconds(timeout)))
}

//export golxcSetConfigItem
func golxcSetConfigItem(c *C.lxc_c, key, value *C.char) C.bool {
	state(c).loaded = true
	return cbool(container(c).SetConfigItem(optString(key), optString(value)), c)
}

//export golxcClearConfigItem
func golxcClearConfigItem(c *C.lxc_c, key *C.char) C.bool {
	return cbool(container(c).ClearConfigItem(optString(key)), c)
}

//export golxcClearConfig
func golxcClearConfig(c *C.lxc_c) {
	state(c).loaded = true
	container(c).ClearConfig()
}

// golxcGetConfigItem returns a malloc'd value, NULL for an unknown key.
//
//export golxcGetConfigItem
func golxcGetConfigItem(c *C.lxc_c, key *C.char) *C.char {
	if !state(c).loaded {
		return nil // liblxc has no lxc_conf to read: -1 for every key
	}
	v, err := container(c).ConfigItemText(optString(key))
	if err != nil {
		fail(c, err)
		return nil
	}
	return C.CString(v)
}

// golxcGetKeys lists the keys (of a prefix), one a line, as liblxc.
//
//export golxcGetKeys
func golxcGetKeys(c *C.lxc_c, key *C.char) *C.char {
	if !state(c).loaded {
		return nil
	}
	var keys []string
	if k := optString(key); k != "" {
		keys = container(c).ConfigKeys(k)
	} else {
		keys = container(c).ConfigKeys()
	}
	if len(keys) == 0 {
		return C.CString("")
	}
	return C.CString(strings.Join(keys, "\n") + "\n")
}

//export golxcDestroy
func golxcDestroy(c *C.lxc_c) C.bool {
	x := container(c)
	err := x.Destroy()
	// liblxc destroys a container whose state reads STOPPED; golxc also
	// refuses while the monitor still answers, which it does for a moment
	// after a stop or shutdown returned. Give that monitor time to exit.
	for i := 0; i < 500 && errors.Is(err, lxc.ErrRunning) && x.State() == lxc.STOPPED; i++ {
		time.Sleep(10 * time.Millisecond)
		err = x.Destroy()
	}
	return cbool(err, c)
}

// LXC_CREATE_QUIET: the template's output goes nowhere.
const createQuiet = 1

//export golxcCreate
func golxcCreate(c *C.lxc_c, tmpl, bdevtype *C.char, flags C.int, argv **C.char) C.bool {
	t := optString(tmpl)
	o := lxc.TemplateOptions{Template: t, Backend: lxc.Directory, ExtraArgs: goStrings(argv)}
	if b := optString(bdevtype); b != "" {
		if err := o.Backend.Set(b); err != nil {
			fail(c, err)
			return false
		}
	}
	h := state(c)
	cleanup, err := h.prepareCreate(&o)
	if err != nil {
		fail(c, err)
		return false
	}
	defer cleanup()
	if flags&createQuiet != 0 {
		h.x.SetVerbosity(lxc.Quiet)
		defer h.x.SetVerbosity(0)
	}
	err = h.x.Create(o)
	if err != nil && h.x.Defined() && !hasRootfs(h.x) {
		// liblxc destroys what a failed create leaves (a saved config)
		os.Remove(h.x.ConfigFileName())
		os.Remove(h.x.Dir())
	}
	return cbool(err, c)
}

// hasRootfs: the configured rootfs exists (the container is built).
func hasRootfs(x *lxc.Container) bool {
	r := x.ConfigItem("lxc.rootfs.path")
	if len(r) == 0 || r[0] == "" {
		return false
	}
	path := r[0]
	if i := strings.LastIndex(path, ":"); i >= 0 {
		path = path[i+1:]
	}
	_, err := os.Stat(path)
	return err == nil
}

// prepareCreate hands golxc's Create the config the caller built in memory
// (liblxc creates from its lxc_conf when it has one): it becomes the -f
// file, and a config file save_config wrote beforehand (python3-lxc does
// that) is removed so Create sees a new container. A container that has a
// rootfs already exists.
func (h *handle) prepareCreate(o *lxc.TemplateOptions) (func(), error) {
	x := h.x
	if x.Defined() && hasRootfs(x) {
		return nil, fmt.Errorf("Container \"%s\" already exists in \"%s\"", x.Name(), x.ConfigPath())
	}
	if !h.loaded {
		return func() {}, nil
	}
	f, err := os.CreateTemp("", "golxc-create-*.conf")
	if err != nil {
		return nil, err
	}
	f.Close()
	done := func() { os.Remove(f.Name()) }
	if err := x.SaveConfigFile(f.Name()); err != nil {
		done()
		return nil, err
	}
	if x.Defined() {
		os.Remove(x.ConfigFileName())
		os.Remove(x.Dir()) // only when empty
	}
	o.ConfigFile = f.Name()
	return done, nil
}

//export golxcReboot
func golxcReboot(c *C.lxc_c) C.bool { return cbool(container(c).Reboot(), c) }

//export golxcReboot2
func golxcReboot2(c *C.lxc_c, timeout C.int) C.bool {
	return cbool(container(c).RebootWithTimeout(seconds(timeout)), c)
}

//export golxcShutdown
func golxcShutdown(c *C.lxc_c, timeout C.int) C.bool {
	x := container(c)
	if !x.Running() {
		return true
	}
	return cbool(x.Shutdown(seconds(timeout)), c)
}

//export golxcGetInterfaces
func golxcGetInterfaces(c *C.lxc_c) **C.char {
	l, err := container(c).Interfaces()
	if err != nil {
		fail(c, err)
		return nil
	}
	return cStrings(l)
}

//export golxcGetIPs
func golxcGetIPs(c *C.lxc_c, iface, family *C.char, scope C.int) **C.char {
	x := container(c)
	var l []string
	var err error
	switch f := optString(family); f {
	case "inet":
		l, err = x.IPv4Addresses()
	case "inet6":
		l, err = x.IPv6Addresses()
	case "":
		l, err = x.IPAddresses()
	default:
		return cStrings(nil)
	}
	if err != nil {
		return cStrings(nil)
	}
	if i := optString(iface); i != "" {
		mine, _ := x.IPAddress(i)
		l = intersect(l, mine)
	}
	return cStrings(l)
}

func intersect(a, b []string) []string {
	in := map[string]bool{}
	for _, x := range b {
		in[x] = true
	}
	var out []string
	for _, x := range a {
		if in[x] {
			out = append(out, x)
		}
	}
	return out
}

//export golxcGetCgroupItem
func golxcGetCgroupItem(c *C.lxc_c, key *C.char) *C.char {
	v, err := container(c).CgroupItemText(optString(key))
	if err != nil {
		fail(c, err)
		return nil
	}
	return C.CString(v)
}

//export golxcSetCgroupItem
func golxcSetCgroupItem(c *C.lxc_c, key, value *C.char) C.bool {
	return cbool(container(c).SetCgroupItem(optString(key), optString(value)), c)
}

//export golxcSetConfigPath
func golxcSetConfigPath(c *C.lxc_c, path *C.char) C.bool {
	return cbool(container(c).SetConfigPath(optString(path)), c)
}

//export golxcMayControl
func golxcMayControl(c *C.lxc_c) C.bool { return C.bool(container(c).Controllable()) }
