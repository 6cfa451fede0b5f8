package image

import (
	"regexp"
	"strings"
	"testing"

	"github.com/golxc/golxc/internal/templates"
)

// The download template's option table (templates.DownloadOptions, which
// lxc-create(1) and bash completion are made from) is what the template
// parses and what its help names: neither can drift from the other.
func TestDownloadOptionTableMatchesTemplate(t *testing.T) {
	table := map[string]bool{}
	for _, o := range templates.DownloadOptions() {
		table[o.Long] = true
		forms := [][]string{{"--" + o.Long}}
		if o.Short != 0 {
			forms = append(forms, []string{"-" + string(o.Short)})
		}
		for _, f := range forms {
			if o.Arg != "" {
				f = append(f, "x")
			}
			if _, err := ParseDownloadArgs(f); err != nil {
				t.Errorf("table option %q: the template rejects it: %v", f, err)
			}
			if !strings.Contains(DownloadUsage, f[0]) {
				t.Errorf("table option %s: not in the template's help", f[0])
			}
		}
	}
	// Every user option of the help is in the table (lxc-create passes
	// the internal ones).
	user, _, _ := strings.Cut(DownloadUsage, "LXC internal arguments")
	for _, m := range regexp.MustCompile(`--([a-z-]+)`).FindAllStringSubmatch(user, -1) {
		if !table[m[1]] {
			t.Errorf("the template's help names --%s, templates.DownloadOptions does not", m[1])
		}
	}
}
