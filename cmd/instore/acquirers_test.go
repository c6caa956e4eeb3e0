package main

import (
	"maps"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/instoretest"
)

// writeFile writes b to a new file in dir and returns its path.
func writeFile(t *testing.T, dir, name string, b []byte) string {
	t.Helper()
	path := filepath.Join(dir, name)
	require.NoError(t, os.WriteFile(path, b, 0o600))
	return path
}

// envFor configures all three acquirers against the day's simulators over
// their loopback sockets, as an operator's environment configures the real
// ones.
func envFor(t *testing.T, sim *simulation) map[string]string {
	t.Helper()
	dir := t.TempDir()
	cred := sim.ppro.Credentials()
	return map[string]string{
		envOmiseSecretKey: sim.omise.SecretKey(),
		envOmisePublicKey: sim.omise.PublicKey(),
		envOmiseBaseURL:   sim.omise.URL(),

		envAlipayClientID:       sim.alipayPlus.ClientID(),
		envAlipayPrivateKeyFile: writeFile(t, dir, "merchant.pem", sim.alipayPlus.MerchantPrivateKeyPEM()),
		envAlipayPublicKeyFile:  writeFile(t, dir, "alipay.pem", sim.alipayPlus.AlipayPublicKeyPEM()),
		envAlipayBaseURL:        sim.alipayPlus.URL(),
		envAlipayMerchantID:     "M-SIM-0001",
		envAlipayMerchantName:   "instore simulated shop",
		envAlipayMerchantMCC:    "5812",

		envPPROLogin:           cred.Login,
		envPPROPassword:        cred.Password,
		envPPROContractID:      cred.ContractID,
		envPPROChannel:         cred.Channel,
		envPPROBaseURL:         sim.ppro.URL(),
		envPPRONotificationURL: "https://pos.example.ch/ppro/notify",
	}
}

// TestReconcileFromEnvironment runs reconcile as an operator does: the
// journal by --journal, the acquirers from the environment (here the
// simulators, over sockets). The report is the simulated day's.
func TestReconcileFromEnvironment(t *testing.T) {
	t.Parallel()
	onEachBackend(t, testSales, func(t *testing.T, d *day) {
		want := d.run("reconcile", "--simulate", "--json")
		require.Equal(t, exitAttention, want.code)

		d.env = envFor(t, d.sim)
		args := append([]string{"reconcile", "--json", "--journal", d.journalArg, "--from", "2026-03-02"}, d.schemaArgs()...)
		got := d.run(args...)
		require.Equal(t, exitAttention, got.code, got.stderr)
		assert.Equal(t, normalize(want.stdout), normalize(got.stdout))
		assert.NotEmpty(t, d.sim.omise.Requests(), "Omise was asked over its socket")
	})
}

// TestRefundFromEnvironment refunds through an acquirer configured by the
// environment.
func TestRefundFromEnvironment(t *testing.T) {
	t.Parallel()
	d := newDay(t, "sqlite", testSales)
	d.env = envFor(t, d.sim)
	r := d.run("refund", "--journal", d.journalArg, "--json", "sale-0014", "1.00", "--refund-id", "env-1")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, `"refund_request_id":"env-1"`)
	assert.Equal(t, 1, d.refunds("sale-0014"))
}

func TestAcquirersFromEnv(t *testing.T) {
	t.Parallel()
	sim := &simulation{
		omise:      instoretest.NewOmiseT(t),
		alipayPlus: instoretest.NewAlipayPlusT(t),
		ppro:       instoretest.NewPPROT(t),
	}
	full := envFor(t, sim)
	dir := t.TempDir()
	without := func(names ...string) map[string]string {
		env := maps.Clone(full)
		for _, n := range names {
			delete(env, n)
		}
		return env
	}
	with := func(kv ...string) map[string]string {
		env := maps.Clone(full)
		for i := 0; i < len(kv); i += 2 {
			env[kv[i]] = kv[i+1]
		}
		return env
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want []string
		err  string
	}{
		{name: "none", env: map[string]string{}, want: nil},
		{name: "all three", env: full, want: []string{"alipayplus", "omise", "ppro"}},
		{name: "omise alone", env: map[string]string{envOmiseSecretKey: "skey_test_1"}, want: []string{"omise"}},
		{name: "without alipayplus", env: without(envAlipayClientID), want: []string{"omise", "ppro"}},
		{name: "alipayplus flavour", env: with(envAlipayFlavor, "ACQP"), want: []string{"alipayplus", "omise", "ppro"}},
		{name: "alipayplus key file missing", env: without(envAlipayPrivateKeyFile), err: "alipayplus: ALIPAYPLUS_PRIVATE_KEY_FILE is not set"},
		{name: "alipayplus merchant missing", env: without(envAlipayMerchantMCC), err: "alipayplus: ALIPAYPLUS_MERCHANT_MCC is not set"},
		{name: "alipayplus key file unreadable", env: with(envAlipayPublicKeyFile, filepath.Join(dir, "none.pem")), err: "alipayplus: reading ALIPAYPLUS_PUBLIC_KEY_FILE"},
		{name: "alipayplus key not a key", env: with(envAlipayPrivateKeyFile, writeFile(t, dir, "junk.pem", []byte("not a key"))), err: "alipayplus: ALIPAYPLUS_PRIVATE_KEY_FILE: "},
		{name: "alipayplus bad flavour", env: with(envAlipayFlavor, "classic"), err: "alipayplus: ALIPAYPLUS_FLAVOR must be antom or acqp"},
		{name: "ppro password missing", env: without(envPPROPassword), err: "ppro: PPRO_PASSWORD is not set"},
		{name: "ppro notification url not a url", env: with(envPPRONotificationURL, "pos.example.ch/notify"), err: "ppro: "},
		{name: "ppro certificate without key", env: with(envPPROCertFile, filepath.Join(dir, "c.pem")), err: "ppro: PPRO_TLS_CERT_FILE and PPRO_TLS_KEY_FILE go together"},
		{name: "omise base url not https", env: with(envOmiseBaseURL, "http://api.example.com"), err: "omise: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			acqs, omise, err := acquirersFromEnv(func(k string) string { return tc.env[k] })
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				var ce *configError
				assert.ErrorAs(t, err, &ce, "a configuration error is bad usage")
				for _, secret := range []string{full[envPPROPassword], full[envOmiseSecretKey]} {
					assert.NotContains(t, err.Error(), secret)
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, slices.Sorted(maps.Keys(acqs)))
			assert.Equal(t, slices.Contains(tc.want, "omise"), omise != nil)
		})
	}
}
