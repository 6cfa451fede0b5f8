package attach

import "strings"

// buildEnv is the attached process's environment: the caller's (KeepEnv)
// or PATH plus the kept variables (ClearEnv), then container=lxc, the
// container's lxc.environment and the -v variables, later ones winning.
func buildEnv(o *Options, caller []string) []string {
	var env envList
	if o.EnvPolicy == ClearEnv {
		for _, k := range o.KeepVars {
			if v, ok := lookup(caller, k); ok {
				env.set(k, v)
			}
		}
		if _, ok := env.get("PATH"); !ok {
			env.set("PATH", DefaultPath)
		}
	} else {
		for _, kv := range caller {
			if k, v, ok := strings.Cut(kv, "="); ok {
				env.set(k, v)
			}
		}
	}
	env.set("container", "lxc")
	for _, list := range [][]string{o.ConfigEnv, o.ExtraEnv} {
		for _, kv := range list {
			if k, v, ok := strings.Cut(kv, "="); ok {
				env.set(k, v)
			} else {
				env.del(kv) // putenv("VAR") without "=" unsets it, as in LXC
			}
		}
	}
	return env.list()
}

// envList keeps insertion order, so output looks like LXC's.
type envList struct {
	keys []string
	vals map[string]string
}

func (e *envList) set(k, v string) {
	if e.vals == nil {
		e.vals = map[string]string{}
	}
	if _, ok := e.vals[k]; !ok {
		e.keys = append(e.keys, k)
	}
	e.vals[k] = v
}

func (e *envList) del(k string) {
	if _, ok := e.vals[k]; !ok {
		return
	}
	delete(e.vals, k)
	for i, key := range e.keys {
		if key == k {
			e.keys = append(e.keys[:i], e.keys[i+1:]...)
			break
		}
	}
}

func (e *envList) get(k string) (string, bool) { v, ok := e.vals[k]; return v, ok }

func (e *envList) list() []string {
	out := make([]string, 0, len(e.keys))
	for _, k := range e.keys {
		out = append(out, k+"="+e.vals[k])
	}
	return out
}

func lookup(env []string, key string) (string, bool) {
	for i := len(env) - 1; i >= 0; i-- {
		if k, v, ok := strings.Cut(env[i], "="); ok && k == key {
			return v, true
		}
	}
	return "", false
}

// envValue finds key in a VAR=VALUE list.
func envValue(env []string, key string) string {
	v, _ := lookup(env, key)
	return v
}
