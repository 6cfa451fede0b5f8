// Package completion writes the bash completion script of golxc's lxc-*
// tools from the option tables the tools parse with (tools.Describe) and
// the parser's key table, so it offers exactly the options each tool
// accepts. Container names come from golxc's own lxc-ls, filtered by
// state the way LXC 5.0.2's completion does (running containers for
// lxc-attach, stopped ones for lxc-start, ...), from the -P lxcpath on
// the command line when there is one.
package completion

import (
	_ "embed"
	"fmt"
	"sort"
	"strings"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/internal/config"
	"github.com/golxc/golxc/internal/templates"
	"github.com/golxc/golxc/internal/tools"
)

// spec is what the script knows about one tool.
type spec struct {
	opts []string // every option word, table order
	// args maps each option that takes a separate argument to the shell
	// code completing it ("" for a free value).
	args map[string]string
	// nameFilter is the lxc-ls filter of the names completed for -n and
	// the first operand; hasNames false: no names.
	nameFilter string
	hasNames   bool
	operand    string // code completing operands instead of names
}

// nameFilters is LXC 5.0.2's choice of containers per tool.
func nameFilters() map[string]string {
	return map[string]string{
		"lxc-attach": "--running", "lxc-cgroup": "--running", "lxc-console": "--running",
		"lxc-device": "--running", "lxc-freeze": "--running", "lxc-stop": "--running",
		"lxc-shutdown": "--running",
		"lxc-destroy":  "--stopped", "lxc-execute": "--stopped", "lxc-start": "--stopped",
		"lxc-info": "--defined", "lxc-monitor": "--defined", "lxc-wait": "--defined",
		"lxc-unfreeze": "--frozen",
	}
}

// Shell code of the argument completers (functions of script.bash).
const (
	names         = "__golxc_tool_names"
	dirs          = "__golxc_compgen -d"
	files         = "__golxc_compgen -f"
	keys          = `__golxc_words "$__golxc_keys"`
	defines       = "__golxc_defines"
	levels        = "__golxc_words 'TRACE DEBUG INFO NOTICE WARN ERROR CRIT ALERT FATAL'"
	nsList        = "__golxc_list '|' 'MOUNT PID UTSNAME IPC USER NETWORK'"
	ifaces        = "__golxc_interfaces"
	tmpls         = "__golxc_templates"
	cgroupOperand = "__golxc_cgroup_operand"
)

// argCompleter is the completer of an option's argument: tool-specific
// first, then by option name for every tool.
func argCompleter(tool, long string) string {
	switch tool + " " + long {
	case "lxc-info config":
		return keys
	case "lxc-create template":
		return tmpls
	case "lxc-create config":
		return files
	case "lxc-create bdev":
		return "__golxc_words 'best btrfs dir loop lvm overlay overlayfs rbd zfs'"
	case "lxc-create dir":
		return dirs
	case "lxc-wait state":
		return "__golxc_list '|' 'STOPPED STARTING RUNNING STOPPING ABORTING FREEZING FROZEN THAWED'"
	case "lxc-attach namespaces", "lxc-unshare namespaces":
		return nsList
	case "lxc-attach elevated-privileges":
		return "__golxc_list '|' 'CAP CGROUP LSM'"
	case "lxc-ls fancy-format":
		return "__golxc_list ',' 'NAME STATE PID RAM SWAP AUTOSTART GROUPS INTERFACE IPV4 IPV6 UNPRIVILEGED'"
	case "lxc-top sort":
		return "__golxc_words 'n c b m s k'"
	case "lxc-unshare ifname":
		return ifaces
	case "lxc-console console", "lxc-start console":
		return files
	}
	switch long {
	case "name":
		return names
	case "lxcpath":
		return dirs
	case "logfile", "rcfile", "pidfile", "console-log", "pty-log":
		return files
	case "logpriority":
		return levels
	case "define":
		return defines
	case "format":
		return "__golxc_words 'json text'"
	case "share-net", "share-ipc", "share-uts", "share-pid":
		return "__golxc_names --active"
	}
	return ""
}

// toolSpec builds the spec of a cli.Tool-based tool from its table.
func toolSpec(t *cli.Tool) spec {
	s := spec{args: map[string]string{}}
	for _, o := range append(append([]cli.Option{}, t.Options...), cli.CommonOptions()...) {
		var words []string
		if o.Short != 0 {
			words = append(words, "-"+string(o.Short))
		}
		if o.Long != "" {
			words = append(words, "--"+o.Long)
		}
		for _, w := range words {
			if containsWord(s.opts, w) {
				continue
			}
			// lxc-create's digit codes stand for long-only options.
			if len(w) == 2 && w[1] >= '0' && w[1] <= '9' && t.Name == "lxc-create" {
				continue
			}
			s.opts = append(s.opts, w)
			if o.Arg == cli.RequiredArg {
				s.args[w] = argCompleter(t.Name, o.Long)
			}
		}
	}
	s.nameFilter, s.hasNames = nameFilters()[t.Name]
	if t.Name == "lxc-cgroup" {
		s.operand = cgroupOperand
	}
	return s
}

