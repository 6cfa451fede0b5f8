package cmdsock

import (
	"encoding/binary"
	"fmt"
)

// DeviceItem is the request of ADD_BPF_DEVICE_CGROUP: LXC 5.0.2's struct
// device_item as its tools send it (x86-64 layout: type at 0, major at 4,
// minor at 8, access[4] at 12, allow at 16, an unused list head after; 40
// bytes). Major and Minor -1 mean any; Type is 'a', 'b' or 'c'.
type DeviceItem struct {
	Type         byte
	Major, Minor int32
	Access       string // letters of "rwm"
	Allow        bool
}

const deviceItemSize = 40

// Bytes encodes the item as LXC's clients send it.
func (d DeviceItem) Bytes() []byte {
	b := make([]byte, deviceItemSize)
	b[0] = d.Type
	binary.LittleEndian.PutUint32(b[4:], uint32(d.Major))
	binary.LittleEndian.PutUint32(b[8:], uint32(d.Minor))
	copy(b[12:15], d.Access)
	if d.Allow {
		binary.LittleEndian.PutUint32(b[16:], 1)
	}
	return b
}

// ParseDeviceItem decodes a request, refusing what LXC's monitor refuses
// (another size) and what no device rule can be.
func ParseDeviceItem(b []byte) (DeviceItem, error) {
	if len(b) != deviceItemSize {
		return DeviceItem{}, fmt.Errorf("device item of %d bytes, want %d", len(b), deviceItemSize)
	}
	d := DeviceItem{
		Type:  b[0],
		Major: int32(binary.LittleEndian.Uint32(b[4:])),
		Minor: int32(binary.LittleEndian.Uint32(b[8:])),
		Allow: binary.LittleEndian.Uint32(b[16:]) != 0,
	}
	access := b[12:16]
	for i, ch := range access {
		if ch == 0 {
			access = access[:i]
			break
		}
		if ch != 'r' && ch != 'w' && ch != 'm' {
			return DeviceItem{}, fmt.Errorf("device item access %q: use letters of \"rwm\"", access)
		}
	}
	if len(access) == 4 {
		return DeviceItem{}, fmt.Errorf("device item access is not NUL-terminated")
	}
	d.Access = string(access)
	if d.Type != 'a' && d.Type != 'b' && d.Type != 'c' {
		return DeviceItem{}, fmt.Errorf("device item type %q: want a, b or c", d.Type)
	}
	if d.Major < -1 || d.Minor < -1 {
		return DeviceItem{}, fmt.Errorf("device item %d:%d: numbers are -1 (any) or more", d.Major, d.Minor)
	}
	return d, nil
}

// AddDeviceRule asks the monitor to add a device rule to the container's
// cgroup2 device program (LXC's ADD_BPF_DEVICE_CGROUP).
func (c *Client) AddDeviceRule(d DeviceItem) error {
	resp, err := c.Do(&Request{Cmd: AddBPFDeviceCgroup, Data: d.Bytes()})
	if err != nil {
		return err
	}
	return errnoOf(AddBPFDeviceCgroup, resp.Ret)
}
