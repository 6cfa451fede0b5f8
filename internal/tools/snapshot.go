package tools

import (
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/golxc/golxc/internal/cli"
	"github.com/golxc/golxc/lxc"
)

func init() { register("lxc-snapshot", runSnapshot) }

const snapshotHelp = `--name=NAME [-P lxcpath] [-L [-C]] [-c commentfile] [-r snapname [-N newname]]

lxc-snapshot snapshots a container

Options :
  -n, --name=NAME        NAME of the container
  -L, --list             list all snapshots
  -r, --restore=NAME     restore snapshot NAME, e.g. 'snap0'
  -N, --newname=NEWNAME  NEWNAME for the restored container
  -d, --destroy=NAME     destroy snapshot NAME, e.g. 'snap0'
                         use ALL to destroy all snapshots
  -c, --comment=FILE     add FILE as a comment
  -C, --showcomments     show snapshot comments
  --rcfile=FILE          Load configuration file FILE
  --format=json          golxc: -L as JSON (name, path, timestamp, comment)
`

type snapTask int

const (
	snapCreate snapTask = iota
	snapList
	snapRestore
	snapDestroy
)

func runSnapshot(argv []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var (
		task                       snapTask
		snapName, newName, comment string
		showComments, asJSON       bool
	)
	t := &cli.Tool{
		Name: "lxc-snapshot", Help: snapshotHelp,
		Options: []cli.Option{
			{Short: 'L', Long: "list", Set: func(string) error { task = snapList; return nil }},
			{Short: 'r', Long: "restore", Arg: cli.RequiredArg, Set: func(v string) error { task, snapName = snapRestore, v; return nil }},
			{Short: 'N', Long: "newname", Arg: cli.RequiredArg, Set: func(v string) error { newName = v; return nil }},
			{Short: 'd', Long: "destroy", Arg: cli.RequiredArg, Set: func(v string) error { task, snapName = snapDestroy, v; return nil }},
			{Short: 'c', Long: "comment", Arg: cli.RequiredArg, Set: func(v string) error { comment = v; return nil }},
			{Short: 'C', Long: "showcomments", Set: func(string) error { showComments = true; return nil }},
			{Long: "format", Arg: cli.RequiredArg, Set: formatOption(&asJSON), Extra: true},
		},
		Run: func(c *cli.Ctx) int {
			ct, code := openSteps{say: sayTool, defined: "Container {name} is not defined"}.open(c, "")
			if ct == nil {
				return code
			}
			switch task {
			case snapList:
				snaps, err := ct.Snapshots()
				if err != nil {
					c.Errorf("Error listing snapshots: %v", err)
					return 1
				}
				if asJSON {
					return printSnapshotsJSON(c.Stdout, snaps)
				}
				if len(snaps) == 0 {
					fmt.Fprintln(c.Stdout, "No snapshots")
				}
				for _, s := range snaps {
					fmt.Fprintf(c.Stdout, "%s (%s) %s\n", s.Name, s.Path, s.Timestamp)
					if showComments {
						if b, err := os.ReadFile(s.CommentPath); err == nil {
							c.Stdout.Write(b)
						}
					}
				}
			case snapDestroy:
				// Any prefix of "ALL" means all (LXC's strncmp).
				var err error
				if strings.HasPrefix("ALL", snapName) {
					err = ct.DestroyAllSnapshots()
				} else {
					err = ct.DestroySnapshot(lxc.Snapshot{Name: snapName})
				}
				if err != nil {
					c.Errorf("Error destroying snapshot %s: %v", snapName, err)
					return 1
				}
			case snapRestore:
				if newName == "" && len(c.Args) > 1 {
					c.Errorf("Too many arguments")
					return 1
				}
				if newName == "" && len(c.Args) == 1 {
					newName = c.Args[0]
				}
				if err := ct.RestoreSnapshot(lxc.Snapshot{Name: snapName}, newName); err != nil {
					c.Errorf("Error restoring snapshot %s: %v", snapName, err)
					return 1
				}
			default:
				if _, err := ct.SnapshotWithComment(comment); err != nil {
					c.Errorf("Error creating a snapshot: %v", err)
					return 1
				}
			}
			return 0
		},
	}
	return t.Main(argv, stdin, stdout, stderr)
}
