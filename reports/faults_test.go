package reports

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestReadFaults(t *testing.T) {
	in := strings.Join([]string{
		`{"time_s":5,"kind":"instance-ready","service":"web","counts":{}}`,
		`{"time_s":10,"kind":"fault-start","detail":"zone-outage a"}`,
		`{"time_s":12,"kind":"fault-start","detail":"zone-outage a"}`,
		`{"time_s":20,"kind":"fault","service":"web","detail":"instance-crash web x2","counts":{}}`,
		`{"time_s":25,"kind":"fault-end","detail":"zone-outage a"}`,
		`{"time_s":26,"kind":"fault-end","detail":"node-failure n1"}`, // matches nothing: ignored
		`{"time_s":30,"kind":"fault-start","service":"web","detail":""}`,
		`{"time_s":31,"kind":"fault-end","detail":""}`, // another service (none): does not end it
	}, "\n")
	got, err := ReadFaults(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	inf := math.Inf(1)
	want := []FaultSpan{
		{StartS: 10, EndS: 25, Label: "zone-outage a"}, // the earliest open one ends first
		{StartS: 12, EndS: inf, Label: "zone-outage a"},
		{StartS: 20, EndS: 20, Service: "web", Label: "instance-crash web x2"},
		{StartS: 30, EndS: inf, Service: "web", Label: "fault"},
	}
	if !slices.Equal(got, want) {
		t.Errorf("faults\n got %+v\nwant %+v", got, want)
	}
	if !got[1].Ongoing() || got[0].Ongoing() || !got[0].Concerns("api") || got[2].Concerns("api") {
		t.Errorf("Ongoing/Concerns wrong")
	}
	if _, err := ReadFaults(strings.NewReader("{\"time_s\":1}\nnot json\n")); err == nil ||
		!strings.Contains(err.Error(), "record 2") {
		t.Errorf("bad line: err = %v", err)
	}
}
