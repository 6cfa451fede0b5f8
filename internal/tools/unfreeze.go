package tools

import "io"

func init() {
	register("lxc-unfreeze", func(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
		return runFreezer(argv, stdin, stdout, stderr, false)
	})
}

const unfreezeHelp = `--name=NAME

lxc-unfreeze unfreezes a container with the identifier NAME

Options :
  -n, --name=NAME   NAME of the container
  --rcfile=FILE     Load configuration file FILE
`
