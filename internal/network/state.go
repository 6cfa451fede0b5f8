package network

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/vishvananda/netlink"
	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
)

// StateDir holds one record per running container of what its monitor
// created on the host; "" is the caller's runtime directory's
// golxc/network (config.GolxcRuntimeDir). A variable so tests can use
// their own.
var StateDir = ""

// stateDir is the directory records are read from and written to.
func stateDir() string {
	if StateDir != "" {
		return StateDir
	}
	return filepath.Join(config.GolxcRuntimeDir(), "network")
}

// record is what one monitor created on the host, kept on disk so a
// later start can clean up after a monitor that was killed.
type record struct {
	Container    string        `json:"container"` // LXCPATH/NAME
	MonitorPID   int           `json:"monitor_pid"`
	MonitorStart string        `json:"monitor_start"` // /proc/PID/stat starttime
	Veths        []string      `json:"veths,omitempty"`
	Created      []string      `json:"created,omitempty"` // macvlan/ipvlan/vlan, before the move
	Phys         []physRecord  `json:"phys,omitempty"`
	Proxies      []proxyRecord `json:"proxies,omitempty"`
	// Addresses and MACs the container uses, to refuse clashes.
	Addrs []string `json:"addrs,omitempty"`
	MACs  []string `json:"macs,omitempty"`
	// file is where the record was read from (a name given by another
	// golxc version may differ from path()).
	file string
}

func newRecord(lxcpath, name string) *record {
	return &record{Container: filepath.Join(lxcpath, name), MonitorPID: os.Getpid(), MonitorStart: procStart(os.Getpid())}
}

func (r *record) addClaims(d *device) {
	for _, a := range d.v4 {
		r.Addrs = append(r.Addrs, a.IP.String())
	}
	for _, a := range d.v6 {
		r.Addrs = append(r.Addrs, a.IP.String())
	}
	if d.hwaddr != nil {
		r.MACs = append(r.MACs, d.hwaddr.String())
	}
}

func (r *record) path() string {
	return filepath.Join(stateDir(), config.RecordName(r.Container)+".json")
}

func (r *record) empty() bool {
	return len(r.Veths)+len(r.Created)+len(r.Phys)+len(r.Proxies)+len(r.Addrs)+len(r.MACs) == 0
}

// save writes the record atomically; an empty one needs no file.
func (r *record) save() error {
	if r.empty() {
		return nil
	}
	if err := os.MkdirAll(stateDir(), 0o700); err != nil {
		return fmt.Errorf("network: state dir: %w", err)
	}
	b, _ := json.Marshal(r)
	tmp := r.path() + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("network: write state: %w", err)
	}
	if err := os.Rename(tmp, r.path()); err != nil {
		return fmt.Errorf("network: write state: %w", err)
	}
	return nil
}

func (r *record) remove() {
	if r.file != "" {
		os.Remove(r.file)
	}
	os.Remove(r.path())
}

// alive: the monitor that wrote the record still runs (a zombie does not:
// a killed monitor may stay one under a pid 1 that does not reap).
func (r *record) alive() bool {
	return r.MonitorPID > 0 && r.MonitorStart != "" && procStart(r.MonitorPID) == r.MonitorStart
}

// procStart is field 22 of /proc/PID/stat, which tells a reused pid apart;
// "" for a zombie or no process.
func procStart(pid int) string {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return ""
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return ""
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 20 || f[0] == "Z" {
		return ""
	}
	return f[19]
}

// readRecords loads every record; live reports whether its monitor runs.
func readRecords() (live, dead []*record) {
	files, _ := filepath.Glob(filepath.Join(stateDir(), "*.json"))
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		r := record{file: f}
		if json.Unmarshal(b, &r) != nil {
			log.Warnf("network: ignoring unreadable state %s", f)
			continue
		}
		if r.alive() {
			live = append(live, &r)
		} else {
			dead = append(dead, &r)
		}
	}
	return live, dead
}

// Sweep undoes on the host what monitors that died without tearing down
// left behind (golxc net cleanup): proxy entries, host veths, stacked
// devices still on the host, and phys devices to rename back. Each record
// is swept under its container's lock and only while no monitor serves
// the container: a monitor starting it sweeps the record itself (New),
// and then writes its own under the same name. It returns one line per
// problem.
func Sweep() []error { return sweepUnder("") }

