package spawn

import (
	"errors"
	"io"
	"os"
)

// sendRaw and recvRaw carry the C stage's byte messages on the sync socket.

func sendRaw(f *os.File, msg []byte) error {
	n, err := f.Write(msg)
	if err == nil && n != len(msg) {
		err = io.ErrShortWrite
	}
	return err
}

func recvRaw(f *os.File) ([]byte, error) {
	data, files, err := recvPacket(f)
	closeAll(files)
	return data, err
}

func isEOF(err error) bool { return errors.Is(err, io.EOF) }
