package image

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"golang.org/x/term"
)

// DownloadOptions are the download template's arguments.
type DownloadOptions struct {
	Dist, Release, Arch, Variant string
	Server                       string
	FlushCache, ForceCache, List bool
	KeyID, KeyServer, Keyring    string
	NoValidate                   bool
	Name, Path, Rootfs           string
	MappedUID, MappedGID         int // -1: none
	Help                         bool
}

// IO is where the template talks.
type IO struct {
	Stdin          io.Reader
	Stdout, Stderr io.Writer
}

// ParseDownloadArgs reads the template's command line (getopt style:
// -d X, -dX, --dist X, --dist=X).
func ParseDownloadArgs(args []string) (*DownloadOptions, error) {
	o := &DownloadOptions{Variant: DefaultVar, MappedUID: -1, MappedGID: -1}
	str := map[string]*string{"d": &o.Dist, "dist": &o.Dist, "r": &o.Release, "release": &o.Release,
		"a": &o.Arch, "arch": &o.Arch, "variant": &o.Variant, "server": &o.Server, "keyid": &o.KeyID,
		"keyserver": &o.KeyServer, "keyring": &o.Keyring, "name": &o.Name, "path": &o.Path, "rootfs": &o.Rootfs}
	num := map[string]*int{"mapped-uid": &o.MappedUID, "mapped-gid": &o.MappedGID}
	flags := map[string]*bool{"h": &o.Help, "help": &o.Help, "l": &o.List, "list": &o.List,
		"flush-cache": &o.FlushCache, "force-cache": &o.ForceCache, "no-validate": &o.NoValidate}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			break
		}
		var name, val string
		hasVal := false
		switch {
		case strings.HasPrefix(a, "--"):
			name, val, hasVal = strings.Cut(a[2:], "=")
		case strings.HasPrefix(a, "-") && len(a) >= 2:
			name = a[1:2]
			if len(a) > 2 {
				val, hasVal = a[2:], true
			}
		default:
			return nil, fmt.Errorf("unexpected argument %q", a)
		}
		if b, ok := flags[name]; ok {
			if hasVal && len(name) > 1 {
				return nil, fmt.Errorf("option --%s takes no value", name)
			}
			*b = true
			continue
		}
		s, isStr := str[name]
		n, isNum := num[name]
		if !isStr && !isNum {
			return nil, fmt.Errorf("unrecognized option %q", a)
		}
		if !hasVal {
			if i+1 >= len(args) {
				return nil, fmt.Errorf("option %q requires an argument", a)
			}
			i++
			val = args[i]
		}
		if isStr {
			*s = val
		} else {
			v, err := strconv.Atoi(val)
			if err != nil {
				return nil, fmt.Errorf("option %q: %q is not a number", a, val)
			}
			*n = v
		}
	}
	return o, nil
}

// DownloadUsage is the template's help (LXC's, plus golxc's signature options).
const DownloadUsage = `LXC container image downloader

Special arguments:
[ -h | --help ]: Print this help message and exit
[ -l | --list ]: List all available images and exit

Required arguments:
[ -d | --dist <distribution> ]: The name of the distribution
[ -r | --release <release> ]: Release name/version
[ -a | --arch <architecture> ]: Architecture of the container

Optional arguments:
[ --variant <variant> ]: Variant of the image (default: "default")
[ --server <server> ]: Image server (default: "images.linuxcontainers.org";
                       also $GOLXC_DOWNLOAD_SERVER or golxc.download.server in lxc.conf)
[ --flush-cache ]: Flush the local copy (if present)
[ --force-cache ]: Force the use of the local copy even if expired
[ --keyring <file> ]: OpenPGP keyring the images must be signed with
                      (default: $GOLXC_DOWNLOAD_KEYRING, golxc.download.keyring in lxc.conf,
                      else /etc/golxc/download-keyring.gpg)
[ --keyid <keyid> ]: Only accept signatures by this key
[ --keyserver <keyserver> ]: Fetch the --keyid key from this keyserver (hkp:// or http://)
                             or read it from this file
[ --no-validate ]: Disable signature validation (not recommended)

LXC internal arguments (do not pass manually!):
[ --name <name> ]: The container name
[ --path <path> ]: The path to the container
[ --rootfs <rootfs> ]: The path to the container's rootfs
[ --mapped-uid <map> ]: A uid map (user namespaces)
[ --mapped-gid <map> ]: A gid map (user namespaces)
`

