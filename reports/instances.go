package reports

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/scalesim/scalesim/sim"
)

// Per-instance and per-node views: instances.json holds, for the heatmaps
// of report.html, every instance's and every node's state over the run on
// a fixed grid of at most HeatmapColumns time columns, each at least one
// sample interval wide (Config.SampleInterval), so that every column holds
// a sample. Samples that fall in one column are merged: the means of
// what was sampled at the instants in it (in flight, memory, requests),
// its state at the last; CPU, from the cumulative counters, is the CPU used
// over each interval between two samples, put in the column of the
// interval's middle, divided by the time those intervals cover. The
// grid's memory does not depend on the run's length; at
// most MaxHeatmapInstances instances and MaxHeatmapNodes nodes get a row
// (the first ones seen), the others are counted.

// InstancesFile is the per-instance grid's file in a results folder.
const InstancesFile = "instances.json"

// Grid sizes.
const (
	HeatmapColumns      = 120
	MaxHeatmapInstances = 400
	MaxHeatmapNodes     = 200
)

// InstanceState is an instance's lifecycle state, numbered as the
// simulator's.
type InstanceState uint8

// The states.
const (
	StatePending InstanceState = iota
	StateStarting
	StateReady
	StateDraining
	StateTerminated
	// NumInstanceStates is the number of states.
	NumInstanceStates
)

var instanceStateNames = [...]string{"pending", "starting", "ready", "draining", "terminated"}

func (s InstanceState) String() string { return instanceStateNames[s] }

// InstanceSample is one alive instance at a sample instant.
type InstanceSample struct {
	Service int // index in Config.Services
	Name    string
	Node    string // "" when on no node of a pool
	State   InstanceState
	// Held is the requests it holds (in service or queued).
	Held int
	// Created is when it was created; CPUSeconds its CPU time since,
	// cumulative.
	Created    sim.Time
	CPUSeconds float64
	// CPURequest is its CPU request in cores.
	CPURequest float64
	// MemoryBytes is its working set now.
	MemoryBytes float64
}

// NodeSample is one node of the node pools at a sample instant.
type NodeSample struct {
	Name, Pool, Zone              string
	Ready                         bool
	CPUCores, MemoryBytes         float64 // capacity
	CPURequested, MemoryRequested float64
}

// InstancesRecord is instances.json.
type InstancesRecord struct {
	// Columns is the number of time columns, ColumnS their width in
	// seconds: column k covers [k x ColumnS, (k+1) x ColumnS).
	Columns int     `json:"columns"`
	ColumnS float64 `json:"column_s"`
	// Instances are in the order they were first sampled.
	Instances []InstanceRow `json:"instances"`
	// InstancesLeftOut counts the instances first sampled once
	// MaxHeatmapInstances had rows.
	InstancesLeftOut int       `json:"instances_left_out"`
	Nodes            []NodeRow `json:"nodes"`
	NodesLeftOut     int       `json:"nodes_left_out"`
}

// InstanceRow is one instance's columns; a column in which it was never
// sampled is null (and State "").
type InstanceRow struct {
	Service    string  `json:"service"`
	Name       string  `json:"name"`
	Node       string  `json:"node,omitempty"` // the last node it was on
	CPURequest float64 `json:"cpu_request"`
	// InFlight is the mean of Held over the column's samples.
	InFlight []JSONFloat `json:"in_flight"`
	// CPUUtilization is the CPU it used in the column divided by its
	// request over the time it was sampled for (1 = 100%).
	CPUUtilization []JSONFloat `json:"cpu_utilization"`
	// MemoryBytes is the mean working set.
	MemoryBytes []JSONFloat `json:"memory_bytes"`
	// State is its state at the column's last sample.
	State []string `json:"state"`
}

// NodeRow is one node's columns.
type NodeRow struct {
	Name        string  `json:"name"`
	Pool        string  `json:"pool"`
	Zone        string  `json:"zone"`
	CPUCores    float64 `json:"cpu_cores"`
	MemoryBytes float64 `json:"memory_bytes"`
	// CPUUsedCores is the CPU its instances used in the column (over the
	// intervals whose middle is in it) per second of the column; MemoryUsedBytes their mean working set; the Requested ones
	// the means of the requests placed on it.
	CPUUsedCores         []JSONFloat `json:"cpu_used_cores"`
	MemoryUsedBytes      []JSONFloat `json:"memory_used_bytes"`
	CPURequestedCores    []JSONFloat `json:"cpu_requested_cores"`
	MemoryRequestedBytes []JSONFloat `json:"memory_requested_bytes"`
}

