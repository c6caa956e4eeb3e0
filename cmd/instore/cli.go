package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/journal"
)

// Exit statuses. A script tells "all is well" (0) from "the command ran
// and found something to look at" (3), from "it could not run" (1, 2).
const (
	// exitOK: done, and nothing needs attention.
	exitOK = 0
	// exitError: the command failed (the journal or an acquirer could not
	// be reached, a refund was declined).
	exitError = 1
	// exitUsage: bad usage or configuration; nothing was done.
	exitUsage = 2
	// exitAttention: the command ran and something needs attention:
	// reconcile found discrepancies, recover left sales unresolved, a
	// refund is not final yet.
	exitAttention = 3
)

// app is one run of the tool: its outputs and environment. Tests build
// one with their own buffers, environment and simulated day.
type app struct {
	stdout, stderr io.Writer
	getenv         func(string) string
	// stderrTTY reports whether stderr is a terminal: the progress line is
	// shown only then.
	stderrTTY bool
	// newID makes refund request ids.
	newID func() string
	// simulate makes the simulated day for --simulate.
	simulate func(ctx context.Context) (*world, error)
}

// newApp returns the app of a process: its real outputs and environment.
func newApp(stdout, stderr io.Writer) *app {
	return &app{
		stdout:    stdout,
		stderr:    stderr,
		getenv:    os.Getenv,
		stderrTTY: isTerminal(stderr),
		newID:     instore.NewRequestID,
		simulate: func(ctx context.Context) (*world, error) {
			w, _, err := simulate(ctx, simConfig{})
			return w, err
		},
	}
}

// isTerminal reports whether w is a terminal (a character device).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// command is one of the tool's commands.
type command struct {
	name, usage, short string
	// long is the help text, example the example(s) it ends with.
	long, example string
	run           func(ctx context.Context, a *app, inv *invocation) int
	// flags adds the command's own flags to the common ones.
	flags func(fs *flag.FlagSet, inv *invocation)
	// csv says whether the command prints CSV (--csv).
	csv bool
}

// commands are the tool's commands, in the order help lists them.
func commands() []*command {
	return []*command{salesCommand(), showCommand(), recoverCommand(), refundCommand(), reconcileCommand()}
}

// run runs the tool with args (without the program name) and returns the
// exit status.
func (a *app) run(ctx context.Context, args []string) int {
	if len(args) == 0 {
		a.mainUsage(a.stderr)
		return exitUsage
	}
	name, rest := args[0], args[1:]
	switch name {
	case "help", "-h", "-help", "--help":
		return a.help(rest)
	}
	for _, c := range commands() {
		if c.name == name {
			return a.runCommand(ctx, c, rest)
		}
	}
	fmt.Fprintf(a.stderr, "instore %s: unknown command\nRun 'instore help' for usage.\n", name)
	return exitUsage
}

// runCommand parses a command's flags and runs it.
func (a *app) runCommand(ctx context.Context, c *command, args []string) int {
	inv := &invocation{cmd: c}
	args, err := parseInterspersed(c.flagSet(inv), args)
	switch {
	case errors.Is(err, flag.ErrHelp):
		a.commandHelp(a.stdout, c)
		return exitOK
	case err != nil:
		return a.usageError(c, err)
	}
	inv.args = args
	if err := inv.checkFormat(); err != nil {
		return a.usageError(c, err)
	}
	return c.run(ctx, a, inv)
}

// flagSet is c's flags, the common ones and its own, set into inv: the
// flags runCommand parses and commandHelp lists. It prints nothing; the
// tool words its own usage errors.
func (c *command) flagSet(inv *invocation) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	inv.commonFlags(fs)
	if c.flags != nil {
		c.flags(fs, inv)
	}
	return fs
}

// parseInterspersed parses flags wherever they are among the arguments
// (instore refund sale-1 50.00 --refund-id r-1), and returns the
// arguments. After "--" everything is an argument.
func parseInterspersed(fs *flag.FlagSet, args []string) ([]string, error) {
	var out []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(out, rest...), nil
		}
		if len(rest) == 0 {
			return out, nil
		}
		out = append(out, rest[0])
		args = rest[1:]
	}
}

