// Package scenarios reads scalesim's scenario files: the schema, parsing
// with positioned error messages, defaults, validation, --set overrides,
// the traffic rate functions and arrival processes, and the built-in
// library. The file format is described for users in README.md next to
// this file.
//
// # Reading a scenario
//
//	src, err := scenarios.Resolve(arg)      // a file, or a built-in name ("" = default)
//	s, err := src.Parse(sets)               // sets: the --set path=value arguments
//	// or scenarios.Open(arg, sets), scenarios.Load(path), scenarios.Parse(name, data)
//
// Every problem in a scenario comes back in one *ValidationError, one line
// per problem, sorted by position, each "FILE:LINE:COL: field.path: what is
// wrong and what is allowed" (a problem in a trace file is located at the
// scenario's file field and names the trace's line in the message).
// Problems that do not stop a run (an autoscaler key that the policy does
// not read) are in Scenario.Warnings, in the same form. Limits (MaxRate,
// MaxReplicas, MinInterval, ...) refuse what would exhaust memory or never
// finish; Scenario.Estimate estimates a valid scenario's cost.
//
//	bad.yaml:7:5: services.web.replicas: min 5 is greater than max 2
//	bad.yaml:8:5: services.web.autscaler: unknown field; did you mean "autoscaler"?
//	--set services.web.autoscaler.target_utilization=abc: "abc" is not a number
//
// # Manifests
//
// A scenario's `manifests:` list (Kubernetes YAML, Cloud.toml) is read by
// package scenarios/manifests into scenario keys positioned in the
// manifests, and put under services.<name> after the --set overrides and
// before the typed ones (manifests_load.go); the file's own keys win, key
// by key. A manifest's problem is an Error in the manifest's file with its
// Kubernetes field path; a field read but not simulated is in
// Scenario.ManifestIgnored (the ignored-manifest-field warning).
// StarterScenario writes `scalesim init`'s file; package
// scenarios/manifests/export writes manifests back.
//
// A parsed Scenario is complete: every default below is filled in,
// durations are time.Duration, CPU is float64 cores, memory float64 bytes,
// delays and demands are sim.Dist values in seconds, and `rate: N` is a
// constant pattern component. Services, traffic and SLOs keep the file's
// order; zones are sorted (they are a set).
//
// # Traffic
//
// Traffic.Profile gives the rate function (Profile.Rate, Profile.Bound,
// Profile.Integral); Traffic.Process or NewArrivals gives the arrival
// process, whose Next returns arrival times without allocating. Poisson
// arrivals are exact for any pattern (exponential gaps where the rate is
// constant, Lewis-Shedler thinning elsewhere); constant arrivals put the
// k-th arrival where the integral of the rate reaches k, so a constant
// rate r gives arrivals at exactly 1/r, 2/r, ...
//
// # Extension points
//
// Policies, fault types, load-balancing algorithms and traffic pattern
// components are registries (registry.go): each entry is declared once,
// and the decoder's enums (`scn:"enum=@policies"`), which keys apply to
// which kind, the validation, the error hints, `scalesim schema`
// (JSONSchema) and the docs tests read them from there.
//
// Adding a policy:
//
//  1. policies/<name>.go: the calculator (Recommend) and its Config,
//     whose Validate returns *policies.FieldError naming each field as the
//     scenario spells it; policies/<name>_test.go.
//  2. scenarios/policy_<name>.go: registerPolicy(PolicyDef{...}) from
//     init: name, doc line, Order, the keys it owns (Params, with their
//     defaults and doc lines) and the shared keys it reads, its
//     dependent defaults, and Config, which turns the autoscaler block
//     into the policy's config (its Validate is the one source of truth;
//     New is a factory). A policy with parameters declares their inline
//     struct there too (with Init setting its defaults) and adds one
//     line for it to Autoscaler in schema.go.
//  3. A scenario test (policy_scenarios_test.go) and the docs: a section
//     in docs/policies.md, its row in the table at its top, and its
//     parameters in README.md's table. TestDocsMatchRegistries fails
//     until they are there.
//
// Adding a fault type: its FaultType in cluster (config.go, fault.go),
// and one FaultDef in faults.go (name, doc line, keys and required keys,
// Check, the cluster type, and Defaults and Build for keys of its own); a
// field of Fault if it needs a new key; its row in README.md's table of
// faults.
//
// Adding a traffic component: a ComponentDef in kinds.go (keys, checks,
// dependent defaults), its term in NewProfile (traffic.go), any new
// field of Component, and its row in README.md's table. A
// load-balancing algorithm: its Algorithm in cluster (config.go, lb.go)
// and an AlgorithmDef in kinds.go.
//
// # Defaults
//
//	key                                  default
//	name                                 the file's base name without extension
//	seed                                 1
//	duration                             required
//	warmup                               0
//	sample_interval                      10s; duration/10 under 100s (whole ms, at least 1ms);
//	                                     duration/1e6 over 115 days
//	zones                                [default]
//	control_plane.node_monitor_grace_period 50s (kube-controller-manager since v1.32)
//	control_plane.not_ready_toleration   300s (the DefaultTolerationSeconds admission plugin)
//	control_plane.unreachable_toleration 300s
//	nodes                                none: default nodes (4 cores, 16Gi, or larger to fit an instance,
//	                                     as many as needed), cost from instance.price_per_hour
//	nodes[].zones                        every zone
//	nodes[].per_zone                     1
//	nodes[].cpu, memory                  4, 16Gi
//	nodes[].price_per_hour               0.04048 per core + 0.004445 per GiB (AWS Fargate, us-east-1)
//	nodes[].provision_delay              2m
//	nodes[].max_per_zone                 per_zone (no node autoscaling)
//	replicas.initial                     replicas.min if given, else 1
//	replicas.min                         1 (0 if initial is 0)
//	replicas.max                         the largest of 10, initial and min
//	instance.cpu_request                 1 (core)
//	instance.cpu_limit                   none (the instance may use its node's idle CPU)
//	instance.cpu_cfs_period              100ms (1ms to 1s)
//	instance.memory_request              256Mi
//	instance.memory_limit                none
//	instance.base_memory                 memory_request / 2
//	instance.memory_per_request          0
//	instance.memory_retention            0 (the working set follows the requests held)
//	instance.concurrency                 unlimited (processor sharing)
//	instance.queue_limit                 unlimited
//	instance.cancel_on_client_timeout    false (the server keeps timed-out work)
//	instance.startup_delay               5s
//	instance.readiness_delay             5s
//	instance.warmup                      {duration: 0, slowdown: 1}: none
//	instance.drain.pre_stop              0 (no preStop hook)
//	instance.drain.grace_period          30s (Kubernetes' terminationGracePeriodSeconds)
//	instance.price_per_hour              0.04048 per requested core + 0.004445 per requested GiB
//	demand.cpu, demand.wait              0 (at least one is required)
//	probes.startup, .readiness, .liveness  none; when given: initial_delay 0, period 10s, timeout 1s,
//	                                     failure_threshold 3, success_threshold 1
//	topology_spread                      none; when given: max_skew 1, when_unsatisfiable DoNotSchedule,
//	                                     min_domains 1, node_taints_policy Ignore (Kubernetes')
//	disruption_budget.min_available      0 (no budget)
//	load_balancer.algorithm              round-robin
//	load_balancer.replicas               1
//	load_balancer.failover_delay         10s
//	load_balancer.propagation_delay      1s
//	load_balancer.session_affinity_timeout 3h (Kubernetes' 10800 s)
//	ingress                              none; when given: latency 0, proxy_read_timeout 60s, proxy_next_upstream error, proxy_next_upstream_tries 3, affinity none (ingress-nginx's)
//	autoscaler.policy                    static
//	autoscaler.interval                  15s; 30s for requests-in-flight
//	autoscaler.target_utilization        80 (percent)
//	autoscaler.metrics (hpa)             [{resource: cpu, target_utilization: <target_utilization>}]
//	autoscaler.metrics.scrape_interval   15s
//	autoscaler.metrics.window            30s
//	autoscaler.tolerance                 0.1
//	autoscaler.behavior                  none; any part given takes Kubernetes' defaults for the rest:
//	  scale_up                           stabilization 0, select Max, [{Pods, 4, 15s}, {Percent, 100, 15s}]
//	  scale_down                         stabilization 300s, select Max, [{Percent, 100, 15s}]
//	  policies[].period                  15s
//	autoscaler.rounds                    10            (requests-in-flight, WSO2's defaults)
//	autoscaler.max_requests_per_second   100
//	autoscaler.alarming_upper_rate       0.7
//	autoscaler.alarming_lower_rate       0.2
//	autoscaler.scale_down_factor         0.25
//	autoscaler.instances_per_scale_up    1
//	autoscaler.server_startup_delay      60s
//	autoscaler.target                    slo.<service>.latency (latency policy; required without one)
//	autoscaler.percentile                95 (latency policy)
//	autoscaler.min_replicas, max_replicas replicas.min, replicas.max (cloud)
//	autoscaler.cpu_threshold             50 (cloud)
//	autoscaler.memory_threshold          80 (cloud; 0 for CPU only)
//	traffic.arrivals                     poisson
//	traffic.clients                      1000
//	traffic.timeout                      none
//	traffic.retries                      0
//	pattern ramp start, end              0, the scenario's duration
//	pattern diurnal period, peak_at      24h, period/2 (a run starts at the trough)
//	pattern trace interpolation, scale   linear, 1
//	faults[].count                       1 (instance-crash)
//	faults[].duration                    0: until the end of the run
//	faults[].mode                        fail (dependency-outage)
//	faults[].max_surge                   25% (rollout); 1 (node-upgrade)
//	faults[].max_unavailable             25% (rollout)
//	faults[].min_ready_seconds           0 (rollout)
//	slo.percentile                       99
//	slo.latency, slo.availability        none (at least one is required)
package scenarios
