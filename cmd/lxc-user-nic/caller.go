package main

import (
	"fmt"
	"os/user"
	"strconv"

	"golang.org/x/sys/unix"

	"github.com/golxc/golxc/internal/usernic"
)

// who is the real user behind the setuid call.
type who struct {
	uid int
	usernic.Caller
}

// caller names the real user and its groups (the process's, as LXC).
func caller() (who, error) {
	uid := unix.Getuid()
	u, err := user.LookupId(strconv.Itoa(uid))
	if err != nil {
		return who{}, fmt.Errorf("Failed to get username: %d", uid)
	}
	gids, err := unix.Getgroups()
	if err != nil {
		return who{}, fmt.Errorf("Failed to get process groups: %w", err)
	}
	gids = append(gids, unix.Getgid())
	w := who{uid: uid, Caller: usernic.Caller{User: u.Username}}
	for _, g := range gids {
		if gr, err := user.LookupGroupId(strconv.Itoa(g)); err == nil {
			w.Groups = append(w.Groups, gr.Name)
		}
	}
	return w, nil
}
