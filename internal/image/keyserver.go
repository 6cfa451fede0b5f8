package image

import (
	"errors"
	"net/url"
	"os"
	"strings"
)

// fromKeyServer returns a keyring file holding the --keyid key: the
// --keyserver value itself when it is a file (file:// or a path), else the
// key fetched from that HKP server (hkp://host[:port] is http on port
// 11371). Only signatures by --keyid are accepted either way.
func (d *downloader) fromKeyServer() (path string, temp bool, err error) {
	ks := d.o.KeyServer
	if p, ok := strings.CutPrefix(ks, "file://"); ok {
		return p, false, nil
	}
	if strings.HasPrefix(ks, "/") {
		return ks, false, nil
	}
	if d.o.KeyID == "" {
		return "", false, fail("--keyserver %s needs --keyid: which key to fetch", ks)
	}
	base := ks
	switch {
	case strings.HasPrefix(ks, "hkp://"):
		u, err := url.Parse(ks)
		if err != nil {
			return "", false, fail("--keyserver %s: %v", ks, err)
		}
		if u.Port() == "" {
			u.Host += ":11371"
		}
		u.Scheme = "http"
		base = u.String()
	case strings.HasPrefix(ks, "hkps://"):
		base = "https://" + strings.TrimPrefix(ks, "hkps://")
	case !strings.HasPrefix(ks, "http://") && !strings.HasPrefix(ks, "https://"):
		base = "http://" + ks + ":11371"
	}
	d.say("Fetching key %s from %s", d.o.KeyID, ks)
	f := NewFetcher(base, d.io.Stdout, false)
	data, err := f.Bytes("/pks/lookup?op=get&options=mr&search=0x"+normKeyID(d.o.KeyID), 1<<20)
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return "", false, fail("key %s is not on the keyserver %s (%s)", d.o.KeyID, ks, nf.URL)
	}
	if err != nil {
		return "", false, err
	}
	tmp, err := os.CreateTemp("", "golxc-keyring-")
	if err != nil {
		return "", false, err
	}
	defer tmp.Close()
	if _, err := tmp.Write(data); err != nil {
		return "", false, err
	}
	return tmp.Name(), true, nil
}
