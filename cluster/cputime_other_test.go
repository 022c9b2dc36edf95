//go:build !unix

package cluster

import "time"

// processCPU is not measured here: the cpu-ns/request metric reads 0.
func processCPU() time.Duration { return 0 }
