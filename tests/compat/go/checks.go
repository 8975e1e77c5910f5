package main

import (
	"fmt"

	"github.com/littlehorse-enterprises/littlehorse/sdk-go/lhproto"
)

// checkRun checks one completed WfRun and reports whether it took the "long" branch.
func checkRun(client lhproto.LittleHorseClient, id *lhproto.WfRunId, name string) (bool, error) {
	greeting := greet(name)
	letters := countLetters(greeting)
	verdict := "short"
	if letters > longThreshold {
		verdict = "long"
	}
	vars := []struct {
		name string
		want any
		got  func(v *lhproto.VariableValue) any
	}{
		{"name", name, func(v *lhproto.VariableValue) any { return v.GetStr() }},
		{"greeting", greeting, func(v *lhproto.VariableValue) any { return v.GetStr() }},
		{"letters", letters, func(v *lhproto.VariableValue) any { return v.GetInt() }},
		{"verdict", verdict, func(v *lhproto.VariableValue) any { return v.GetStr() }},
	}
	for _, want := range vars {
		ctx, cancel := call()
		v, err := client.GetVariable(ctx, &lhproto.VariableId{WfRunId: id, ThreadRunNumber: 0, Name: want.name})
		cancel()
		if err != nil {
			return false, fmt.Errorf("GetVariable(%s, %s): %w", id.Id, want.name, err)
		}
		if got := want.got(v.GetValue()); got != want.want {
			return false, failf("WfRun %s: variable %s expected <%v> but was <%v>", id.Id, want.name, want.want, got)
		}
	}

	greetRun, err := taskRunAt(client, id, 1, greetTask)
	if err != nil {
		return false, err
	}
	if err := expectTask(id, greetRun, name, func(o *lhproto.VariableValue) any { return o.GetStr() }, greeting); err != nil {
		return false, err
	}
	countRun, err := taskRunAt(client, id, 2, countLettersTask)
	if err != nil {
		return false, err
	}
	if err := expectTask(id, countRun, greeting, func(o *lhproto.VariableValue) any { return o.GetInt() }, letters); err != nil {
		return false, err
	}
	return verdict == "long", nil
}

func taskRunAt(client lhproto.LittleHorseClient, id *lhproto.WfRunId, position int32, taskDef string) (*lhproto.TaskRun, error) {
	ctx, cancel := call()
	nodeRun, err := client.GetNodeRun(ctx, &lhproto.NodeRunId{WfRunId: id, ThreadRunNumber: 0, Position: position})
	cancel()
	if err != nil {
		return nil, fmt.Errorf("GetNodeRun(%s, 0, %d): %w", id.Id, position, err)
	}
	if nodeRun.GetTask().GetTaskRunId() == nil {
		return nil, failf("WfRun %s: NodeRun at position %d is not a TASK node with a TaskRun", id.Id, position)
	}
	if nodeRun.Status != lhproto.LHStatus_COMPLETED {
		return nil, failf("WfRun %s: NodeRun %d status %s, expected COMPLETED", id.Id, position, nodeRun.Status)
	}
	ctx, cancel = call()
	taskRun, err := client.GetTaskRun(ctx, nodeRun.GetTask().GetTaskRunId())
	cancel()
	if err != nil {
		return nil, fmt.Errorf("GetTaskRun: %w", err)
	}
	if taskRun.GetTaskDefId().GetName() != taskDef {
		return nil, failf("WfRun %s: task at position %d is %q, expected %q", id.Id, position, taskRun.GetTaskDefId().GetName(), taskDef)
	}
	return taskRun, nil
}

func expectTask(id *lhproto.WfRunId, run *lhproto.TaskRun, input string, read func(*lhproto.VariableValue) any, output any) error {
	name := run.GetTaskDefId().GetName()
	if len(run.InputVariables) == 0 || run.InputVariables[0].GetValue().GetStr() != input {
		return failf("WfRun %s: %s input expected <%s> but was %v", id.Id, name, input, run.InputVariables)
	}
	if run.Status != lhproto.TaskStatus_TASK_SUCCESS {
		return failf("WfRun %s: %s TaskRun status %s, expected TASK_SUCCESS", id.Id, name, run.Status)
	}
	if len(run.Attempts) == 0 {
		return failf("WfRun %s: %s TaskRun has no attempts", id.Id, name)
	}
	last := run.Attempts[len(run.Attempts)-1]
	if last.Status != lhproto.TaskStatus_TASK_SUCCESS || last.GetOutput() == nil {
		return failf("WfRun %s: %s last attempt status %s output %v", id.Id, name, last.Status, last.GetOutput())
	}
	if got := read(last.GetOutput()); got != output {
		return failf("WfRun %s: %s output expected <%v> but was <%v>", id.Id, name, output, got)
	}
	return nil
}
