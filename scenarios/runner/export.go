package runner

import (
	"os"
	"path/filepath"

	"github.com/scalesim/scalesim/scenarios"
	"github.com/scalesim/scalesim/scenarios/manifests/export"
)

// ExportResult is what Export wrote.
type ExportResult struct {
	Out   string
	Files []string // the manifest files, relative to Out
	// Notes say what could not be written exactly (a duration that is
	// not whole seconds, the HPA controller's tolerance flag, ...).
	Notes []string
}

// Export writes sc's services as Kubernetes manifests (and Cloud.toml
// blocks) into the folder out (default ./out/<name>-manifests), with the
// results folder's safety rules: the folder is filled aside and renamed
// into place, and an existing one is replaced only when scalesim wrote
// it.
func Export(sc *scenarios.Scenario, out string, notes func(string)) (*ExportResult, error) {
	if out == "" {
		out = filepath.Join("out", sc.Name+"-manifests")
	}
	files, ns, err := export.Files(sc)
	if err != nil {
		return nil, err
	}
	res := &ExportResult{Out: out, Notes: ns}
	err = writeFolder(out, notes, func(dir string) error {
		return writeManifests(dir, files, res)
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

func writeManifests(dir string, files []export.File, res *ExportResult) error {
	for _, f := range files {
		if err := os.WriteFile(filepath.Join(dir, f.Name), f.Data, 0o644); err != nil {
			return err
		}
		if res != nil {
			res.Files = append(res.Files, f.Name)
		}
	}
	return nil
}

// writeBestManifests writes the manifests of sc (a sweep's or a
// comparison's best point) into dir/best/manifests.
func writeBestManifests(dir string, sc *scenarios.Scenario) error {
	files, _, err := export.Files(sc)
	if err != nil {
		return err
	}
	md := filepath.Join(dir, "best", "manifests")
	if err := os.MkdirAll(md, 0o755); err != nil {
		return err
	}
	return writeManifests(md, files, nil)
}
