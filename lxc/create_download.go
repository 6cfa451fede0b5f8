package lxc

import (
	"fmt"
	"os"

	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/log"
	"github.com/golxc/golxc/internal/mapped"
	"github.com/golxc/golxc/internal/selfexe"
	"github.com/golxc/golxc/internal/templates"
)

// runDownload runs the built-in download template: golxc's image helper
// (golxc-image download), a separate binary so that xz, OpenPGP and TLS
// stay out of golxc. Root runs it as itself and, for an idmapped
// container, tells it the mapping (--mapped-uid/gid: the images' "user"
// files) and shifts the rootfs to the container's ids afterwards, as for
// busybox. A user's idmapped container gets it run as the container's
// root through lxc-usernsexec, as LXC runs its script.
func (c *Container) runDownload(a templates.Args, ns *templates.UserNS, maps []config.IDMap, quiet bool, kill <-chan struct{}) error {
	helper, err := selfexe.Helper(selfexe.ImageHelper)
	if err != nil {
		return err
	}
	opts := templates.RunOptions{Quiet: quiet, Kill: kill, Subcommand: "download",
		Label: "download (" + helper + " download)"}
	if ns != nil && os.Geteuid() != 0 {
		if err := mapped.Chown(maps, 0, 0, a.Rootfs); err != nil {
			return fmt.Errorf("give %s to the container's root (lxc.idmap): %w", a.Rootfs, err)
		}
		opts.UserNS = ns
		return templates.RunExternal(helper, a, opts)
	}
	if ns != nil {
		a.MappedUID, a.MappedGID = ns.MappedUID, ns.MappedGID
	}
	if err := templates.RunExternal(helper, a, opts); err != nil || ns == nil {
		return err
	}
	spec, err := c.initialSpec()
	if err != nil {
		return err
	}
	log.Debugf("Shifting the ownership of %s to the container's lxc.idmap", a.Rootfs)
	if err := templates.ShiftOwnership(a.Rootfs, spec.IDMap); err != nil {
		return fmt.Errorf("give the rootfs to the container's ids (lxc.idmap): %w", err)
	}
	return nil
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