// failure is an error the template reports as one "ERROR: ..." line.
type failure struct{ msg string }

func (f *failure) Error() string { return f.msg }

func fail(format string, a ...any) error { return &failure{fmt.Sprintf(format, a...)} }

// RunDownload is the download template. It returns the exit status.
func RunDownload(args []string, stdio IO) int {
	o, err := ParseDownloadArgs(args)
	if err != nil {
		fmt.Fprintf(stdio.Stderr, "ERROR: %v\n", err)
		fmt.Fprint(stdio.Stderr, DownloadUsage)
		return 1
	}
	if o.Help {
		fmt.Fprint(stdio.Stdout, DownloadUsage)
		return 1 // as LXC's template
	}
	d := &downloader{o: o, io: stdio, now: time.Now()}
	if err := d.run(); err != nil {
		fmt.Fprintf(stdio.Stderr, "ERROR: %v\n", err)
		return 1
	}
	return 0
}

type downloader struct {
	o       *DownloadOptions
	io      IO
	now     time.Time
	mode    string // system or user: which index, config and excludes
	user    bool   // the cache is the user's (~/.cache/lxc)
	userns  string // inUserns()
	keyring *Keyring
	fetch   *Fetcher
}

func (d *downloader) say(format string, a ...any) { fmt.Fprintf(d.io.Stdout, format+"\n", a...) }

func isTerminal(x any) bool {
	f, ok := x.(*os.File)
	return ok && term.IsTerminal(int(f.Fd()))
}

func (d *downloader) run() error {
	o := d.o
	if (o.Name == "" || o.Path == "" || o.Rootfs == "") && !o.List {
		return fail("Please pass the name, path, and rootfs for the container")
	}
	d.userns = inUserns()
	d.mode, d.user = "system", os.Geteuid() != 0 || d.userns == "yes"
	if o.MappedUID >= 0 || d.user || d.userns != "no" {
		d.mode = "user"
	}
	if o.Server == "" {
		o.Server = DefaultServer()
	}
	d.fetch = NewFetcher(o.Server, d.io.Stdout, isTerminal(d.io.Stdout))
	if err := d.setupKeyring(); err != nil {
		return err
	}
	interactive := o.Dist == "" || o.Release == "" || o.Arch == ""
	if o.List || interactive {
		if interactive && !o.List && !isTerminal(d.io.Stdin) {
			return fail("no image given: pass -d DIST -r RELEASE -a ARCH after -- (lxc-create -t download -n NAME -- -d DIST -r RELEASE -a ARCH); stdin is not a terminal, so there is no prompt; --list shows the images of %s", o.Server)
		}
		entries, err := d.index()
		if err != nil {
			return err
		}
		fmt.Fprint(d.io.Stdout, Table(entries, Filter{o.Dist, o.Release, o.Arch, o.Variant}))
		if o.List {
			return errListed
		}
		if err := d.prompt(); err != nil {
			return err
		}
	}
	return d.create()
}

// errListed: --list ends the template with status 1, as in LXC, so that
// lxc-create makes no container.
var errListed = &failure{"--list only lists the images; no container was created"}

func (d *downloader) prompt() error {
	fmt.Fprintln(d.io.Stdout)
	in := bufio.NewReader(d.io.Stdin)
	for _, q := range []struct {
		label string
		v     *string
	}{{"Distribution", &d.o.Dist}, {"Release", &d.o.Release}, {"Architecture", &d.o.Arch}} {
		if *q.v != "" {
			continue
		}
		fmt.Fprintf(d.io.Stdout, "%s: ", q.label)
		line, err := in.ReadString('\n')
		*q.v = strings.TrimSpace(line)
		if *q.v == "" {
			if err != nil {
				return fail("no %s given (end of input)", strings.ToLower(q.label))
			}
			return fail("no %s given", strings.ToLower(q.label))
		}
	}
	fmt.Fprintln(d.io.Stdout)
	return nil
}

