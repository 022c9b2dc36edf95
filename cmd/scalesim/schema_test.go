package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestSchemaCommand(t *testing.T) {
	var out, errOut bytes.Buffer
	if code := Main([]string{"schema"}, &IOStreams{Out: &out, ErrOut: &errOut}); code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var s map[string]any
	if err := json.Unmarshal(out.Bytes(), &s); err != nil {
		t.Fatal(err)
	}
	if s["$schema"] != "http://json-schema.org/draft-07/schema#" || s["definitions"] == nil {
		t.Errorf("not a draft-07 schema: %.200s", out.String())
	}
}
