package lxc

import (
	"github.com/golxc/golxc/internal/selfexe"
	"github.com/golxc/golxc/internal/templates"
)

// runBuiltin runs a built-in template as the caller. Busybox runs in this
// process; download runs golxc's image helper (golxc-image download),
// a separate binary so that xz, OpenPGP and TLS stay out of golxc. For an
// idmapped container the helper unpacks as the caller and is told the
// mapping (--mapped-uid/gid: the images' "user" files), and the caller
// shifts the rootfs to the container's ids afterwards, as for busybox.
func (c *Container) runBuiltin(builtin string, a templates.Args, ns *templates.UserNS, quiet bool, kill <-chan struct{}) error {
	if builtin == templates.BuiltinBusybox {
		return templates.Busybox(a)
	}
	helper, err := selfexe.Helper(selfexe.ImageHelper)
	if err != nil {
		return err
	}
	if ns != nil {
		a.MappedUID, a.MappedGID = ns.MappedUID, ns.MappedGID
	}
	return templates.RunExternal(helper, a, templates.RunOptions{Quiet: quiet, Kill: kill, Subcommand: "download",
		Label: "download (" + helper + " download)"})
}

// downloadArgs turns the go-lxc style download fields of TemplateOptions
// into the template's options (placed before ExtraArgs).
func downloadArgs(o TemplateOptions) []string {
	var args []string
	for _, kv := range [][2]string{{"--dist", o.Distro}, {"--release", o.Release}, {"--arch", o.Arch},
		{"--variant", o.Variant}, {"--server", o.Server}, {"--keyid", o.KeyID}, {"--keyserver", o.KeyServer}} {
		if kv[1] != "" {
			args = append(args, kv[0], kv[1])
		}
	}
	for _, f := range []struct {
		on   bool
		flag string
	}{{o.DisableGPGValidation, "--no-validate"}, {o.FlushCache, "--flush-cache"}, {o.ForceCache, "--force-cache"}} {
		if f.on {
			args = append(args, f.flag)
		}
	}
	return args
}
