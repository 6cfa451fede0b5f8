package templates

// DownloadOption is one option of the built-in download template (the
// arguments after lxc-create -t download --). The template itself runs
// in golxc-image (internal/image parses these); the table lives here, in
// a package golxc links anyway, for lxc-create(1) and bash completion.
// internal/image's tests check that its parser and help text agree.
type DownloadOption struct {
	Short byte   // 0: long only
	Long  string // without "--"
	Arg   string // the argument's placeholder; "": a flag
	Help  string
}

// DownloadOptions is the download template's table, user options only
// (lxc-create passes --name, --path, --rootfs and --mapped-uid/gid).
func DownloadOptions() []DownloadOption {
	return []DownloadOption{
		{'l', "list", "", "List the images the server offers (for the -d, -r, -a given) and exit."},
		{'d', "dist", "DIST", "The distribution of the image (required)."},
		{'r', "release", "RELEASE", "Its release (required)."},
		{'a', "arch", "ARCH", "Its architecture (required)."},
		{0, "variant", "VARIANT", `Its variant (default: "default").`},
		{0, "server", "SERVER", "The image server (default: images.linuxcontainers.org; also $GOLXC_DOWNLOAD_SERVER or golxc.download.server in lxc.conf)."},
		{0, "flush-cache", "", "Remove the cached copy of the image first."},
		{0, "force-cache", "", "Use the cached copy even if it has expired."},
		{0, "keyring", "FILE", "The OpenPGP keyring the images must be signed with (golxc's; default: $GOLXC_DOWNLOAD_KEYRING, golxc.download.keyring in lxc.conf, else /etc/golxc/download-keyring.gpg)."},
		{0, "keyid", "KEYID", "Accept signatures by this key only."},
		{0, "keyserver", "KEYSERVER", "Fetch the --keyid key from this keyserver (hkp:// or http://) or read it from this file."},
		{0, "no-validate", "", "Do not check the signatures (not recommended: whoever controls the server or the network path controls the rootfs)."},
		{'h', "help", "", "Print the template's help and exit."},
	}
}
