package journal

import (
	"os"
	"testing"
)

// TestMain runs the test binary as one of the child processes the tests
// start, when the environment says so, and the tests otherwise.
func TestMain(m *testing.M) {
	switch {
	case os.Getenv(childEnv) == "1":
		os.Exit(sqliteChild())
	case os.Getenv(crashChildEnv) != "":
		os.Exit(crashChild())
	}
	os.Exit(m.Run())
}
