// Package elfinterp answers one question about an executable: does it need
// a program interpreter (a dynamic loader)? It reads only the ELF header
// and program headers, which keeps debug/elf and its DWARF and compression
// dependencies out of golxc (each package linked in costs every golxc
// process start some time).
package elfinterp

import (
	"encoding/binary"
	"errors"
	"io"
)

const ptInterp = 3

// ErrNotELF is returned for files that are not 32- or 64-bit ELF.
var ErrNotELF = errors.New("not an ELF file")

// HasInterp reports whether the ELF file r has a PT_INTERP program header.
func HasInterp(r io.ReaderAt) (bool, error) {
	var ident [16]byte
	if _, err := r.ReadAt(ident[:], 0); err != nil {
		return false, ErrNotELF
	}
	if string(ident[:4]) != "\x7fELF" {
		return false, ErrNotELF
	}
	var bo binary.ByteOrder
	switch ident[5] {
	case 1:
		bo = binary.LittleEndian
	case 2:
		bo = binary.BigEndian
	default:
		return false, ErrNotELF
	}
	var phoff int64
	var phentsize, phnum int
	switch ident[4] {
	case 2: // ELFCLASS64
		var h [64]byte
		if _, err := r.ReadAt(h[:], 0); err != nil {
			return false, ErrNotELF
		}
		phoff = int64(bo.Uint64(h[32:]))
		phentsize, phnum = int(bo.Uint16(h[54:])), int(bo.Uint16(h[56:]))
	case 1: // ELFCLASS32
		var h [52]byte
		if _, err := r.ReadAt(h[:], 0); err != nil {
			return false, ErrNotELF
		}
		phoff = int64(bo.Uint32(h[28:]))
		phentsize, phnum = int(bo.Uint16(h[42:])), int(bo.Uint16(h[44:]))
	default:
		return false, ErrNotELF
	}
	if phnum == 0 {
		return false, nil // an object file
	}
	if phentsize < 4 || phnum > 4096 || phoff < 0 {
		return false, ErrNotELF
	}
	var typ [4]byte
	for i := 0; i < phnum; i++ {
		if _, err := r.ReadAt(typ[:], phoff+int64(i*phentsize)); err != nil {
			return false, ErrNotELF
		}
		if bo.Uint32(typ[:]) == ptInterp {
			return true, nil
		}
	}
	return false, nil
}
