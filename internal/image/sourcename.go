package image

import (
	"regexp"
	"strings"
)

// templateName makes a source container's name in one of its files
// (/etc/hostname, /etc/hosts) the image's LXC_NAME: only where it stands
// as a host name, a whole word or the first label of a dotted name, so
// that "localhost" stays when the container is called "local".
func templateName(text, name string) string {
	if name == "" {
		return text
	}
	return hostWord.ReplaceAllStringFunc(text, func(w string) string {
		if w == name {
			return "LXC_NAME"
		}
		if rest, ok := strings.CutPrefix(w, name+"."); ok {
			return "LXC_NAME." + rest
		}
		return w
	})
}

var hostWord = regexp.MustCompile(`[^\s#]+`)

// templatePath makes the source container's directory in a config value
// the image's LXC_PATH where it stands as a whole path component
// ("/lp/web/x", not "/lp/web2/x").
func templatePath(text, dir string) string {
	if dir == "" {
		return text
	}
	var b strings.Builder
	for {
		i := strings.Index(text, dir)
		if i < 0 {
			b.WriteString(text)
			return b.String()
		}
		end := i + len(dir)
		b.WriteString(text[:i])
		if end == len(text) || strings.ContainsRune("/ \t\n:\"'", rune(text[end])) {
			b.WriteString("LXC_PATH")
		} else {
			b.WriteString(dir)
		}
		text = text[end:]
	}
}
