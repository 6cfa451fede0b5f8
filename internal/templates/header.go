package templates

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"
	"syscall"
)

// Header is the comment block lxc-create puts at the top of the config after
// the template ran. args are the user's template arguments (after "--").
func Header(templatePath string, args []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# Template used to create this container: %s\n", templatePath)
	b.WriteString("# Parameters passed to the template:")
	for _, a := range args {
		b.WriteString(" " + a)
	}
	b.WriteString("\n")
	b.WriteString("# For additional config options, please look at lxc.container.conf(5)\n")
	b.WriteString("\n# Uncomment the following line to support nesting containers:\n")
	b.WriteString("#lxc.include = /usr/share/lxc/config/nesting.conf\n")
	b.WriteString("# (Be aware this has security implications)\n\n")
	return b.String()
}

// PrependHeader puts Header in front of configFile's content. Like LXC it
// rewrites the file in place, so owner and mode (e.g. after an idmapped
// template chowned it) are kept.
func PrependHeader(configFile, templatePath string, args []string) error {
	// The template may have replaced the config with a symlink (or a
	// fifo, a device): never write through it to a host file.
	f, err := os.OpenFile(configFile, os.O_RDWR|syscall.O_NOFOLLOW|syscall.O_NONBLOCK, 0)
	if err != nil {
		if errors.Is(err, syscall.ELOOP) {
			return fmt.Errorf("add template header to %s: the template left a symlink there, not a config file", configFile)
		}
		return fmt.Errorf("add template header to %s: %w", configFile, err)
	}
	if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
		f.Close()
		return fmt.Errorf("add template header to %s: the template left something other than a regular file there", configFile)
	}
	old, err := io.ReadAll(f)
	if err == nil {
		err = f.Truncate(0)
	}
	if err == nil {
		_, err = f.Seek(0, io.SeekStart)
	}
	if err != nil {
		f.Close()
		return fmt.Errorf("add template header to %s: %w", configFile, err)
	}
	_, werr := f.WriteString(Header(templatePath, args) + string(old))
	if err := f.Close(); werr == nil {
		werr = err
	}
	if werr != nil {
		return fmt.Errorf("add template header to %s: %w", configFile, werr)
	}
	return nil
}