// usageError reports bad usage of c and returns exitUsage.
func (a *app) usageError(c *command, err error) int {
	fmt.Fprintf(a.stderr, "instore %s: %v\nusage: instore %s %s\nRun 'instore help %s' for details.\n", c.name, err, c.name, c.usage, c.name)
	return exitUsage
}

// fail reports err from command c and returns its exit status: exitUsage
// for a configuration error, exitError otherwise.
func (a *app) fail(c *command, err error) int {
	// The SDK's errors start "instore: "; once is enough.
	fmt.Fprintf(a.stderr, "instore %s: %s\n", c.name, strings.TrimPrefix(err.Error(), "instore: "))
	var ce *configError
	if errors.As(err, &ce) {
		return exitUsage
	}
	return exitError
}

// invocation is one command's parsed command line.
type invocation struct {
	cmd      *command
	args     []string
	journal  string
	schema   string
	simulate bool
	json     bool
	csv      bool
	// Each command's own flags.
	from, to, state, acquirer, store, refundID string
	limit                                      int
}

// commonFlags adds the flags every command (or most) takes.
func (inv *invocation) commonFlags(fs *flag.FlagSet) {
	fs.StringVar(&inv.journal, "journal", "", "the journal: `sqlite:PATH` or postgres://... (default $"+envJournal+")")
	fs.StringVar(&inv.schema, "schema", journal.DefaultSchema, "the PostgreSQL `SCHEMA` that holds the journal (postgres only)")
	fs.BoolVar(&inv.simulate, "simulate", false, "run against in-process simulators and a simulated day of sales")
	fs.BoolVar(&inv.json, "json", false, "print JSON, one object per line")
	if inv.cmd.csv {
		fs.BoolVar(&inv.csv, "csv", false, "print CSV with a header line")
	}
}

// checkFormat refuses --json with --csv.
func (inv *invocation) checkFormat() error {
	if inv.json && inv.csv {
		return errors.New("--json and --csv do not go together")
	}
	return nil
}

// format is the output format the invocation asks for.
func (inv *invocation) format() format {
	switch {
	case inv.json:
		return formatJSON
	case inv.csv:
		return formatCSV
	}
	return formatText
}

// world opens what the command runs against: the simulated day, or the
// journal given and, when acquirers is set, the acquirers the environment
// configures.
func (a *app) world(ctx context.Context, inv *invocation, acquirers bool) (*world, error) {
	if inv.simulate {
		if inv.journal != "" {
			return nil, configErrorf("--simulate runs on a journal of its own; leave out --journal")
		}
		return a.simulate(ctx)
	}
	raw := inv.journal
	if raw == "" {
		raw = a.getenv(envJournal)
	}
	if raw == "" {
		return nil, configErrorf("no journal: give --journal sqlite:PATH or --journal postgres://..., set %s, or try --simulate", envJournal)
	}
	spec, err := parseJournal(raw)
	if err != nil {
		return nil, configErrorf("%v", err)
	}
	w := &world{now: time.Now, unconfigured: howToConfigure}
	if acquirers {
		if w.acquirers, w.omise, err = acquirersFromEnv(a.getenv); err != nil {
			return nil, err
		}
	}
	var opts []journal.Option
	if spec.postgresDSN != "" {
		opts = append(opts, journal.WithSchema(inv.schema))
	}
	store, err := spec.open(ctx, opts...)
	if err != nil {
		return nil, err
	}
	w.journal, w.reader, w.close = store, store, func() { _ = store.Close() }
	return w, nil
}

// wantArgs checks the number of arguments.
func (inv *invocation) wantArgs(n int) error {
	switch {
	case len(inv.args) < n:
		return errors.New("missing arguments")
	case len(inv.args) > n:
		// Not echoed: a payment code typed into the wrong place is a secret.
		return fmt.Errorf("too many arguments: %d given, %d expected", len(inv.args), n)
	}
	return nil
}
