// glibc-need prints the newest GLIBC_ symbol version an ELF file needs
// ("2.34"), for the libc6 Depends of mkdeb.sh. It reads the ELF itself
// (debug/elf), so building the package needs no binutils.
//
// Usage: go run ./scripts/glibc-need FILE
package main

import (
	"debug/elf"
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: glibc-need FILE")
		os.Exit(2)
	}
	v, err := fileNeed(os.Args[1])
	if err != nil {
		fmt.Fprintf(os.Stderr, "glibc-need: %v\n", err)
		os.Exit(1)
	}
	fmt.Println(v)
}

// fileNeed reads the versions of the symbols path imports.
func fileNeed(path string) (string, error) {
	f, err := elf.Open(path)
	if err != nil {
		return "", fmt.Errorf("%s: %w", path, err)
	}
	defer f.Close()
	syms, err := f.ImportedSymbols()
	if err != nil {
		return "", fmt.Errorf("%s: dynamic symbols: %w", path, err)
	}
	versions := make([]string, 0, len(syms))
	for _, s := range syms {
		versions = append(versions, s.Version)
	}
	v := newestGlibc(versions)
	if v == "" {
		return "", fmt.Errorf("%s imports no GLIBC_ versioned symbol: is it a dynamically linked glibc object?", path)
	}
	return v, nil
}
