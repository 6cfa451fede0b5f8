package monitor

import "testing"

func TestShouldCollect(t *testing.T) {
	for _, c := range []struct {
		allocated, collected uint64
		want                 bool
	}{
		{0, 0, false},
		{garbageBeforeCollect - 1, 0, false},
		{garbageBeforeCollect, 0, true},
		{10 << 20, 10<<20 - garbageBeforeCollect + 1, false},
		{10 << 20, 9 << 20, true},
		{1, 2, false}, // a counter read behind the baseline never collects
	} {
		if got := shouldCollect(c.allocated, c.collected); got != c.want {
			t.Errorf("shouldCollect(%d, %d) = %v, want %v", c.allocated, c.collected, got, c.want)
		}
	}
}
