package config

import (
	"hash/fnv"
	"path/filepath"
	"strconv"
)

// RecordName names a running container's record file in a runtime state
// directory (RUNDIR/golxc/network, RUNDIR/golxc/cgroups): the container's
// name and a hash of its whole directory (lxcpath/name), so containers of
// the same name in two lxcpaths have two records, and every record sits
// in one flat directory, which nothing has to make or remove per start.
func RecordName(containerDir string) string {
	h := fnv.New64a()
	h.Write([]byte(containerDir))
	return filepath.Base(containerDir) + "-" + strconv.FormatUint(h.Sum64()&(1<<48-1), 16)
}
