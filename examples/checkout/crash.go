package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
)

// The crash demo (-crash-after pay|pending) shows a sale outliving the
// process that took it, with three processes, as on a real till:
//
//  1. this one plays the acquirer: it runs the Omise simulator on a
//     loopback socket, so that its state outlives the till's processes;
//  2. a first till process sells, and is killed (SIGKILL: no cleanup, no
//     goodbye) once it reaches the chosen step, with the pay out;
//  3. a second till process starts on the same journal file and recovers
//     the sale, inquiring and cancelling as the first would have.
//
// The till processes are this program, run again with the simulator's
// address in its environment.
const (
	envSimURL = "INSTORE_EXAMPLE_OMISE_URL"
	envSimKey = "INSTORE_EXAMPLE_OMISE_KEY"
)

// crashDemo runs the three processes and returns the recovery's exit
// status.
func crashDemo(ctx context.Context, o *options, stdout, stderr io.Writer) int {
	if o.acquirer != "omise" || o.mode != "scan" {
		fmt.Fprintln(stderr, "checkout: -crash-after runs a scanned sale through Omise")
		return 2
	}
	if o.crashAfter != "pay" && o.crashAfter != "pending" {
		fmt.Fprintf(stderr, "checkout: unknown -crash-after %q (pay | pending)\n", o.crashAfter)
		return 2
	}
	sim := instoretest.NewOmise()
	defer sim.Close()
	if o.crashAfter == "pay" {
		// The charge is made at once; its answer takes 3 s, by which time
		// the till is dead.
		sim.InjectFault(instoretest.OmiseCreateCharge, 1, instoretest.Fault{Kind: instoretest.FaultDelay, Delay: 3 * time.Second})
	}
	path := o.journal
	if path == "" {
		dir, err := os.MkdirTemp("", "instore-crash-")
		if err != nil {
			fmt.Fprintln(stderr, "checkout:", err)
			return 2
		}
		path = filepath.Join(dir, "sales.db")
	}
	self, err := os.Executable()
	if err != nil {
		fmt.Fprintln(stderr, "checkout:", err)
		return 2
	}
	env := append(os.Environ(), envSimURL+"="+sim.URL(), envSimKey+"="+sim.SecretKey())

	fmt.Fprintln(stdout, "== till process 1: sells, and is killed once the sale is", map[string]string{"pay": "paying", "pending": "pending"}[o.crashAfter])
	sale := exec.CommandContext(ctx, self, "-journal", path, "-amount", o.amount, "-refund", "")
	sale.Env, sale.Stderr = env, stderr
	if err := killAt(sale, map[string]string{"pay": "paying", "pending": "pending"}[o.crashAfter], stdout); err != nil {
		fmt.Fprintln(stderr, "checkout:", err)
		return 2
	}
	fmt.Fprintln(stdout, "== till process 1 was killed (SIGKILL) with the sale in flight")

	fmt.Fprintln(stdout, "== till process 2: starts on the same journal and recovers it")
	recovery := exec.CommandContext(ctx, self, "-journal", path, "-recover")
	recovery.Env, recovery.Stdout, recovery.Stderr = env, stdout, stderr
	if err := recovery.Run(); err != nil {
		var exit *exec.ExitError
		if errors.As(err, &exit) {
			return exit.ExitCode()
		}
		fmt.Fprintln(stderr, "checkout:", err)
		return 2
	}
	return 0
}

// killAt runs cmd, copying its output, and kills it when it prints step:
// at once, or, for "paying" (printed as the pay is about to be sent), half
// a second later, when the pay is out and its answer is held back.
func killAt(cmd *exec.Cmd, step string, stdout io.Writer) error {
	out, err := cmd.StdoutPipe()
	if err != nil {
		return err
	}
	if err := cmd.Start(); err != nil {
		return err
	}
	lines := bufio.NewScanner(out)
	for lines.Scan() {
		fmt.Fprintln(stdout, lines.Text())
		if f := strings.Fields(lines.Text()); len(f) > 1 && f[1] == step {
			if step == "paying" {
				time.Sleep(500 * time.Millisecond)
			}
			_ = cmd.Process.Kill()
			break
		}
	}
	_, _ = io.Copy(io.Discard, out)
	if err := cmd.Wait(); err == nil {
		return fmt.Errorf("the till process ended before %s", step)
	}
	return nil
}

// remoteOmise sells through the simulator another process runs (the
// crash demo's), when the environment names one.
func remoteOmise(env *environment) (bool, error) {
	url := os.Getenv(envSimURL)
	if url == "" {
		return false, nil
	}
	client, err := instore.NewClient(os.Getenv(envSimKey), instore.WithBaseURL(url))
	if err != nil {
		return true, err
	}
	acq, err := instore.NewOmiseAcquirer(client, instore.OmiseAcquirerConfig{})
	if err != nil {
		return true, err
	}
	env.name = "Omise (simulated, in another process)"
	env.close = func() {}
	env.options = append(env.options, instore.WithRoute(instore.WalletAlipay, acq, instore.MethodAlipayPlusUPM))
	return true, nil
}