// grid accumulates instances.json.
type grid struct {
	cols    int     // columns in use, <= HeatmapColumns
	colNS   float64 // column width, ns
	insts   []instRow
	byName  map[string]int
	instOut int
	nodes   []nodeRow
	nodeIdx map[string]int
	nodeOut int
	nodeMem []float64 // per node row: its instances' memory at this sample
	lastT   sim.Time  // the previous sample's instant
	sampled bool      // whether there was one
}

// instRow is one instance's columns from its first (first) to the last
// it was sampled in: cells grow as the run goes, so the rows hold no
// more cells in all than the columns times the instances alive at once,
// however many instances come and go.
type instRow struct {
	svc        int
	name, node string
	req        float64
	prevT      sim.Time
	prevCPU    float64
	first      int
	cells      []instCell
}

// instCell is one column of an instance.
type instCell struct {
	held, mem float32 // sums over samples
	cpu, dt   float32 // CPU seconds and seconds sampled
	n         uint16
	state     uint8 // state + 1; 0 = not sampled
}

// cell returns column k of r, growing r to it.
func (r *instRow) cell(k int) *instCell {
	for len(r.cells) <= k-r.first {
		r.cells = append(r.cells, instCell{})
	}
	return &r.cells[k-r.first]
}

// nodeRow is one node's columns (nodes come and go far less than
// instances: fixed arrays).
type nodeRow struct {
	name, pool, zone string
	cpuCap, memCap   float64
	cpu              [HeatmapColumns]float32 // CPU seconds of its instances
	mem, req, memReq [HeatmapColumns]float32 // sums over samples
	n                [HeatmapColumns]uint16
}

func newGrid(cfg *Config) *grid {
	cols := HeatmapColumns
	if iv := cfg.SampleInterval; iv > 0 {
		cols = int(min(max(cfg.Duration/iv, 1), HeatmapColumns))
	}
	return &grid{cols: cols, colNS: float64(cfg.Duration) / float64(cols), byName: map[string]int{}, nodeIdx: map[string]int{}}
}

// col is the column of the instant t.
func (g *grid) col(t float64) int {
	return min(max(int(t/g.colNS), 0), g.cols-1)
}

// WantsInstances says whether c gathers instances.json (it was given an
// Outputs.Instances writer): a caller need not build InstanceSample's rows
// otherwise.
func (c *Collector) WantsInstances() bool { return c.grid != nil }

// InstanceSample records the instances and nodes at now. It is called
// right after Sample, with the same now; a Collector without an
// Outputs.Instances writer ignores it.
func (c *Collector) InstanceSample(now sim.Time, insts []InstanceSample, nodes []NodeSample) {
	g := c.grid
	if g == nil {
		return
	}
	k := g.col(float64(now))
	for i := range nodes {
		ns := &nodes[i]
		j, ok := g.nodeIdx[ns.Name]
		if !ok {
			if len(g.nodes) >= MaxHeatmapNodes {
				g.nodeOut++
				g.nodeIdx[ns.Name] = -1
				continue
			}
			j = len(g.nodes)
			g.nodeIdx[ns.Name] = j
			g.nodes = append(g.nodes, nodeRow{name: ns.Name, pool: ns.Pool, zone: ns.Zone})
			g.nodeMem = append(g.nodeMem, 0)
		}
		if j < 0 {
			continue
		}
		r := &g.nodes[j]
		r.cpuCap, r.memCap = ns.CPUCores, ns.MemoryBytes
		r.req[k] += float32(ns.CPURequested)
		r.memReq[k] += float32(ns.MemoryRequested)
		r.n[k]++
		g.nodeMem[j] = 0
	}
	for i := range insts {
		s := &insts[i]
		j, ok := g.byName[s.Name]
		if !ok {
			if len(g.insts) >= MaxHeatmapInstances {
				// Not remembered (the map would grow with the run): an
				// instance is new at the first sample after its creation.
				if s.Created > g.lastT || !g.sampled {
					g.instOut++
				}
				continue
			}
			j = len(g.insts)
			g.byName[s.Name] = j
			// Its first interval is from its creation.
			prev := min(s.Created, now)
			g.insts = append(g.insts, instRow{svc: s.Service, name: s.Name, req: s.CPURequest, prevT: prev, first: g.col(float64(prev))})
		}
		r := &g.insts[j]
		if s.Node != "" {
			r.node = s.Node
		}
		cpu := s.CPUSeconds - r.prevCPU
		if cpu < 0 { // restarted: its counter began again
			cpu = s.CPUSeconds
		}
		dt, mid := float64(now-r.prevT)/1e9, g.col(float64(now)-float64(float64(now-r.prevT)/2))
		r.prevT, r.prevCPU = now, s.CPUSeconds
		cm := r.cell(mid)
		cm.cpu += float32(cpu)
		cm.dt += float32(dt)
		ck := r.cell(k)
		ck.held += float32(s.Held)
		ck.mem += float32(s.MemoryBytes)
		ck.n++
		ck.state = uint8(s.State) + 1
		if s.Node != "" {
			if n, ok := g.nodeIdx[s.Node]; ok && n >= 0 {
				g.nodes[n].cpu[mid] += float32(cpu)
				g.nodeMem[n] += s.MemoryBytes
			}
		}
	}
	g.lastT, g.sampled = now, true
	for i := range nodes {
		j := g.nodeIdx[nodes[i].Name]
		if j < 0 {
			continue
		}
		g.nodes[j].mem[k] += float32(g.nodeMem[j])
	}
}

