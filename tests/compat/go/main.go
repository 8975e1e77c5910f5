// Drives a LittleHorse-compatible server with the official Go SDK: registers two TaskDefs from
// Go functions, runs their workers, registers a WfSpec built with the official builder, runs N
// WfRuns and checks every status, task output and variable. Prints one summary line.
// Exit codes: 0 all checks passed, 1 a check failed, 2 the scenario could not run.
package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime/debug"
	"strconv"
	"time"

	"github.com/littlehorse-enterprises/littlehorse/sdk-go/lhproto"
	"github.com/littlehorse-enterprises/littlehorse/sdk-go/littlehorse"
	"google.golang.org/protobuf/encoding/protojson"
)

const (
	wfSpecName     = "go-compat-wf"
	longThreshold  = 12
	callDeadline   = 10 * time.Second
	pollInterval   = 100 * time.Millisecond
	sdkModulePath  = "github.com/littlehorse-enterprises/littlehorse"
	defaultWfRuns  = 5
	defaultTimeout = 60_000
)

var names = []string{"ann", "bartholomew", "eve", "maximilian", "bo"}

// checkFailed marks a wrong answer from the server (exit 1), as opposed to a failure to run (exit 2).
type checkFailed struct{ msg string }

func (c *checkFailed) Error() string { return c.msg }

func failf(format string, args ...any) error { return &checkFailed{fmt.Sprintf(format, args...)} }

func main() {
	var err error
	if len(os.Args) > 1 && os.Args[1] == "--print-wf-spec" {
		err = printWfSpec()
	} else {
		err = run()
	}
	if err == nil {
		os.Exit(0)
	}
	fmt.Fprintln(os.Stderr, "COMPAT FAIL client=go:", err)
	var cf *checkFailed
	if errors.As(err, &cf) {
		os.Exit(1)
	}
	os.Exit(2)
}

func envInt(key string, fallback, lo, hi int) (int, error) {
	raw := os.Getenv(key)
	if raw == "" {
		return fallback, nil
	}
	v, err := strconv.Atoi(raw)
	if err != nil || v < lo || v > hi {
		return 0, fmt.Errorf("%s must be an integer in %d..%d, got %q", key, lo, hi, raw)
	}
	return v, nil
}

func buildWorkflow() *littlehorse.LHWorkflow {
	return littlehorse.NewWorkflow(func(wf *littlehorse.WorkflowThread) {
		name := wf.DeclareStr("name").Required()
		greeting := wf.DeclareStr("greeting")
		letters := wf.DeclareInt("letters")
		verdict := wf.DeclareStr("verdict")
		greeting.Assign(wf.Execute(greetTask, name))
		letters.Assign(wf.Execute(countLettersTask, greeting))
		// DoIf(...).DoElse(...): in SDK v1.2.1 DoIfElse panics when the if-body adds no node.
		wf.DoIf(letters.IsGreaterThan(longThreshold),
			func(t *littlehorse.WorkflowThread) { verdict.Assign("long") },
		).DoElse(func(t *littlehorse.WorkflowThread) { verdict.Assign("short") })
	}, wfSpecName)
}

func printWfSpec() error {
	spec, err := buildWorkflow().Compile()
	if err != nil {
		return err
	}
	fmt.Println(protojson.Format(spec))
	return nil
}

func sdkVersion() string {
	info, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	for _, dep := range info.Deps {
		if dep.Path == sdkModulePath {
			if dep.Replace != nil {
				return dep.Version + "(replaced)"
			}
			return dep.Version
		}
	}
	return "unknown"
}

func call() (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.Background(), callDeadline)
}

