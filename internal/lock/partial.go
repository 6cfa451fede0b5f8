package lock

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
)

// PartialName is the marker file LXC keeps in the container directory while
// a create is in progress.
const PartialName = "partial"

// PartialState is what CheckPartial found.
type PartialState int

const (
	// PartialNone: no marker, no create in progress.
	PartialNone PartialState = iota
	// PartialOngoing: marker present and locked: another process is creating
	// the container right now ("Ongoing container creation detected").
	PartialOngoing
	// PartialStale: marker present but nobody holds it: a create failed or
	// was killed; the caller must destroy the leftover container.
	PartialStale
)

func (s PartialState) String() string {
	switch s {
	case PartialNone:
		return "none"
	case PartialOngoing:
		return "ongoing"
	case PartialStale:
		return "stale"
	}
	return fmt.Sprintf("PartialState(%d)", int(s))
}

// Partial is a held create marker.
type Partial struct {
	path string
	file *os.File
}

// CreatePartial creates containerDir/partial (mode 0000, O_EXCL) and keeps it
// write-locked until Done, or until this process dies.
func CreatePartial(containerDir string) (*Partial, error) {
	path := filepath.Join(containerDir, PartialName)
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0)
	if err != nil {
		if errors.Is(err, fs.ErrExist) {
			return nil, fmt.Errorf("create marker %s already exists: another create is running or a previous one failed", path)
		}
		return nil, fmt.Errorf("create marker %s: %w", path, err)
	}
	// Fresh file created with O_EXCL: waiting can only be for a checker's
	// transient flock probe on old kernels.
	if _, err := ofdLock(f, true); err != nil {
		f.Close()
		os.Remove(path)
		return nil, fmt.Errorf("create marker %s: lock: %w", path, err)
	}
	return &Partial{path: path, file: f}, nil
}

// Path returns the marker's path.
func (p *Partial) Path() string { return p.path }

// Done removes the marker, then releases the lock. Removing first means a
// concurrent CheckPartial never sees an unlocked (stale-looking) marker.
func (p *Partial) Done() error {
	if p.file == nil {
		return errors.New("create marker " + p.path + ": Done called twice")
	}
	rmErr := os.Remove(p.path)
	closeErr := p.file.Close()
	p.file = nil
	if rmErr != nil {
		return fmt.Errorf("remove create marker: %w", rmErr)
	}
	if closeErr != nil {
		return fmt.Errorf("create marker %s: close: %w", p.path, closeErr)
	}
	return nil
}

// CheckPartial reports whether containerDir holds a create marker and, if so,
// whether its creator is still alive (holds the lock).
func CheckPartial(containerDir string) (PartialState, error) {
	path := filepath.Join(containerDir, PartialName)
	f, err := os.OpenFile(path, os.O_RDONLY, 0)
	if errors.Is(err, fs.ErrNotExist) {
		return PartialNone, nil
	}
	if err != nil {
		return PartialNone, fmt.Errorf("check create marker %s: %w", path, err)
	}
	defer f.Close()
	held, err := lockedByOther(f)
	if err != nil {
		return PartialNone, fmt.Errorf("check create marker %s: %w", path, err)
	}
	if held {
		return PartialOngoing, nil
	}
	return PartialStale, nil
}