func (d *downloader) setupKeyring() error {
	o := d.o
	if o.NoValidate {
		fmt.Fprintln(d.io.Stderr, "WARNING: --no-validate: the image's signatures are NOT checked; whoever controls the server or the network path to it controls this container's rootfs")
		return nil
	}
	path := o.Keyring
	if o.KeyServer != "" {
		p, temp, err := d.fromKeyServer()
		if err != nil {
			return err
		}
		if temp {
			defer os.Remove(p)
		}
		path = p
	}
	if path == "" {
		path = DefaultKeyring()
	}
	d.say("Setting up the GPG keyring")
	k, err := LoadKeyring(path, o.KeyID)
	if err != nil {
		return err
	}
	d.keyring = k
	return nil
}

// index fetches index-MODE.7, else index-MODE, and its signature.
func (d *downloader) index() ([]Entry, error) {
	d.say("Downloading the image index")
	p := "/" + IndexDir + "/index-" + d.mode
	// As LXC: any failure of index-MODE.7 falls back to index-MODE,
	// whose failure is the one reported.
	data, err := d.fetch.Bytes(p+"."+CompatLevel, 16<<20)
	if err != nil {
		data, err = d.fetch.Bytes(p, 16<<20)
	} else {
		p += "." + CompatLevel
	}
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return nil, &FetchError{nf.URL, d.o.Server, errors.New("404 Not Found (no image index there)")}
	}
	if err != nil {
		return nil, err
	}
	if d.keyring != nil {
		sig, err := d.signature(p)
		if err != nil {
			return nil, err
		}
		if err := d.keyring.Verify("the image index "+d.fetch.URL(p), strings.NewReader(string(data)), sig); err != nil {
			return nil, err
		}
	}
	return ParseIndex(string(data)), nil
}

func (d *downloader) signature(p string) ([]byte, error) {
	sig, err := d.fetch.Bytes(p+SigSuffix, 1<<20)
	var nf *NotFoundError
	if errors.As(err, &nf) {
		return nil, fail("%s is not signed (no %s); use a signed server or --no-validate at your own risk", d.fetch.URL(p), nf.URL)
	}
	return sig, err
}

func (d *downloader) create() error {
	o := d.o
	f := Filter{o.Dist, o.Release, o.Arch, o.Variant}
	base := CacheBase(d.user)
	entry, err := entryDir(base, f)
	if err != nil {
		return err
	}
	release, err := lockFile(entry + ".lock")
	if err != nil {
		return fmt.Errorf("lock the image cache %s: %w", entry, err)
	}
	defer release()
	useCache := false
	if exists(entry) {
		switch {
		case o.FlushCache:
			d.say("Flushing the cache...")
			if err := os.RemoveAll(entry); err != nil {
				return err
			}
		case o.ForceCache:
			useCache = true
		default:
			useCache = true
			if expired(entry, d.mode, d.now) {
				d.say("The cached copy has expired, re-downloading...")
				useCache = false
			}
		}
	}
	if useCache {
		d.say("Using image from local cache")
	} else if err := d.refresh(f, entry, filepath.Join(base, "download")); err != nil {
		return err
	}
	return d.unpack(entry)
}

