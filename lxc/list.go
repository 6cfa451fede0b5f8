package lxc

import (
	"os"
	"path/filepath"
	"sort"

	"github.com/golxc/golxc/internal/cmdsock"
	"github.com/golxc/golxc/internal/config"
)

func pathOrDefault(lxcpath []string) string {
	if len(lxcpath) > 0 && lxcpath[0] != "" {
		return lxcpath[0]
	}
	return config.DefaultLXCPath()
}

// DefinedContainerNames lists the directories of lxcpath that hold a
// config file, sorted; hidden names are skipped.
func DefinedContainerNames(lxcpath ...string) []string {
	p := pathOrDefault(lxcpath)
	entries, err := os.ReadDir(p)
	if err != nil {
		return nil
	}
	var names []string
	for _, e := range entries {
		n := e.Name()
		if n[0] == '.' {
			continue
		}
		if st, err := os.Stat(filepath.Join(p, n, "config")); err == nil && st.Mode().IsRegular() {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

// ActiveContainerNames lists containers with a live monitor (a command
// socket in /proc/net/unix), sorted.
func ActiveContainerNames(lxcpath ...string) []string {
	names, err := cmdsock.ActiveNames(pathOrDefault(lxcpath))
	if err != nil {
		return nil
	}
	sort.Strings(names)
	return names
}

// ContainerNames is the sorted union of defined and active names.
func ContainerNames(lxcpath ...string) []string {
	seen := map[string]bool{}
	var names []string
	for _, n := range append(DefinedContainerNames(lxcpath...), ActiveContainerNames(lxcpath...)...) {
		if !seen[n] {
			seen[n] = true
			names = append(names, n)
		}
	}
	sort.Strings(names)
	return names
}

func containersOf(names []string, lxcpath []string) []*Container {
	var cs []*Container
	for _, n := range names {
		if c, err := NewContainer(n, lxcpath...); err == nil {
			cs = append(cs, c)
		}
	}
	return cs
}

// Containers returns defined and active containers.
func Containers(lxcpath ...string) []*Container {
	return containersOf(ContainerNames(lxcpath...), lxcpath)
}

// DefinedContainers returns the defined containers.
func DefinedContainers(lxcpath ...string) []*Container {
	return containersOf(DefinedContainerNames(lxcpath...), lxcpath)
}

// ActiveContainers returns the running containers.
func ActiveContainers(lxcpath ...string) []*Container {
	return containersOf(ActiveContainerNames(lxcpath...), lxcpath)
}