// sweepUnder is Sweep for the dead records of lxcpath's containers only
// ("" for every container): a test sweeps the records it made, never
// another container's on the same host.
func sweepUnder(lxcpath string) []error {
	live, dead := readRecords()
	return sweep(live, recordsUnder(dead, lxcpath), holdIdle(sweepLockWait))
}

// recordsUnder keeps the records of lxcpath's containers ("" keeps all).
func recordsUnder(rs []*record, lxcpath string) []*record {
	if lxcpath == "" {
		return rs
	}
	var out []*record
	for _, r := range rs {
		if filepath.Dir(r.Container) == filepath.Clean(lxcpath) {
			out = append(out, r)
		}
	}
	return out
}

// SweepContainer undoes on the host what a killed monitor of lxcpath/name
// left (host veths, stacked devices, phys devices to rename back, proxy
// entries) and removes its records, for lxc-destroy: no start will come
// to sweep them once the container is gone. The caller holds the
// container lock and has checked that no monitor answers. It returns one
// error per problem (each also logged).
// HasRecord reports whether a record of lxcpath/name is on disk: a
// monitor whose teardown went through removed its own.
func HasRecord(lxcpath, name string) bool {
	r := record{Container: filepath.Join(lxcpath, name)}
	_, err := os.Stat(r.path())
	return err == nil
}

func SweepContainer(lxcpath, name string) []error {
	log.Debugf("network cleanup: sweeping what a dead monitor of %s left", filepath.Join(lxcpath, name))
	return sweepOwn(lxcpath, name)
}

// sweepOwn undoes what a killed monitor of lxcpath/name left. Its caller
// claimed the container under its lock (the container's new monitor, or
// lxc-destroy), so no other process writes these records or their
// devices. Other containers' records wait for their own start or for
// Sweep.
func sweepOwn(lxcpath, name string) []error {
	live, dead := readRecords()
	var own []*record
	for _, r := range dead {
		if r.Container == filepath.Join(lxcpath, name) {
			own = append(own, r)
		}
	}
	return sweep(live, own, nil)
}

// sweep cleans up after the dead records and removes them, each while
// hold holds its container (nil: the caller holds them all); a record
// hold refuses is left as it is.
func sweep(live, dead []*record, hold func(*record) (release func(), ok bool)) []error {
	if len(dead) == 0 {
		return nil
	}
	h, err := netlink.NewHandle(unix.NETLINK_ROUTE) // one socket, not one per family
	if err != nil {
		return []error{err}
	}
	defer h.Close()
	inUse := map[string]bool{}
	for _, r := range live {
		for _, v := range append(append([]string{}, r.Veths...), r.Created...) {
			inUse[v] = true
		}
	}
	var errs []error
	for _, r := range dead {
		release := func() {}
		if hold != nil {
			var ok bool
			if release, ok = hold(r); !ok {
				continue
			}
		}
		errs = append(errs, r.clean(h, inUse)...)
		r.remove()
		release()
	}
	for _, e := range errs {
		log.Warnf("network cleanup: %v", e)
	}
	return errs
}

func (r *record) clean(h *netlink.Handle, inUse map[string]bool) []error {
	var errs []error
	for _, p := range r.Proxies {
		if err := delProxy(h, p); err != nil {
			errs = append(errs, fmt.Errorf("%s: proxy entry %s on %s: %w", r.Container, p.IP, p.Link, err))
		}
	}
	for _, name := range append(append([]string{}, r.Veths...), r.Created...) {
		if inUse[name] {
			continue
		}
		if l, err := h.LinkByName(name); err == nil {
			if err := h.LinkDel(l); err != nil && !notFound(err) {
				errs = append(errs, fmt.Errorf("%s: delete %s: %w", r.Container, name, err))
			}
		}
	}
	for _, p := range r.Phys {
		// The namespace may still be dying: give the kernel a moment.
		if err := restorePhys(h, p, 2*time.Second); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", r.Container, err))
		}
	}
	return errs
}
