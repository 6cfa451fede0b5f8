package cmdsock

import "testing"

func TestDeviceItemRoundTrip(t *testing.T) {
	for _, d := range []DeviceItem{
		{Type: 'c', Major: 1, Minor: 5, Access: "rwm", Allow: true},
		{Type: 'b', Major: -1, Minor: -1, Access: "r"},
		{Type: 'a', Major: -1, Minor: -1, Access: "", Allow: true},
	} {
		got, err := ParseDeviceItem(d.Bytes())
		if err != nil || got != d {
			t.Errorf("%+v: got %+v, %v", d, got, err)
		}
	}
	bad := DeviceItem{Type: 'c', Major: 1, Minor: 5, Access: "rwm"}.Bytes()
	bad[13] = 'x'
	if _, err := ParseDeviceItem(bad); err == nil {
		t.Error("access letter x accepted")
	}
	bad = DeviceItem{Type: 'z', Access: "r"}.Bytes()
	if _, err := ParseDeviceItem(bad); err == nil {
		t.Error("type z accepted")
	}
	full := DeviceItem{Type: 'c', Access: "rwm"}.Bytes()
	copy(full[12:16], "rwmr")
	if _, err := ParseDeviceItem(full); err == nil {
		t.Error("unterminated access accepted")
	}
	if _, err := ParseDeviceItem(make([]byte, 39)); err == nil {
		t.Error("short item accepted")
	}
}
