package config

import (
	"fmt"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/golxc/golxc/internal/namespace"
)

// dump renders every applied value through Get, so two configs can be
// compared as LXC would see them.
func dump(c *Config) string {
	var b strings.Builder
	for _, k := range c.Keys("") {
		switch k {
		case "lxc.include", "lxc.hook":
			continue
		}
		v, err := c.Get(k)
		fmt.Fprintf(&b, "%s=%q err=%v\n", k, v, err != nil)
	}
	var shares []string
	for _, ns := range namespace.All() {
		v, _ := c.Get("lxc.namespace.share." + ns.Name)
		shares = append(shares, v)
	}
	fmt.Fprintf(&b, "shares=%q\n", shares)
	for _, d := range c.v.nets {
		for _, s := range netSubkeys {
			k := fmt.Sprintf("lxc.net.%d.%s", d.idx, s.name)
			v, err := c.Get(k)
			fmt.Fprintf(&b, "%s=%q err=%v\n", k, v, err != nil)
		}
	}
	return b.String()
}

// captureWarnings collects warnings for the duration of the test and
// forgets earlier ones so each test sees its own.
func captureWarnings(t *testing.T) func() []string {
	t.Helper()
	var mu sync.Mutex
	var got []string
	resetLegacyWarnings()
	SetWarner(func(m string) { mu.Lock(); got = append(got, m); mu.Unlock() })
	t.Cleanup(func() { SetWarner(nil); resetLegacyWarnings() })
	return func() []string {
		mu.Lock()
		defer mu.Unlock()
		out := append([]string(nil), got...)
		sort.Strings(out)
		return out
	}
}

func mustLoad(t *testing.T, text string) *Config {
	t.Helper()
	c := New()
	if err := c.LoadBytes("config", []byte(text)); err != nil {
		t.Fatalf("load: %v\n%s", err, text)
	}
	return c
}
