package main

import (
	"fmt"
	"os"
	"sort"

	"github.com/golxc/golxc/internal/completion"
	"github.com/golxc/golxc/internal/manpage"
)

// writeManPages is `golxc man DIR` (make install, make deb) and
// `golxc man --list` (make uninstall: the paths relative to a man dir).
func writeManPages(args []string) int {
	if len(args) != 1 {
		fmt.Fprintln(os.Stderr, "golxc man: usage: golxc man DIR | golxc man --list")
		return 1
	}
	if args[0] == "--list" {
		pages, err := manpage.Pages()
		if err != nil {
			fmt.Fprintf(os.Stderr, "golxc man: %v\n", err)
			return 1
		}
		var rel []string
		for p := range pages {
			rel = append(rel, p)
		}
		sort.Strings(rel)
		for _, p := range rel {
			fmt.Println(p)
		}
		return 0
	}
	if _, err := manpage.Generate(args[0]); err != nil {
		fmt.Fprintf(os.Stderr, "golxc man: %v\n", err)
		return 1
	}
	return 0
}

// printCompletion is `golxc completion`: the bash completion script.
func printCompletion() int {
	script, err := completion.Bash()
	if err != nil {
		fmt.Fprintf(os.Stderr, "golxc completion: %v\n", err)
		return 1
	}
	fmt.Print(script)
	return 0
}