func run() error {
	wfRuns, err := envInt("COMPAT_WF_RUNS", defaultWfRuns, 1, 1000)
	if err != nil {
		return err
	}
	timeoutMs, err := envInt("COMPAT_TIMEOUT_MS", defaultTimeout, 1000, 600_000)
	if err != nil {
		return err
	}
	started := time.Now()
	deadline := started.Add(time.Duration(timeoutMs) * time.Millisecond)
	config := littlehorse.NewConfigFromEnv()
	clientPtr, err := config.GetGrpcClient()
	if err != nil {
		return fmt.Errorf("connect: %w", err)
	}
	client := *clientPtr
	fmt.Printf("connecting to %s:%s\n", config.ApiHost, config.ApiPort)

	workers := make([]*littlehorse.LHTaskWorker, 0, 2)
	defer func() {
		for _, w := range workers {
			_ = w.Close()
		}
	}()
	for _, def := range []struct {
		name string
		fn   any
	}{{greetTask, greet}, {countLettersTask, countLetters}} {
		w, err := littlehorse.NewTaskWorker(config, def.fn, def.name)
		if err != nil {
			return fmt.Errorf("NewTaskWorker(%s): %w", def.name, err)
		}
		if err := w.RegisterTaskDef(); err != nil {
			return fmt.Errorf("RegisterTaskDef(%s): %w", def.name, err)
		}
		workers = append(workers, w)
	}
	startErrs := make(chan error, len(workers))
	for _, w := range workers {
		// Start blocks in the worker's heartbeat loop for as long as the worker lives.
		go func(w *littlehorse.LHTaskWorker) { startErrs <- w.Start() }(w)
	}

	// RegisterWfSpec logs and swallows errors; put the compiled spec ourselves to see them.
	spec, err := buildWorkflow().Compile()
	if err != nil {
		return fmt.Errorf("compile workflow: %w", err)
	}
	ctx, cancel := call()
	_, err = client.PutWfSpec(ctx, spec)
	cancel()
	if err != nil {
		return fmt.Errorf("PutWfSpec: %w", err)
	}

	ids := make([]string, 0, wfRuns)
	for i := 0; i < wfRuns; i++ {
		ctx, cancel := call()
		run, err := client.RunWf(ctx, &lhproto.RunWfRequest{
			WfSpecName: wfSpecName,
			Variables: map[string]*lhproto.VariableValue{
				"name": {Value: &lhproto.VariableValue_Str{Str: names[i%len(names)]}},
			},
		})
		cancel()
		if err != nil {
			return fmt.Errorf("RunWf: %w", err)
		}
		if run.GetId().GetId() == "" {
			return failf("RunWf returned a WfRun without an id")
		}
		ids = append(ids, run.GetId().GetId())
	}

	longCount := 0
	for i, raw := range ids {
		select {
		case err := <-startErrs:
			return fmt.Errorf("a task worker stopped: %v", err)
		default:
		}
		id := &lhproto.WfRunId{Id: raw}
		if err := awaitCompleted(client, id, deadline); err != nil {
			return err
		}
		isLong, err := checkRun(client, id, names[i%len(names)])
		if err != nil {
			return err
		}
		if isLong {
			longCount++
		}
	}
	fmt.Printf("COMPAT OK client=go-%s wfRuns=%d taskRuns=%d long=%d short=%d elapsedMs=%d\n",
		sdkVersion(), len(ids), 2*len(ids), longCount, len(ids)-longCount, time.Since(started).Milliseconds())
	return nil
}

func awaitCompleted(client lhproto.LittleHorseClient, id *lhproto.WfRunId, deadline time.Time) error {
	last := "none"
	for time.Now().Before(deadline) {
		ctx, cancel := call()
		run, err := client.GetWfRun(ctx, id)
		cancel()
		if err != nil {
			return fmt.Errorf("GetWfRun(%s): %w", id.Id, err)
		}
		switch run.Status {
		case lhproto.LHStatus_COMPLETED:
			return nil
		case lhproto.LHStatus_ERROR, lhproto.LHStatus_EXCEPTION:
			return failf("WfRun %s ended %s: %s", id.Id, run.Status, protojson.Format(run))
		}
		last = run.Status.String()
		time.Sleep(pollInterval)
	}
	return failf("WfRun %s not COMPLETED in time (last status %s)", id.Id, last)
}
