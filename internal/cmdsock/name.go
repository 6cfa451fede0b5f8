package cmdsock

import "fmt"

// sunPathLen is sizeof(struct sockaddr_un.sun_path) on Linux.
const sunPathLen = 108

// SocketName returns the abstract socket address (leading NUL included) of
// the command socket of container name in lxcpath. LXC formats
// "LXCPATH/NAME/command" into sun_path minus two bytes (the leading NUL and a
// trailing NUL it keeps for printing); when the text does not fit it uses
// "lxc/<FNV-1a-64 of "LXCPATH/NAME" as 16 hex digits>/command" instead.
func SocketName(lxcpath, name string) string {
	return "\x00" + socketText(lxcpath, name, "command")
}

func socketText(lxcpath, name, suffix string) string {
	plain := lxcpath + "/" + name + "/" + suffix
	if len(plain) < sunPathLen-2 {
		return plain
	}
	return hashedText(fmt.Sprintf("%016x", fnv1a64(lxcpath+"/"+name)), suffix)
}

// hashedText is the name used when a client only knows the hash (as found in
// /proc/net/unix).
func hashedText(hash, suffix string) string {
	return "lxc/" + hash + "/" + suffix
}

// fnv1a64 is the 64-bit FNV-1a hash LXC uses for over-long socket names.
func fnv1a64(s string) uint64 {
	h := uint64(0xcbf29ce484222325)
	for i := 0; i < len(s); i++ {
		h ^= uint64(s[i])
		h *= 0x100000001b3
	}
	return h
}