// instanceRow is instance i's row of instances.json.
func (g *grid) instanceRow(i int, services []ServiceConfig) InstanceRow {
	r := &g.insts[i]
	row := InstanceRow{Service: services[r.svc].Name, Name: r.name, Node: r.node, CPURequest: r.req,
		InFlight: g.nulls(), CPUUtilization: g.nulls(), MemoryBytes: g.nulls(), State: make([]string, g.cols)}
	for j := range r.cells {
		c, k := &r.cells[j], r.first+j
		if c.dt > 0 && r.req > 0 {
			row.CPUUtilization[k] = JSONFloat(float64(c.cpu) / float64(c.dt) / r.req)
		}
		if c.n == 0 {
			continue
		}
		n := float64(c.n)
		row.InFlight[k] = JSONFloat(float64(c.held) / n)
		row.MemoryBytes[k] = JSONFloat(float64(c.mem) / n)
		row.State[k] = InstanceState(c.state - 1).String()
	}
	return row
}

// nodeRow is node i's row of instances.json.
func (g *grid) nodeRow(i int) NodeRow {
	columnS := g.colNS / 1e9
	r := &g.nodes[i]
	row := NodeRow{Name: r.name, Pool: r.pool, Zone: r.zone, CPUCores: r.cpuCap, MemoryBytes: r.memCap,
		CPUUsedCores: g.nulls(), MemoryUsedBytes: g.nulls(), CPURequestedCores: g.nulls(), MemoryRequestedBytes: g.nulls()}
	for k := range g.cols {
		if r.n[k] == 0 && r.cpu[k] == 0 {
			continue
		}
		row.CPUUsedCores[k] = JSONFloat(float64(r.cpu[k]) / columnS)
		if r.n[k] == 0 {
			continue
		}
		n := float64(r.n[k])
		row.MemoryUsedBytes[k] = JSONFloat(float64(r.mem[k]) / n)
		row.CPURequestedCores[k] = JSONFloat(float64(r.req[k]) / n)
		row.MemoryRequestedBytes[k] = JSONFloat(float64(r.memReq[k]) / n)
	}
	return row
}

// col is a column of nulls.
func (g *grid) nulls() []JSONFloat { return slices.Repeat([]JSONFloat{JSONFloat(math.NaN())}, g.cols) }

// writeInstances writes the grid to w as one JSON document
// (InstancesRecord), a row at a time, so that writing it holds one row's
// text rather than the whole file's.
func (c *Collector) writeInstances(w io.Writer) error {
	g := c.grid
	bw := bufio.NewWriter(w)
	put := func(v any) error {
		b, err := json.Marshal(v)
		if err == nil {
			_, err = bw.Write(b)
		}
		return err
	}
	err := func() error {
		fmt.Fprintf(bw, `{"columns":%d,"column_s":%s,"instances":[`, g.cols, strconv.FormatFloat(g.colNS/1e9, 'g', -1, 64))
		for i := range g.insts {
			if i > 0 {
				bw.WriteByte(',')
			}
			if err := put(g.instanceRow(i, c.cfg.Services)); err != nil {
				return err
			}
		}
		fmt.Fprintf(bw, `],"instances_left_out":%d,"nodes":[`, g.instOut)
		for i := range g.nodes {
			if i > 0 {
				bw.WriteByte(',')
			}
			if err := put(g.nodeRow(i)); err != nil {
				return err
			}
		}
		fmt.Fprintf(bw, "],\"nodes_left_out\":%d}\n", g.nodeOut)
		return bw.Flush()
	}()
	if err != nil {
		return fmt.Errorf("reports: writing %s: %w", InstancesFile, err)
	}
	return nil
}

// ReadInstances reads instances.json.
func ReadInstances(r io.Reader) (*InstancesRecord, error) {
	var rec InstancesRecord
	if err := json.NewDecoder(r).Decode(&rec); err != nil {
		return nil, fmt.Errorf("reports: reading %s: %w", InstancesFile, err)
	}
	return &rec, nil
}
