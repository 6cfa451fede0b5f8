package main

/*
#include "capi.h"
*/
import "C"

// optArgs is LXC's optional destination: none when NULL.
func optArgs(s *C.char) []string {
	if s == nil {
		return nil
	}
	return []string{C.GoString(s)}
}

//export golxcAddDeviceNode
func golxcAddDeviceNode(c *C.lxc_c, src, dst *C.char) C.bool {
	return cbool(container(c).AddDeviceNode(optString(src), optArgs(dst)...), c)
}

//export golxcRemoveDeviceNode
func golxcRemoveDeviceNode(c *C.lxc_c, src, dst *C.char) C.bool {
	return cbool(container(c).RemoveDeviceNode(optString(src), optArgs(dst)...), c)
}

//export golxcAttachInterface
func golxcAttachInterface(c *C.lxc_c, dev, dst *C.char) C.bool {
	return cbool(container(c).AttachInterface(optString(dev), optString(dst)), c)
}

//export golxcDetachInterface
func golxcDetachInterface(c *C.lxc_c, dev, dst *C.char) C.bool {
	return cbool(container(c).DetachInterface(optString(dev), optString(dst)), c)
}
