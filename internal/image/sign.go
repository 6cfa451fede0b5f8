package image

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
	"github.com/ProtonMail/go-crypto/openpgp/packet"
)

// Signer holds the secret key images and indexes are signed with.
type Signer struct {
	entity *openpgp.Entity
}

// LoadOrCreateSigner reads the armored secret key at path, or creates a
// new key there (0600) when the file does not exist.
func LoadOrCreateSigner(path, name string) (*Signer, bool, error) {
	data, err := os.ReadFile(path)
	if os.IsNotExist(err) {
		e, err := openpgp.NewEntity(name, "golxc image signing key", "", &packet.Config{Algorithm: packet.PubKeyAlgoEdDSA})
		if err != nil {
			return nil, false, err
		}
		var b bytes.Buffer
		w, err := armor.Encode(&b, openpgp.PrivateKeyType, nil)
		if err != nil {
			return nil, false, err
		}
		if err := e.SerializePrivate(w, nil); err != nil {
			return nil, false, err
		}
		w.Close()
		if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
			return nil, false, err
		}
		if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
			return nil, false, err
		}
		return &Signer{e}, true, nil
	}
	if err != nil {
		return nil, false, err
	}
	list, err := readKeys(data)
	if err != nil {
		return nil, false, fmt.Errorf("%s: %v", path, err)
	}
	for _, e := range list {
		if e.PrivateKey != nil {
			if e.PrivateKey.Encrypted {
				return nil, false, fmt.Errorf("%s: the secret key is passphrase-protected; give an unprotected signing key", path)
			}
			return &Signer{e}, false, nil
		}
	}
	return nil, false, fmt.Errorf("%s holds no secret key", path)
}

// KeyID is the signing key's fingerprint.
func (s *Signer) KeyID() string { return fmt.Sprintf("%X", s.entity.PrimaryKey.Fingerprint) }

// ExportPublic writes the armored public key (the clients' keyring).
func (s *Signer) ExportPublic(w io.Writer) error {
	aw, err := armor.Encode(w, openpgp.PublicKeyType, nil)
	if err != nil {
		return err
	}
	if err := s.entity.Serialize(aw); err != nil {
		return err
	}
	return aw.Close()
}

// Sign returns an armored detached signature of r.
func (s *Signer) Sign(r io.Reader) ([]byte, error) {
	var b bytes.Buffer
	if err := openpgp.ArmoredDetachSign(&b, s.entity, r, nil); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// SignFile writes path.asc.
func (s *Signer) SignFile(path string) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	sig, err := s.Sign(f)
	if err != nil {
		return err
	}
	return writeFileAtomic(path+SigSuffix, sig, 0o644)
}

// SignTree signs every image file of dir that has no signature yet (all
// of them with force), then writes and signs the indexes.
func SignTree(dir string, s *Signer, force bool) (signed int, err error) {
	images, err := scanBuilds(dir)
	if err != nil {
		return 0, err
	}
	for _, b := range images {
		for _, f := range []string{RootfsFile, MetaFile} {
			p := filepath.Join(b.dir, f)
			if !force && exists(p+SigSuffix) {
				continue
			}
			if err := s.SignFile(p); err != nil {
				return signed, err
			}
			signed++
		}
	}
	return signed, WriteIndexes(dir, s)
}

// WriteIndexes writes meta/1.0/index-system and index-user for what dir
// holds now (signed when s is not nil).
func WriteIndexes(dir string, s *Signer) error {
	idx, err := ScanIndex(dir)
	if err != nil {
		return err
	}
	mdir := filepath.Join(dir, IndexDir)
	if err := os.MkdirAll(mdir, 0o755); err != nil {
		return err
	}
	for _, mode := range []string{"system", "user"} {
		p := filepath.Join(mdir, "index-"+mode)
		if err := writeFileAtomic(p, []byte(idx), 0o644); err != nil {
			return err
		}
		if s == nil {
			os.Remove(p + SigSuffix) // it would not match the new index
			continue
		}
		if err := s.SignFile(p); err != nil {
			return err
		}
	}
	return nil
}