func containsWord(list []string, w string) bool {
	for _, x := range list {
		if x == w {
			return true
		}
	}
	return false
}

// plainSpecs are the tools that parse their own command line.
func plainSpecs() map[string]spec {
	return map[string]spec{
		"lxc-checkconfig":   {args: map[string]string{}},
		"lxc-config":        {opts: []string{"-l"}, args: map[string]string{}, operand: `__golxc_words "$__golxc_global_keys"`},
		"lxc-net":           {args: map[string]string{}, operand: "__golxc_first_operand 'start stop restart reload force-reload status cleanup'"},
		"lxc-update-config": {opts: []string{"-c", "--config", "-h", "--help"}, args: map[string]string{"-c": files, "--config": files}},
		"lxc-usernsexec":    {opts: []string{"-h", "-m", "-s"}, args: map[string]string{"-m": ""}},
	}
}

// Specs returns the spec of every implemented tool.
func specs() (map[string]spec, error) {
	out := map[string]spec{}
	plain := plainSpecs()
	for _, name := range tools.Implemented() {
		if t, ok := tools.Describe(name); ok {
			out[name] = toolSpec(t)
			continue
		}
		s, ok := plain[name]
		if !ok {
			return nil, fmt.Errorf("%s: no option table and no hand-written completion in completion's plainSpecs", name)
		}
		out[name] = s
	}
	return out, nil
}

// Bash returns the completion script for every tool (and golxc itself).
func Bash() (string, error) {
	all, err := specs()
	if err != nil {
		return "", err
	}
	var b strings.Builder
	b.WriteString("# bash completion for golxc's lxc-* tools.\n")
	b.WriteString("# Generated by `golxc completion` from the tools' option tables; do not edit.\n\n")
	b.WriteString("declare -gA __golxc_opts=() __golxc_args=() __golxc_namefilter=() __golxc_operand=()\n")
	names := make([]string, 0, len(all))
	for n := range all {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		s := all[n]
		fmt.Fprintf(&b, "__golxc_opts[%s]=%s\n", n, quote(strings.Join(s.opts, " ")))
		argOpts := make([]string, 0, len(s.args))
		for o := range s.args {
			argOpts = append(argOpts, o)
		}
		sort.Strings(argOpts)
		for _, o := range argOpts {
			fmt.Fprintf(&b, "__golxc_args[%s]=%s\n", quote(n+" "+o), quote(s.args[o]))
		}
		if s.hasNames {
			fmt.Fprintf(&b, "__golxc_namefilter[%s]=%s\n", n, quote(s.nameFilter))
		}
		if s.operand != "" {
			fmt.Fprintf(&b, "__golxc_operand[%s]=%s\n", n, quote(s.operand))
		}
	}
	fmt.Fprintf(&b, "__golxc_keys=%s\n", quote(strings.Join(keyWords(), " ")))
	fmt.Fprintf(&b, "__golxc_global_keys=%s\n", quote(strings.Join(config.GlobalKeys(), " ")))
	fmt.Fprintf(&b, "__golxc_template_dirs=%s\n", quote(strings.Join(templates.DefaultDirs, " ")))
	// The built-in templates are no files in those dirs (download runs
	// golxc-image), so they are listed by name.
	fmt.Fprintf(&b, "__golxc_builtin_templates=%s\n", quote(strings.Join([]string{templates.BuiltinBusybox, templates.BuiltinDownload, "none"}, " ")))
	var dlOpts, dlArgs []string
	for _, o := range templates.DownloadOptions() {
		words := []string{"--" + o.Long}
		if o.Short != 0 {
			words = append(words, "-"+string(o.Short))
		}
		dlOpts = append(dlOpts, words...)
		if o.Arg != "" {
			dlArgs = append(dlArgs, words...)
		}
	}
	fmt.Fprintf(&b, "__golxc_download_opts=%s\n", quote(strings.Join(dlOpts, " ")))
	fmt.Fprintf(&b, "__golxc_download_args=%s\n", quote(strings.Join(dlArgs, " ")))
	fmt.Fprintf(&b, "__golxc_image_commands=%s\n", quote(strings.Join(ImageCommands(), " ")))
	b.WriteString(functions)
	fmt.Fprintf(&b, "complete -F __golxc_complete %s\n", strings.Join(names, " "))
	b.WriteString("complete -F __golxc_main golxc\n")
	return b.String(), nil
}

// ImageCommands are golxc image's subcommands (golxc-image dispatches
// them; its test checks this list against it).
func ImageCommands() []string { return []string{"build", "list", "serve", "sign"} }

// keyWords are the config keys offered for lxc-info -c and -s KEY=VAL:
// the exact keys, and the prefixes of the others ending in ".".
func keyWords() []string {
	var out []string
	for _, k := range config.Keys() {
		w := k.Name
		if k.Prefix && !strings.HasSuffix(w, ".") {
			w += "."
		}
		out = append(out, w)
	}
	return out
}

// quote makes s one single-quoted shell word.
func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'" }

// functions is the script's code part; the data part is generated.
//
//go:embed functions.bash
var functions string
