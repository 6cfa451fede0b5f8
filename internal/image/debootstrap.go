package image

import (
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
)

// debianPackages are what the image adds to debootstrap's minbase: an
// init, DHCP on eth0 with ifupdown, and TLS roots for apt.
const debianPackages = "init,ifupdown,isc-dhcp-client,netbase,iproute2,ca-certificates"

// debianConfig is the image's config; config-user adds the userns part.
const debianConfig = `lxc.include = LXC_TEMPLATE_CONFIG/debian.common.conf
lxc.arch = %s
lxc.tty.max = 4
`

// DebianMirror is the first Debian archive of the machine's apt sources
// (deb822 URIs: or one-line deb), else deb.debian.org.
func DebianMirror() string {
	files, _ := filepath.Glob("/etc/apt/sources.list.d/*.sources")
	files = append(files, "/etc/apt/sources.list")
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		for _, l := range strings.Split(string(data), "\n") {
			l = strings.TrimSpace(l)
			var uris []string
			if v, ok := strings.CutPrefix(l, "URIs:"); ok {
				uris = strings.Fields(v)
			} else if fs := strings.Fields(l); len(fs) >= 3 && fs[0] == "deb" {
				uris = fs[1:2]
				if strings.HasPrefix(uris[0], "[") && len(fs) >= 4 {
					uris = fs[2:3]
				}
			}
			for _, u := range uris {
				if strings.HasSuffix(strings.TrimRight(u, "/"), "/debian") {
					return u
				}
			}
		}
	}
	return "http://deb.debian.org/debian"
}

// debootstrapSource installs Debian RELEASE into work/rootfs with
// debootstrap from mirror, then makes it a container image as LXC's
// debian template does (network by DHCP on eth0, templated hostname and
// hosts, systemd without udev and with gettys on the container's ttys).
func debootstrapSource(release, arch, mirror string, log io.Writer, work string) (string, string, error) {
	if _, err := exec.LookPath("debootstrap"); err != nil {
		return "", "", fmt.Errorf("--from debootstrap needs debootstrap (apt-get install debootstrap)")
	}
	if mirror == "" {
		mirror = DebianMirror()
	}
	rootfs := filepath.Join(work, "rootfs")
	cmd := exec.Command("debootstrap", "--variant=minbase", "--arch="+arch, "--include="+debianPackages, release, rootfs, mirror)
	cmd.Stdout, cmd.Stderr = log, log
	if err := cmd.Run(); err != nil {
		return "", "", fmt.Errorf("debootstrap %s from %s: %v (its output is above)", release, mirror, err)
	}
	if err := debianFixups(rootfs); err != nil {
		return "", "", fmt.Errorf("prepare the Debian rootfs: %w", err)
	}
	return rootfs, fmt.Sprintf(debianConfig, arch), nil
}

func debianFixups(rootfs string) error {
	files := map[string]string{
		"etc/network/interfaces": "auto lo\niface lo inet loopback\n\nauto eth0\niface eth0 inet dhcp\n",
		"etc/hostname":           "LXC_NAME\n",
		"etc/hosts": "127.0.0.1   localhost\n127.0.1.1   LXC_NAME\n\n" +
			"::1     localhost ip6-localhost ip6-loopback\nff02::1 ip6-allnodes\nff02::2 ip6-allrouters\n",
		// Each container gets its own id at its first boot.
		"etc/machine-id": "",
	}
	for rel, content := range files {
		p := filepath.Join(rootfs, rel)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			return err
		}
	}
	sysd := filepath.Join(rootfs, "etc/systemd/system")
	wants := filepath.Join(sysd, "getty.target.wants")
	if err := os.MkdirAll(wants, 0o755); err != nil {
		return err
	}
	links := map[string]string{
		filepath.Join(sysd, "udev.service"):          "/dev/null",
		filepath.Join(sysd, "systemd-udevd.service"): "/dev/null",
		filepath.Join(sysd, "default.target"):        "/lib/systemd/system/multi-user.target",
		filepath.Join(rootfs, "etc/mtab"):            "/proc/self/mounts",
	}
	for i := 1; i <= 4; i++ {
		links[filepath.Join(wants, fmt.Sprintf("getty@tty%d.service", i))] = "../getty@.service"
	}
	// container-getty@ (from systemd's generator) would run a second
	// getty on the same ttys.
	for i := 0; i <= 4; i++ {
		links[filepath.Join(wants, fmt.Sprintf("container-getty@%d.service", i))] = "/dev/null"
	}
	for p, target := range links {
		os.Remove(p)
		if err := os.Symlink(target, p); err != nil {
			return err
		}
	}
	// No leftover apt lists or package cache in the image.
	for _, d := range []string{"var/cache/apt/archives", "var/lib/apt/lists"} {
		ents, _ := os.ReadDir(filepath.Join(rootfs, d))
		for _, e := range ents {
			if e.Type().IsRegular() {
				os.Remove(filepath.Join(rootfs, d, e.Name()))
			}
		}
	}
	return nil
}
