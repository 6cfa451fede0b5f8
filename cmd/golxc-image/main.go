// Command golxc-image is golxc's image helper: the download template
// built into lxc-create (-t download) and the image server side (golxc
// image build|sign|serve|list). It is a separate binary because it links
// xz, OpenPGP and TLS, which would slow the start of every lxc-* tool;
// make install puts it in PREFIX/libexec/golxc and golxc runs it there.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/golxc/golxc/internal/image"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}

const usage = `Usage: golxc image COMMAND [OPTIONS]

Commands:
  list  [--server S] [-d DIST] [-r RELEASE] [-a ARCH] [--keyring F | --no-validate]
        the images a server offers
  build [--dist D] [--release R] [--arch A] [--variant V] [--build ID] [--expiry DAYS]
        [--from busybox|debootstrap|rootfs:DIR|container:NAME] [--mirror URL] [-P LXCPATH] [--config FILE]
        [--message TEXT] [--key FILE] DIR
        add an image to the server directory DIR (signed with --key when given)
  sign  [--key FILE] [--export-public FILE] [--force] DIR
        sign DIR's images and indexes (the key is created when FILE is absent)
  serve [--http ADDR] [--https ADDR] [--cert F --tls-key F | --self-signed-ca FILE]
        [--key FILE] [--log] DIR
        serve DIR over HTTP and/or HTTPS; the index is made from DIR at each request
`

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return 1
	}
	stdio := image.IO{Stdin: stdin, Stdout: stdout, Stderr: stderr}
	switch args[0] {
	case "download": // lxc-create -t download, with the template's argv
		return image.RunDownload(args[1:], stdio)
	case "list":
		return image.RunList(args[1:], stdio)
	case "build":
		return cmdBuild(args[1:], stdout, stderr)
	case "sign":
		return cmdSign(args[1:], stdout, stderr)
	case "serve":
		return cmdServe(args[1:], stdout, stderr)
	case "-h", "--help", "help":
		fmt.Fprint(stdout, usage)
		return 0
	}
	fmt.Fprintf(stderr, "golxc image: unknown command %q\n%s", args[0], usage)
	return 1
}

// defaultKey is where `golxc image sign` keeps its secret key.
func defaultKey() string {
	if os.Geteuid() == 0 {
		return "/etc/golxc/image-signing-key.asc"
	}
	home, _ := os.UserHomeDir()
	return filepath.Join(home, ".config/golxc/image-signing-key.asc")
}

func fail(stderr io.Writer, cmd string, err error) int {
	fmt.Fprintf(stderr, "golxc image %s: %v\n", cmd, err)
	return 1
}

func oneDir(fs *flag.FlagSet, stderr io.Writer) (string, bool) {
	if fs.NArg() != 1 {
		fmt.Fprintf(stderr, "golxc image %s: give exactly one server directory\n%s", fs.Name(), usage)
		return "", false
	}
	return fs.Arg(0), true
}

