package main

import (
	"flag"
	"fmt"
	"io"
	"strings"
)

// mainUsage is what `instore help` prints.
func (a *app) mainUsage(w io.Writer) {
	fmt.Fprint(w, `instore is the operator's tool over an instore sales journal: list and
inspect sales, settle the ones a till left unresolved, refund, and reconcile
the journal with the acquirers' own records.

Usage:

	instore <command> [flags] [arguments]

The commands are:

`)
	for _, c := range commands() {
		fmt.Fprintf(w, "\t%-10s  %s\n", c.name, c.short)
	}
	fmt.Fprint(w, `
Every command reads the journal given by --journal sqlite:PATH or
--journal postgres://... (or $INSTORE_JOURNAL). With --simulate it runs
instead against in-process simulators and a simulated day of sales (2 March
2026, UTC) seeded with one discrepancy of each kind; the day is sold anew,
the same, on every run. Acquirer credentials come from the environment
only: see 'instore help environment'.

Exit status: 0 when all is well; 3 when the command ran and found something
that needs attention (discrepancies, unresolved sales, a refund not final);
2 for bad usage or configuration; 1 when the command failed.

Use 'instore help <command>' for more about a command.

Example:

	instore reconcile --simulate
`)
}

// environmentHelp is `instore help environment`.
const environmentHelp = `The journal:

	INSTORE_JOURNAL        sqlite:PATH, or postgres://... (used when --journal
	                       is not given). A PostgreSQL DSN may carry a
	                       password: prefer this variable (or PGPASSWORD, or a
	                       .pgpass file) to the flag, which lands in shell
	                       history. The tool never prints a DSN.

Acquirers are configured by the environment only, never by flags. An acquirer
whose first variable is unset is not configured: its sales are reported as
"acquirer not configured" by the commands that need it. Once it is set, the
variables marked required are.

Omise (Opn Payments):

	OMISE_SECRET_KEY       the secret key (skey_...)
	OMISE_PUBLIC_KEY       the public key (optional)
	OMISE_BASE_URL         the API's base URL (optional; a proxy)

Alipay+ / Antom:

	ALIPAYPLUS_CLIENT_ID          the client id
	ALIPAYPLUS_PRIVATE_KEY_FILE   the merchant's RSA private key, PEM or base64 (required)
	ALIPAYPLUS_PUBLIC_KEY_FILE    Alipay's public key, PEM, base64 or a certificate (required)
	ALIPAYPLUS_MERCHANT_ID        the referenceMerchantId sales were made under (required)
	ALIPAYPLUS_MERCHANT_NAME      the merchant's name (required)
	ALIPAYPLUS_MERCHANT_MCC       the merchant's MCC, four digits (required)
	ALIPAYPLUS_STORE_ID           the default store's referenceStoreId (optional)
	ALIPAYPLUS_STORE_NAME         the default store's name (optional)
	ALIPAYPLUS_STORE_MCC          the default store's MCC (default: the merchant's)
	ALIPAYPLUS_BASE_URL           the gateway (optional)
	ALIPAYPLUS_FLAVOR             antom (default) or acqp

PPRO:

	PPRO_LOGIN              the login
	PPRO_PASSWORD           the password (required)
	PPRO_CONTRACT_ID        the contract id (required)
	PPRO_CHANNEL            the channel (required)
	PPRO_NOTIFICATION_URL   the notification URL sales were made with (required)
	PPRO_BASE_URL           the API URL (optional)
	PPRO_TLS_CERT_FILE      the TLS client certificate PPRO issued, PEM
	PPRO_TLS_KEY_FILE       its private key, PEM (with the certificate)
	PPRO_TLS_CA_FILE        PPRO's CA certificate, PEM (optional)

Output:

	The tool prints no colour. Its progress line (reconcile) is shown only
	when standard error is a terminal.
`

// help serves `instore help [topic]`.
func (a *app) help(args []string) int {
	switch {
	case len(args) == 0:
		a.mainUsage(a.stdout)
		return exitOK
	case len(args) > 1:
		fmt.Fprintln(a.stderr, "usage: instore help [command]")
		return exitUsage
	case args[0] == "environment":
		fmt.Fprint(a.stdout, environmentHelp)
		return exitOK
	}
	for _, c := range commands() {
		if c.name == args[0] {
			a.commandHelp(a.stdout, c)
			return exitOK
		}
	}
	fmt.Fprintf(a.stderr, "instore help %s: unknown command\nRun 'instore help' for usage.\n", args[0])
	return exitUsage
}

// commandHelp prints a command's help: usage, text, flags and example.
func (a *app) commandHelp(w io.Writer, c *command) {
	fmt.Fprintf(w, "usage: instore %s %s\n\n%s\n", c.name, c.usage, strings.TrimSpace(c.long))
	fmt.Fprint(w, "\nFlags:\n")
	c.flagSet(&invocation{cmd: c}).VisitAll(func(f *flag.Flag) {
		name, usage := flag.UnquoteUsage(f)
		if name != "" {
			name = " " + name
		}
		fmt.Fprintf(w, "  --%s%s\n    \t%s\n", f.Name, name, usage)
	})
	fmt.Fprintf(w, "\nExample:\n\n%s\n", indent(strings.TrimSpace(c.example)))
}

// indent puts a tab before every line of s.
func indent(s string) string {
	return "\t" + strings.ReplaceAll(s, "\n", "\n\t")
}