// refresh downloads the image into the cache, verified before anything is
// unpacked, and installs it in one rename.
func (d *downloader) refresh(f Filter, entry, downloadDir string) error {
	entries, err := d.index()
	if err != nil {
		return err
	}
	e, ok := Find(entries, f)
	if !ok {
		return fail("Couldn't find a matching image (%s;%s;%s;%s on %s; --list shows what it has)", f.Dist, f.Release, f.Arch, f.Variant, d.o.Server)
	}
	if id, err := os.ReadFile(filepath.Join(entry, "build_id")); err == nil && strings.TrimSpace(string(id)) == e.Build {
		d.say("The cache is already up to date")
		d.say("Using image from local cache")
		return nil
	}
	part, err := newPartial(downloadDir)
	if err != nil {
		return noSpace(fmt.Errorf("prepare the image cache in %s: %w", downloadDir, err), "preparing a download", "the image cache "+downloadDir, cacheRemedy)
	}
	defer part.Remove()
	stopOnSignal(part.Remove)
	defer stopOnSignal(nil)
	dir := strings.TrimRight(e.Path, "/")
	files := []struct{ name, label string }{{RootfsFile, "Downloading the rootfs"}, {MetaFile, "Downloading the metadata"}}
	for _, file := range files {
		d.say("%s", file.label)
		dst := filepath.Join(part.Path, file.name)
		if err := d.fetch.ToFile(dir+"/"+file.name, dst, file.name); err != nil {
			return noSpace(err, "downloading "+file.name, "the image cache "+downloadDir, cacheRemedy)
		}
		if d.keyring != nil {
			sig, err := d.signature(dir + "/" + file.name)
			if err != nil {
				return err
			}
			if err := d.keyring.VerifyFile(d.fetch.URL(dir+"/"+file.name), dst, sig); err != nil {
				return err
			}
		}
	}
	// A plain copy of the verified rootfs: later creates from the cache
	// skip the xz decoding (pure Go, the bulk of a warm create's time).
	inCache := func(err error, step string) error {
		return noSpace(err, step, "the image cache "+downloadDir, cacheRemedy)
	}
	if err := decompress(filepath.Join(part.Path, RootfsFile), filepath.Join(part.Path, plainRootfs)); err != nil {
		if e := inCache(err, "decompressing the rootfs"); e != err {
			return e
		}
		return fail("Invalid rootfs tarball: %v", err)
	}
	meta := filepath.Join(part.Path, MetaFile)
	if err := Unpack(meta, part.Path, UnpackOptions{OnlyFiles: true}); err != nil {
		if e := inCache(err, "unpacking the metadata"); e != err {
			return e
		}
		return fail("Invalid metadata tarball: %v", err)
	}
	os.Remove(meta)
	if err := os.WriteFile(filepath.Join(part.Path, "build_id"), []byte(e.Build+"\n"), 0o644); err != nil {
		return inCache(err, "writing build_id")
	}
	if err := install(part, entry); err != nil {
		return inCache(fmt.Errorf("install the image into the cache %s: %w", entry, err), "installing the image")
	}
	if d.userns == "yes" && d.o.MappedUID >= 0 {
		giveBack(downloadDir, d.o.MappedUID, d.o.MappedGID)
	}
	d.say("The image cache is now ready")
	return nil
}

func (d *downloader) unpack(entry string) error {
	o := d.o
	d.say("Unpacking the rootfs")
	excl := readLines(relevant(entry, "excludes", d.mode))
	src := filepath.Join(entry, plainRootfs)
	if !exists(src) {
		src = filepath.Join(entry, RootfsFile) // a cache LXC's script filled
	}
	full := func(err error, step, where string) error { return noSpace(err, step, where, rootfsRemedy) }
	if err := Unpack(src, o.Rootfs, UnpackOptions{Excludes: excl, Owners: os.Geteuid() == 0}); err != nil {
		return full(err, "unpacking the rootfs", o.Rootfs)
	}
	if err := os.MkdirAll(filepath.Join(o.Rootfs, "dev/pts"), 0o755); err != nil {
		return full(err, "making /dev/pts", o.Rootfs)
	}
	t := Target{Name: o.Name, Path: o.Path, Rootfs: o.Rootfs, ConfigFile: filepath.Join(o.Path, "config")}
	if err := SpliceConfig(t, entry, d.mode); err != nil {
		return full(err, "writing the config", t.ConfigFile)
	}
	if err := RenderTemplates(t, entry, d.mode); err != nil {
		return full(err, "rendering the image's templated files", o.Rootfs)
	}
	if msg, err := os.ReadFile(relevant(entry, "create-message", d.mode)); err == nil {
		fmt.Fprintf(d.io.Stdout, "\n---\n%s", msg)
	}
	return nil
}

// RunList is `golxc image list`: the download template's --list, which
// succeeds when the table was printed.
func RunList(args []string, stdio IO) int {
	o, err := ParseDownloadArgs(args)
	if err != nil {
		fmt.Fprintf(stdio.Stderr, "ERROR: %v\n", err)
		return 1
	}
	o.List = true
	d := &downloader{o: o, io: stdio, now: time.Now()}
	if err := d.run(); err != nil && err != errListed {
		fmt.Fprintf(stdio.Stderr, "ERROR: %v\n", err)
		return 1
	}
	return 0
}
