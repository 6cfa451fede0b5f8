package main

/*
#include <stdbool.h>
*/
import "C"

import (
	"fmt"
	"os"
	"sync"
)

// The library's log, as lxc_log_init configures liblxc's: errors go to
// the log file it names and, unless quiet, to stderr. Before any
// lxc_log_init they go nowhere.
var logState struct {
	sync.Mutex
	file   *os.File
	stderr bool
	prefix string
}

func logError(name, msg string) {
	logState.Lock()
	defer logState.Unlock()
	prefix := logState.prefix
	if prefix == "" {
		prefix = "lxc"
	}
	line := fmt.Sprintf("%s: %s: %s\n", prefix, name, msg)
	if logState.file != nil {
		logState.file.WriteString(line)
	}
	if logState.stderr {
		os.Stderr.WriteString(line)
	}
}

//export golxcLogInit
func golxcLogInit(file, prefix *C.char, quiet C.bool) C.int {
	logState.Lock()
	defer logState.Unlock()
	if logState.file != nil {
		logState.file.Close()
		logState.file = nil
	}
	if f := optString(file); f != "" && f != "none" {
		lf, err := os.OpenFile(f, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			return -1
		}
		logState.file = lf
	}
	logState.stderr = !bool(quiet)
	logState.prefix = optString(prefix)
	return 0
}

//export golxcLogClose
func golxcLogClose() {
	logState.Lock()
	defer logState.Unlock()
	if logState.file != nil {
		logState.file.Close()
		logState.file = nil
	}
	logState.stderr = false
}

// GOLXC_LIBLXC_LOG=FILE logs the library's errors to FILE ("-": stderr)
// from the start, for programs that never call lxc_log_init (python3-lxc).
func init() {
	switch f := os.Getenv("GOLXC_LIBLXC_LOG"); f {
	case "":
	case "-":
		logState.stderr = true
	default:
		if lf, err := os.OpenFile(f, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644); err == nil {
			logState.file = lf
		}
	}
}
