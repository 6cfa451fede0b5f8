package tools

import "testing"

// Every implemented tool is either built on cli.Tool (and Describe returns
// its table) or listed in Plain, so man pages and completion cover all.
func TestDescribeCoversEveryTool(t *testing.T) {
	plain := map[string]bool{}
	for _, p := range Plain {
		plain[p] = true
	}
	for _, name := range Implemented() {
		tool, ok := Describe(name)
		if plain[name] {
			if ok {
				t.Errorf("%s is listed in Plain but Describe returned its table", name)
			}
			continue
		}
		if !ok {
			t.Errorf("%s: Describe found no cli.Tool; list it in Plain if it parses its own command line", name)
			continue
		}
		if tool.Name != name {
			t.Errorf("Describe(%s) returned the table of %s", name, tool.Name)
		}
		if len(tool.Options) == 0 && tool.Help == "" {
			t.Errorf("%s: empty table", name)
		}
	}
}
