package main

import (
	"net/url"
	"strings"
	"testing"
)

// FuzzJournalSpec: whatever --journal holds, parsing it never panics, and
// neither its error nor the name printed for it holds the DSN's password.
func FuzzJournalSpec(f *testing.F) {
	for _, s := range []string{
		"sqlite:/var/lib/pos/journal.db", "sqlite:", "postgres://pos:pw@db:5432/sales?sslmode=require",
		"postgresql://db/sales?password=pw", "postgres://u:pw@[::1", "host=db password=pw", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		spec, err := parseJournal(s)
		if err != nil {
			// One of the fixed messages: nothing of the value in it.
			if _, bad := parseJournal("sqlite:"); err.Error() != bad.Error() && err.Error() != errBadJournal.Error() {
				t.Fatalf("an error of its own: %v", err)
			}
			return
		}
		name := spec.String()
		if spec.postgresDSN == "" {
			return
		}
		u, err := url.Parse(spec.postgresDSN)
		if err != nil || u.User == nil {
			return
		}
		// Put sentinels in place of the user and password and look for
		// them: a host or path that merely spells the same characters as
		// the password (postgres://:0000@0000) is not a leak.
		const user, pw = "sentinel-user-7f3a", "sentinel-pw-9c1e"
		u.User = url.UserPassword(user, pw)
		marked, err := parseJournal(u.String())
		if err != nil {
			t.Fatalf("%q parsed, but with other credentials it did not: %v", name, err)
		}
		if got := marked.String(); strings.Contains(got, pw) || strings.Contains(got, user) {
			t.Fatalf("the name %q shows the credentials", got)
		}
	})
}
