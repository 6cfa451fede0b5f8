package network

// noneDriver: the container shares the host's network namespace; nothing
// is created and no script runs (as in LXC).
type noneDriver struct{}

func (noneDriver) check(*Network, *device) error   { return nil }
func (noneDriver) create(*Network, *device) error  { return nil }
func (noneDriver) scriptArgs(*device) []string     { return nil }
func (noneDriver) release(*Network, *device) error { return nil }
