package lxc

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxNameLen keeps LXCPATH/NAME/command and the lock path within the
// limits of a directory entry.
const maxNameLen = 200

// ValidateName rejects names that would escape the lxcpath, hide the
// container or break the on-disk layout. The error says what is allowed.
func ValidateName(name string) error {
	switch {
	case name == "":
		return fmt.Errorf("%w: the name is empty", ErrInvalidName)
	case name == "." || name == "..":
		return fmt.Errorf("%w: %q is not a usable directory name", ErrInvalidName, name)
	case strings.ContainsRune(name, '/'):
		return fmt.Errorf("%w: %q contains '/'; a name is one directory under the lxcpath (use -P to choose another lxcpath)", ErrInvalidName, name)
	case strings.HasPrefix(name, "."):
		return fmt.Errorf("%w: %q starts with '.', which hides it from lxc-ls; pick a name without a leading dot", ErrInvalidName, name)
	case len(name) > maxNameLen:
		return fmt.Errorf("%w: the name is %d bytes long; the limit is %d", ErrInvalidName, len(name), maxNameLen)
	case !utf8.ValidString(name):
		return fmt.Errorf("%w: the name is not valid UTF-8", ErrInvalidName)
	}
	for _, r := range name {
		if unicode.IsControl(r) || unicode.IsSpace(r) {
			return fmt.Errorf("%w: %q contains a space or control character", ErrInvalidName, name)
		}
	}
	return nil
}
