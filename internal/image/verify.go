package image

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/ProtonMail/go-crypto/openpgp"
	"github.com/ProtonMail/go-crypto/openpgp/armor"
)

// Keyring holds the public keys images must be signed with.
type Keyring struct {
	Path  string
	KeyID string // when set, only this key (long id or fingerprint suffix)
	list  openpgp.EntityList
}

// LoadKeyring reads an armored or binary OpenPGP keyring.
func LoadKeyring(path, keyID string) (*Keyring, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("no keyring to verify images with: %s does not exist; give --keyring FILE (or set %s, or %s in lxc.conf), or --no-validate at your own risk", path, EnvKeyring, KeyKeyring)
		}
		return nil, fmt.Errorf("keyring %s: %w", path, err)
	}
	list, err := readKeys(data)
	if err != nil {
		return nil, fmt.Errorf("keyring %s: not an OpenPGP keyring: %v", path, err)
	}
	k := &Keyring{Path: path, KeyID: normKeyID(keyID), list: list}
	if k.KeyID != "" && len(k.allowed()) == 0 {
		return nil, fmt.Errorf("keyring %s has no key %s (--keyid)", path, keyID)
	}
	return k, nil
}

func readKeys(data []byte) (openpgp.EntityList, error) {
	if bytes.Contains(data, []byte("-----BEGIN PGP")) {
		return openpgp.ReadArmoredKeyRing(bytes.NewReader(data))
	}
	return openpgp.ReadKeyRing(bytes.NewReader(data))
}

func normKeyID(id string) string {
	id = strings.ToUpper(strings.ReplaceAll(id, " ", ""))
	return strings.TrimPrefix(id, "0X")
}

// allowed is the keyring narrowed to --keyid.
func (k *Keyring) allowed() openpgp.EntityList {
	if k.KeyID == "" {
		return k.list
	}
	var out openpgp.EntityList
	for _, e := range k.list {
		fp := fmt.Sprintf("%X", e.PrimaryKey.Fingerprint)
		if strings.HasSuffix(fp, k.KeyID) {
			out = append(out, e)
		}
	}
	return out
}

// Verify checks sig (armored or binary) as a detached signature of the
// content read from r, by a key of the keyring.
func (k *Keyring) Verify(what string, r io.Reader, sig []byte) error {
	var sigr io.Reader = bytes.NewReader(sig)
	if bytes.HasPrefix(bytes.TrimSpace(sig), []byte("-----BEGIN PGP")) {
		block, err := armor.Decode(bytes.NewReader(sig))
		if err != nil {
			return fmt.Errorf("the signature of %s is unreadable: %v", what, err)
		}
		sigr = block.Body
	}
	if _, err := openpgp.CheckDetachedSignature(k.allowed(), r, sigr, nil); err != nil {
		who := "a key of " + k.Path
		if k.KeyID != "" {
			who = "key " + k.KeyID
		}
		return fmt.Errorf("the signature of %s does not verify with %s: %v", what, who, err)
	}
	return nil
}

// VerifyFile is Verify for a file on disk.
func (k *Keyring) VerifyFile(what, path string, sig []byte) error {
	f, err := os.Open(path)
	if err != nil {
		return err
	}
	defer f.Close()
	return k.Verify(what, f, sig)
}
