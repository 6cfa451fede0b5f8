package lxc

// lxcError is a sentinel error with a fixed text, compared with == as in
// go-lxc, so callers written for go-lxc keep working.
type lxcError string

func (e lxcError) Error() string { return string(e) }

// The sentinel errors of go-lxc that golxc produces.
const (
	ErrAlreadyDefined     = lxcError("container already defined")
	ErrAlreadyFrozen      = lxcError("container is already frozen")
	ErrAlreadyRunning     = lxcError("container is already running")
	ErrCreateFailed       = lxcError("creating the container failed")
	ErrDestroyFailed      = lxcError("destroying the container failed")
	ErrFreezeFailed       = lxcError("freezing the container failed")
	ErrInvalidName        = lxcError("invalid container name")
	ErrNotDefined         = lxcError("container is not defined")
	ErrNotFrozen          = lxcError("container is not frozen")
	ErrNotRunning         = lxcError("container is not running")
	ErrNotSupported       = lxcError("method is not supported by this LXC version")
	ErrSettingConfigItem  = lxcError("setting config item for the container failed")
	ErrClearingConfigItem = lxcError("clearing config item for the container failed")
	ErrStartFailed        = lxcError("starting the container failed")
	ErrStopFailed         = lxcError("stopping the container failed")
	ErrUnfreezeFailed     = lxcError("unfreezing the container failed")
	ErrShutdownFailed     = lxcError("shutting down the container failed")
	ErrRebootFailed       = lxcError("rebooting the container failed")
	ErrAttachFailed       = lxcError("attaching to the container failed")
	ErrExecuteFailed      = lxcError("executing the command in a temporary container failed")
	ErrMethodNotAllowed   = lxcError("the requested method is not currently supported with unprivileged containers")
	ErrTemplateNotAllowed = lxcError("unprivileged users only allowed to use \"download\" template")
	ErrHasSnapshots       = lxcError("container has snapshots")
	ErrHasClones          = lxcError("container has clones")
	ErrRunning            = lxcError("container is running")
)
