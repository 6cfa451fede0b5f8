package image

import "testing"

func TestTemplateName(t *testing.T) {
	for _, c := range []struct{ name, in, want string }{
		{"local", "local\n", "LXC_NAME\n"},
		{"local", "127.0.0.1 localhost\n127.0.1.1 local.example.org local\n", "127.0.0.1 localhost\n127.0.1.1 LXC_NAME.example.org LXC_NAME\n"},
		{"debian", "127.0.1.1\tdebian # debian-ish\n", "127.0.1.1\tLXC_NAME # debian-ish\n"},
		{"web", "10.0.0.1 web2 myweb\n", "10.0.0.1 web2 myweb\n"},
	} {
		if got := templateName(c.in, c.name); got != c.want {
			t.Errorf("templateName(%q, %q) = %q, want %q", c.in, c.name, got, c.want)
		}
	}
}

func TestTemplatePath(t *testing.T) {
	dir := "/lp/web"
	for in, want := range map[string]string{
		"lxc.log.file = /lp/web/web.log\n":           "lxc.log.file = LXC_PATH/web.log\n",
		"lxc.hook.pre-start = /lp/web2/hook\n":       "lxc.hook.pre-start = /lp/web2/hook\n",
		"lxc.mount.entry = /lp/web/data data none\n": "lxc.mount.entry = LXC_PATH/data data none\n",
		"x = /lp/web": "x = LXC_PATH",
	} {
		if got := templatePath(in, dir); got != want {
			t.Errorf("templatePath(%q) = %q, want %q", in, got, want)
		}
	}
}
