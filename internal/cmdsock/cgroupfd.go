package cmdsock

import (
	"encoding/binary"
	"errors"
)

// CgroupFD is struct cgroup_fd, the payload of GET_CGROUP_FD and
// GET_LIMIT_CGROUP_FD in both directions: the client names a controller,
// the monitor answers with its layout and the hierarchy's filesystem magic
// and passes the cgroup directory as a descriptor (LXC 5.0.2's lxc-cgroup
// reads and writes through it).
type CgroupFD struct {
	Layout     int32  // LXC's enum: -1 unknown, 0 legacy, 1 hybrid, 2 unified
	Utilities  uint32 // unused by 5.0.2 tools, echoed as 0
	Type       uint32 // statfs magic of the hierarchy
	FD         int32  // the descriptor's number in the monitor (informational)
	Controller string // "memory", "name=systemd"; "" = the cgroup2 hierarchy
}

// Filesystem magics of the two cgroup versions.
const (
	CgroupSuperMagic  = 0x27e0eb
	Cgroup2SuperMagic = 0x63677270
)

const (
	cgroupFDSize       = 16 + cgroupFDNameLen
	cgroupFDNameLen    = 64 // MAX_CGROUP_ROOT_NAMELEN
	errCgroupFDPayload = "cmdsock: struct cgroup_fd must be 80 bytes"
)

// Encode lays the struct out as LXC does.
func (c CgroupFD) Encode() ([]byte, error) {
	if len(c.Controller) >= cgroupFDNameLen {
		return nil, errors.New("cmdsock: controller name longer than 63 bytes")
	}
	b := make([]byte, cgroupFDSize)
	binary.NativeEndian.PutUint32(b[0:], uint32(c.Layout))
	binary.NativeEndian.PutUint32(b[4:], c.Utilities)
	binary.NativeEndian.PutUint32(b[8:], c.Type)
	binary.NativeEndian.PutUint32(b[12:], uint32(c.FD))
	copy(b[16:], c.Controller)
	return b, nil
}

// DecodeCgroupFD parses struct cgroup_fd.
func DecodeCgroupFD(b []byte) (CgroupFD, error) {
	if len(b) != cgroupFDSize {
		return CgroupFD{}, errors.New(errCgroupFDPayload)
	}
	return CgroupFD{
		Layout:     int32(binary.NativeEndian.Uint32(b[0:])),
		Utilities:  binary.NativeEndian.Uint32(b[4:]),
		Type:       binary.NativeEndian.Uint32(b[8:]),
		FD:         int32(binary.NativeEndian.Uint32(b[12:])),
		Controller: cString(b[16:]),
	}, nil
}
