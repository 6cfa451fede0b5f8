package config

import (
	"strings"
	"testing"
)

// Every legacy key LegacyKeys documents is one legacyName maps, to the
// documented key (or to "ignored").
func TestLegacyKeysMatchMapping(t *testing.T) {
	for _, k := range LegacyKeys() {
		key := k.Old
		if k.Prefix {
			key += "0.link"
		}
		got, kind := legacyName(key, 0)
		switch {
		case kind == notLegacy:
			t.Errorf("%s: documented as legacy, but legacyName does not map it", key)
		case k.New == "" && kind != legacyIgnored:
			t.Errorf("%s: documented as ignored, mapped to %q", key, got)
		case k.New != "" && !strings.HasPrefix(got, k.New):
			t.Errorf("%s: documented as read as %s, mapped to %q", key, k.New, got)
		}
	}
}

func TestKeysListsTable(t *testing.T) {
	keys := Keys()
	if len(keys) != len(table) || keys[0].Name != "lxc.arch" {
		t.Fatalf("Keys() = %d rows starting %v, table has %d", len(keys), keys[0], len(table))
	}
	for _, k := range keys {
		probe := k.Name
		if k.Prefix {
			probe += "x"
		}
		if lookup(probe) == nil {
			t.Errorf("%s: listed but the parser does not handle %q", k.Name, probe)
		}
	}
}
