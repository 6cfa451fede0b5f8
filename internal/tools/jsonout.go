package tools

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"reflect"
	"strings"

	"github.com/golxc/golxc/lxc"
)

// golxc's --format json (not in LXC): machine-readable lxc-ls and lxc-info
// output with stable field names, documented in the README. Absent values
// (a stopped container's pid, addresses, use) are null or empty lists,
// never "-".

// formatOption parses --format: "text" (LXC's output, the default) or "json".
func formatOption(json *bool) func(string) error {
	return func(v string) error {
		switch v {
		case "json":
			*json = true
		case "text":
			*json = false
		default:
			return fmt.Errorf("could not parse command line: --format %q: use json or text", v)
		}
		return nil
	}
}

// lsRecord is one container in lxc-ls --format json: every column -F knows.
type lsRecord struct {
	Name         string   `json:"name"`
	State        string   `json:"state"`
	PID          *int     `json:"pid"`
	RAMBytes     *uint64  `json:"ram_bytes"`
	SwapBytes    *uint64  `json:"swap_bytes"`
	Autostart    bool     `json:"autostart"`
	Groups       []string `json:"groups"`
	Interfaces   []string `json:"interfaces"`
	IPv4         []string `json:"ipv4"`
	IPv6         []string `json:"ipv6"`
	Unprivileged bool     `json:"unprivileged"`
}

func newLsRecord(ct *lxc.Container, st lxc.State) lsRecord {
	r := lsRecord{
		Name: ct.Name(), State: st.String(),
		Autostart:    autostartCell(ct) == "1",
		Groups:       nonNil(nonEmpty(ct.ConfigItem("lxc.group"))),
		Unprivileged: len(nonEmpty(ct.ConfigItem("lxc.idmap"))) > 0,
		Interfaces:   []string{}, IPv4: []string{}, IPv6: []string{},
	}
	if st == lxc.STOPPED {
		return r
	}
	if pid := ct.InitPid(); pid > 0 {
		r.PID = &pid
	}
	if v, err := ct.Interfaces(); err == nil {
		r.Interfaces = nonNil(v)
	}
	if v, err := ct.IPv4Addresses(); err == nil {
		r.IPv4 = nonNil(v)
	}
	if v, err := ct.IPv6Addresses(); err == nil {
		r.IPv6 = nonNil(v)
	}
	if m, err := ct.MemoryUsage(); err == nil {
		b := uint64(m)
		r.RAMBytes = &b
	}
	if s, err := ct.MemorySwapUsage(); err == nil {
		b := uint64(s)
		r.SwapBytes = &b
	}
	return r
}

// infoRecord is lxc-info --format json: everything lxc-info can show.
type infoRecord struct {
	Name   string            `json:"name"`
	State  string            `json:"state"`
	PID    *int              `json:"pid"`
	IPs    []string          `json:"ips"`
	Stats  *infoStats        `json:"stats"`
	Links  []infoLink        `json:"links"`
	Config map[string]string `json:"config,omitempty"` // -c KEY
}

type infoStats struct {
	CPUNanoseconds *uint64 `json:"cpu_ns"`
	BlkIOBytes     *uint64 `json:"blkio_bytes"`
	MemoryBytes    *uint64 `json:"memory_bytes"`
	KMemBytes      *uint64 `json:"kmem_bytes"`
}

type infoLink struct {
	Name    string `json:"name"`
	TXBytes uint64 `json:"tx_bytes"`
	RXBytes uint64 `json:"rx_bytes"`
}

func newInfoRecord(name string, info lxc.Info) infoRecord {
	r := infoRecord{Name: name, State: info.State.String(), IPs: nonNil(info.IPs), Links: []infoLink{}}
	if info.State == lxc.STOPPED {
		r.IPs = []string{}
		return r
	}
	if info.InitPid > 0 {
		pid := info.InitPid
		r.PID = &pid
	}
	if st := info.Stats; st != nil {
		opt := func(has bool, v uint64) *uint64 {
			if !has {
				return nil
			}
			return &v
		}
		r.Stats = &infoStats{opt(st.HasCPU, st.CPU), opt(st.HasBlkIO, st.BlkIO), opt(st.HasMemory, st.Memory), opt(st.HasKMem, st.KMem)}
		for _, n := range st.Net {
			r.Links = append(r.Links, infoLink{n.Link, n.TX, n.RX})
		}
	}
	return r
}

func nonNil(v []string) []string {
	if v == nil {
		return []string{}
	}
	return v
}

func writeJSON(w io.Writer, v any) error {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(b, '\n'))
	return err
}

// snapRecord is one snapshot in lxc-snapshot -L --format json; comment is
// null when the snapshot has none.
type snapRecord struct {
	Name      string  `json:"name"`
	Path      string  `json:"path"`
	Timestamp string  `json:"timestamp"`
	Comment   *string `json:"comment"`
}

// printSnapshotsJSON prints every snapshot, comments included (-C is
// implied: JSON has a field for it), as one JSON list ([] for none).
func printSnapshotsJSON(w io.Writer, snaps []lxc.Snapshot) int {
	out := make([]snapRecord, 0, len(snaps))
	for _, s := range snaps {
		r := snapRecord{Name: s.Name, Path: s.Path, Timestamp: s.Timestamp}
		if b, err := os.ReadFile(s.CommentPath); err == nil {
			c := string(b)
			r.Comment = &c
		}
		out = append(out, r)
	}
	if err := writeJSON(w, out); err != nil {
		return 1
	}
	return 0
}

// JSONFields names the fields of tool's --format json records (nil for
// a tool without), nested ones as PARENT.FIELD (lxc-info's stats.cpu_ns,
// links.tx_bytes): the manual pages list them from here.
func JSONFields(tool string) []string {
	rec, ok := map[string]any{"lxc-ls": lsRecord{}, "lxc-info": infoRecord{}, "lxc-snapshot": snapRecord{}}[tool]
	if !ok {
		return nil
	}
	return jsonFields(reflect.TypeOf(rec), "")
}

func jsonFields(t reflect.Type, prefix string) []string {
	var out []string
	for i := 0; i < t.NumField(); i++ {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name == "" || name == "-" {
			continue
		}
		out = append(out, prefix+name)
		ft := t.Field(i).Type
		for ft.Kind() == reflect.Pointer || ft.Kind() == reflect.Slice {
			ft = ft.Elem()
		}
		if ft.Kind() == reflect.Struct {
			out = append(out, jsonFields(ft, prefix+name+".")...)
		}
	}
	return out
}