func cmdBuild(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("build", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var o image.BuildOptions
	var days float64
	var key string
	fs.StringVar(&o.Dist, "dist", "busybox", "distribution name")
	fs.StringVar(&o.Release, "release", "", "release name (required unless --from busybox: then \"stable\")")
	fs.StringVar(&o.Arch, "arch", image.HostArch(), "architecture")
	fs.StringVar(&o.Variant, "variant", image.DefaultVar, "variant")
	fs.StringVar(&o.Build, "build", "", "build id (default: the UTC time)")
	fs.Float64Var(&days, "expiry", 30, "days until the image expires")
	fs.StringVar(&o.Source, "from", "busybox", "busybox, debootstrap (Debian --release), rootfs:DIR or container:NAME")
	fs.StringVar(&o.Mirror, "mirror", "", "Debian mirror for --from debootstrap (default: the machine's apt mirror)")
	fs.StringVar(&o.LXCPath, "P", "", "lxcpath of --from container:NAME")
	fs.StringVar(&o.ConfigFile, "config", "", "image config file (default: from the source)")
	fs.StringVar(&o.Message, "message", "", "create-message shown after a create")
	fs.StringVar(&key, "key", "", "sign with this secret key (created when absent)")
	if fs.Parse(args) != nil {
		return 1
	}
	dir, ok := oneDir(fs, stderr)
	if !ok {
		return 1
	}
	if o.Release == "" {
		if o.Source != "busybox" {
			return fail(stderr, "build", fmt.Errorf("--release is required with --from %s", o.Source))
		}
		o.Release = "stable"
	}
	o.Expiry = time.Duration(days * float64(24*time.Hour))
	o.Log = stderr
	if key != "" {
		// Loaded first: the build is signed before it is put in place.
		s, err := loadSigner(key, stdout)
		if err != nil {
			return fail(stderr, "build", err)
		}
		o.Signer = s
	}
	built, err := image.Build(dir, o)
	if err != nil {
		return fail(stderr, "build", err)
	}
	fmt.Fprintf(stdout, "Built %s\n", built)
	if o.Signer != nil {
		if _, err := image.SignTree(dir, o.Signer, false); err != nil {
			return fail(stderr, "build", err)
		}
		return 0
	}
	if err := image.WriteIndexes(dir, nil); err != nil {
		return fail(stderr, "build", err)
	}
	return 0
}

func loadSigner(key string, stdout io.Writer) (*image.Signer, error) {
	s, created, err := image.LoadOrCreateSigner(key, "golxc image server")
	if err != nil {
		return nil, err
	}
	if created {
		fmt.Fprintf(stdout, "Created the signing key %s (%s)\n", key, s.KeyID())
	}
	return s, nil
}

func cmdSign(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("sign", flag.ContinueOnError)
	fs.SetOutput(stderr)
	key := fs.String("key", defaultKey(), "secret key (created when absent)")
	pub := fs.String("export-public", "", "write the public key (the clients' keyring) here")
	force := fs.Bool("force", false, "sign again what is signed already")
	if fs.Parse(args) != nil {
		return 1
	}
	dir, ok := oneDir(fs, stderr)
	if !ok {
		return 1
	}
	s, err := loadSigner(*key, stdout)
	if err != nil {
		return fail(stderr, "sign", err)
	}
	n, err := image.SignTree(dir, s, *force)
	if err != nil {
		return fail(stderr, "sign", err)
	}
	fmt.Fprintf(stdout, "Signed %d file(s) and the indexes of %s with key %s\n", n, dir, s.KeyID())
	if *pub != "" {
		f, err := os.OpenFile(*pub, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
		if err == nil {
			err = s.ExportPublic(f)
			if cerr := f.Close(); err == nil {
				err = cerr
			}
		}
		if err != nil {
			return fail(stderr, "sign", err)
		}
	}
	return 0
}

func cmdServe(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(stderr)
	httpAddr := fs.String("http", "", "HTTP address (host:port)")
	httpsAddr := fs.String("https", "", "HTTPS address (host:port)")
	cert := fs.String("cert", "", "TLS certificate (PEM)")
	tlsKey := fs.String("tls-key", "", "TLS key (PEM)")
	selfCA := fs.String("self-signed-ca", "", "make a throwaway CA and certificate; write the CA here")
	key := fs.String("key", "", "sign the index with this secret key")
	logReq := fs.Bool("log", false, "log each request on stderr")
	if fs.Parse(args) != nil {
		return 1
	}
	dir, ok := oneDir(fs, stderr)
	if !ok {
		return 1
	}
	if *httpAddr == "" && *httpsAddr == "" {
		*httpAddr = "127.0.0.1:8080"
	}
	srv := &image.Server{Dir: dir}
	if *logReq {
		srv.Log = stderr
	}
	if *key != "" {
		s, err := loadSigner(*key, stdout)
		if err != nil {
			return fail(stderr, "serve", err)
		}
		srv.Signer = s
	}
	if *httpAddr != "" {
		a, _, err := srv.Listen(*httpAddr, nil)
		if err != nil {
			return fail(stderr, "serve", err)
		}
		fmt.Fprintf(stdout, "Serving %s on http://%s\n", dir, a)
	}
	if *httpsAddr != "" {
		c, err := tlsCert(*cert, *tlsKey, *selfCA, *httpsAddr)
		if err != nil {
			return fail(stderr, "serve", err)
		}
		a, _, err := srv.Listen(*httpsAddr, c)
		if err != nil {
			return fail(stderr, "serve", err)
		}
		fmt.Fprintf(stdout, "Serving %s on https://%s\n", dir, a)
	}
	if f, ok := stdout.(*os.File); ok {
		f.Sync()
	}
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, syscall.SIGINT, syscall.SIGTERM)
	<-sig
	return 0
}
