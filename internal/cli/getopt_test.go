package cli

import (
	"strings"
	"testing"
)

type rec struct{ got []string }

func (r *rec) opt(short rune, long string, kind ArgKind) Option {
	return Option{Short: short, Long: long, Arg: kind, Set: func(v string) error {
		r.got = append(r.got, long+"="+v)
		return nil
	}}
}

func table(r *rec) []Option {
	return []Option{
		r.opt('n', "name", RequiredArg), r.opt('s', "state", NoArg), r.opt('p', "pid", NoArg),
		r.opt('e', "elevated-privileges", OptionalArg), r.opt(0, "nokill", NoArg), r.opt(0, "nolock", NoArg),
	}
}

func TestGetoptPermutesAndClusters(t *testing.T) {
	r := &rec{}
	ops, err := getopt("prog", []string{"foo", "-sp", "-nbar", "x", "--name", "baz", "--", "-s", "y"}, table(r))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ops, " "); got != "foo x -s y" {
		t.Fatalf("operands %q", got)
	}
	if got := strings.Join(r.got, " "); got != "state= pid= name=bar name=baz" {
		t.Fatalf("options %q", got)
	}
}

func TestGetoptOptionalArgOnlyAttached(t *testing.T) {
	r := &rec{}
	ops, err := getopt("prog", []string{"-e", "cmd", "-eCAP", "--elevated-privileges=LSM"}, table(r))
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(ops, " ") != "cmd" || strings.Join(r.got, " ") != "elevated-privileges= elevated-privileges=CAP elevated-privileges=LSM" {
		t.Fatalf("ops %v got %v", ops, r.got)
	}
}

func TestGetoptPrefixesAndErrors(t *testing.T) {
	r := &rec{}
	if _, err := getopt("prog", []string{"--nam", "x"}, table(r)); err != nil || r.got[0] != "name=x" {
		t.Fatalf("prefix: %v %v", err, r.got)
	}
	cases := map[string]string{
		"--nok":   "",
		"--no":    "prog: option '--no' is ambiguous; possibilities: '--nokill' '--nolock'",
		"--bad":   "prog: unrecognized option '--bad'",
		"-x":      "prog: invalid option -- 'x'",
		"-n":      "prog: option requires an argument -- 'n'",
		"--name":  "prog: option '--name' requires an argument",
		"--pid=3": "prog: option '--pid' doesn't allow an argument",
	}
	for arg, want := range cases {
		_, err := getopt("prog", []string{arg}, table(&rec{}))
		got := ""
		if err != nil {
			got = err.Error()
		}
		if got != want {
			t.Errorf("%s: got %q want %q", arg, got, want)
		}
	}
}
