// Command porcupine-check checks the register keys of zk-chaos histories (JSON Lines, the format in
// harness/history/types.ts) with Porcupine, so `npm run bench` can set the two checkers side by
// side on the same files. One JSON line per file: {"file","result","ms","operations"}.
//
// The translation follows the format's rules: a fail on a write or read, or on a cas whose error
// is not BAD_VERSION, never happened and is dropped; a cas failed with BAD_VERSION returned false;
// an info or missing completion is a crashed operation (Porcupine: returns after everything, output
// unknown); a read that did not return ok constrains nothing and is dropped. Set operations (add,
// read-set) are not Porcupine's to check and are skipped.
package main

import (
	"bufio"
	"encoding/json"
	"flag"
	"fmt"
	"math"
	"os"
	"time"

	"github.com/anishathalye/porcupine"
)

type event struct {
	Type    string          `json:"type"`
	Process int             `json:"process"`
	Time    int64           `json:"time"`
	F       string          `json:"f"`
	Key     string          `json:"key"`
	Value   json.RawMessage `json:"value"`
	Error   *string         `json:"error"`
}

const absent = -1

type input struct {
	key   string
	op    uint8 // 0 read, 1 write, 2 cas
	from  int   // cas expected value
	value int   // written value (write, cas)
}

type output struct {
	value   int  // read
	ok      bool // cas
	unknown bool // crashed
}

var model = porcupine.Model{
	Partition: func(history []porcupine.Operation) [][]porcupine.Operation {
		byKey := map[string][]porcupine.Operation{}
		var order []string
		for _, op := range history {
			k := op.Input.(input).key
			if _, seen := byKey[k]; !seen {
				order = append(order, k)
			}
			byKey[k] = append(byKey[k], op)
		}
		parts := make([][]porcupine.Operation, 0, len(order))
		for _, k := range order {
			parts = append(parts, byKey[k])
		}
		return parts
	},
	Init: func() interface{} { return absent },
	Step: func(state, in, out interface{}) (bool, interface{}) {
		st, i, o := state.(int), in.(input), out.(output)
		switch i.op {
		case 0:
			return o.unknown || o.value == st, st
		case 1:
			return true, i.value
		default:
			if i.from == st {
				return o.ok || o.unknown, i.value
			}
			return !o.ok || o.unknown, st
		}
	},
	Equal: func(a, b interface{}) bool { return a.(int) == b.(int) },
}

type interner map[string]int

func (n interner) id(raw json.RawMessage) (int, error) {
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil {
		return 0, err
	}
	if s == nil {
		return absent, nil
	}
	if v, ok := n[*s]; ok {
		return v, nil
	}
	n[*s] = len(n)
	return len(n) - 1, nil
}

func load(path string) ([]porcupine.Operation, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	values := interner{}
	var ops []porcupine.Operation
	open := map[int]int{} // process -> index in ops of its outstanding operation
	var last int64
	scanner := bufio.NewScanner(f)
	scanner.Buffer(make([]byte, 1<<20), 1<<26)
	for line := 1; scanner.Scan(); line++ {
		if len(scanner.Bytes()) == 0 {
			continue
		}
		var e event
		if err := json.Unmarshal(scanner.Bytes(), &e); err != nil {
			return nil, fmt.Errorf("%s:%d: %w", path, line, err)
		}
		last = max(last, e.Time)
		if e.F != "read" && e.F != "write" && e.F != "cas" {
			continue
		}
		if e.Type == "invoke" {
			in := input{key: e.Key}
			switch e.F {
			case "write":
				in.op = 1
				if in.value, err = values.id(e.Value); err != nil {
					return nil, fmt.Errorf("%s:%d: %w", path, line, err)
				}
			case "cas":
				var pair [2]json.RawMessage
				if err := json.Unmarshal(e.Value, &pair); err != nil {
					return nil, fmt.Errorf("%s:%d: %w", path, line, err)
				}
				in.op = 2
				if in.from, err = values.id(pair[0]); err == nil {
					in.value, err = values.id(pair[1])
				}
				if err != nil {
					return nil, fmt.Errorf("%s:%d: %w", path, line, err)
				}
			}
			open[e.Process] = len(ops)
			ops = append(ops, porcupine.Operation{ClientId: e.Process, Input: in, Call: e.Time, Return: -1})
			continue
		}
		i, ok := open[e.Process]
		if !ok {
			continue
		}
		delete(open, e.Process)
		op := &ops[i]
		switch {
		case e.Type == "ok" && e.F == "read":
			v, err := values.id(e.Value)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: %w", path, line, err)
			}
			op.Output, op.Return = output{value: v}, e.Time
		case e.Type == "ok":
			op.Output, op.Return = output{ok: true}, e.Time
		case e.Type == "fail" && e.F == "cas" && e.Error != nil && *e.Error == "BAD_VERSION":
			op.Output, op.Return = output{ok: false}, e.Time
		case e.Type == "fail":
			op.Input = nil // never happened
		}
	}
	if err := scanner.Err(); err != nil {
		return nil, err
	}
	kept := ops[:0]
	for _, op := range ops {
		if op.Input == nil {
			continue
		}
		if op.Return == -1 { // crashed (info or never completed)
			if op.Input.(input).op == 0 {
				continue
			}
			op.Output, op.Return = output{unknown: true}, last+1
		}
		kept = append(kept, op)
	}
	return kept, nil
}

func main() {
	timeout := flag.Duration("timeout", 0, "give up on a file after this long (0: never)")
	repeat := flag.Int("repeat", 1, "check each file this many times and report the fastest")
	flag.Parse()
	out := json.NewEncoder(os.Stdout)
	for _, path := range flag.Args() {
		ops, err := load(path)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(3)
		}
		var result porcupine.CheckResult
		ms := math.Inf(1)
		for range max(*repeat, 1) {
			start := time.Now()
			result = porcupine.CheckOperationsTimeout(model, ops, *timeout)
			ms = math.Min(ms, float64(time.Since(start).Nanoseconds())/1e6)
		}
		out.Encode(map[string]interface{}{"file": path, "result": string(result), "ms": ms, "operations": len(ops)})
	}
}
