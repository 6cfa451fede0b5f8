package config

// values are the applied settings, the Go counterpart of struct lxc_conf.
// Fields hold what LXC stores, so get_config_item can render them the
// same way; Spec() converts them for the runtime.
type values struct {
	arch string // "i686", "x86_64" or "" (unchanged)

	aaProfile    string
	aaIncomplete uint32
	aaNesting    uint32
	aaRaw        []string

	autodevTmpfs int32
	autodev      uint32

	caps     []string // one list shared by cap.drop and cap.keep, as in LXC
	capsKeep bool

	cgroups       []cgroupItem
	cgDir         string
	cgMonitor     string
	cgMonPivot    string
	cgContainer   string
	cgInner       string
	cgRelative    uint32
	consoleBuf    uint64
	consoleSize   uint64
	consoleLog    string
	consolePath   string
	consoleRotate uint32
	schedCore     uint32

	env        []string // "VAR=VALUE"
	ephemeral  uint32
	executeCmd string
	groups     []string

	hooks       map[string][]string
	hookVersion uint32

	idmaps []IDMap

	initCmd    string
	initCwd    string
	initUID    uint32
	initGID    uint32
	initGroups []uint32

	keyringDisable bool
	keyringSet     bool

	logFile   string
	logLevel  int
	logSyslog string

	monitorUnshare uint32
	pdeath         int

	autoProc, autoSys, autoCgroup string // canonical mount.auto tokens, "" = unset
	shmounts                      string // "HOST:CONT"

	mountEntries []mountLine
	fstab        string

	nsClone, nsKeep uint32 // bit i = namespace.All()[i]
	nsShare         map[string]string

	timeBoot, timeMono timeOffset

	nets []*netdev // sorted by index

	noNewPrivs uint32
	prlimits   []prlimit
	ptyMax     uint32

	rootfsManaged bool
	rootfsMount   string
	rootfsOptions string
	rootfsPath    string // without type prefix
	rootfsType    string // prefix before the first ':', "" when none

	seccompNesting uint32
	notifyCookie   string
	notifyProxy    string // path shown by get (abstract names without '@')
	seccompProfile string

	selinuxKeyring string
	selinuxContext string

	sigHalt, sigReboot, sigStop int

	startAuto  uint32
	startDelay uint32
	startOrder int32

	ttyDir  string
	ttyMax  uint32
	utsname string

	sysctls []KeyValue
	procs   []KeyValue
}

type cgroupItem struct {
	v2    bool
	key   string // "memory.limit_in_bytes"
	value string
}

type prlimit struct {
	name       string
	soft, hard uint64
}

type timeOffset struct {
	sec, nsec int64
}

const rlimInfinity = ^uint64(0)

func newValues() values {
	return values{
		autodev:       1,
		logLevel:      logNotSet,
		pdeath:        9,
		rootfsManaged: true,
		hooks:         map[string][]string{},
		nsShare:       map[string]string{},
	}
}
