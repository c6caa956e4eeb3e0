package main

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"net/http"
	"os"
	"strings"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/ppro"
)

// The environment variables that configure the acquirers. Credentials come
// from the environment only, never from flags, which land in shell history
// and in the process list. An acquirer whose first variable is unset is
// not configured; once it is set, the others it needs are required.
const (
	envOmiseSecretKey = "OMISE_SECRET_KEY" //nolint:gosec // G101: the variable's name, not a credential
	envOmisePublicKey = "OMISE_PUBLIC_KEY"
	envOmiseBaseURL   = "OMISE_BASE_URL"

	envAlipayClientID       = "ALIPAYPLUS_CLIENT_ID"
	envAlipayPrivateKeyFile = "ALIPAYPLUS_PRIVATE_KEY_FILE"
	envAlipayPublicKeyFile  = "ALIPAYPLUS_PUBLIC_KEY_FILE"
	envAlipayBaseURL        = "ALIPAYPLUS_BASE_URL"
	envAlipayFlavor         = "ALIPAYPLUS_FLAVOR"
	envAlipayMerchantID     = "ALIPAYPLUS_MERCHANT_ID"
	envAlipayMerchantName   = "ALIPAYPLUS_MERCHANT_NAME"
	envAlipayMerchantMCC    = "ALIPAYPLUS_MERCHANT_MCC"
	envAlipayStoreID        = "ALIPAYPLUS_STORE_ID"
	envAlipayStoreName      = "ALIPAYPLUS_STORE_NAME"
	envAlipayStoreMCC       = "ALIPAYPLUS_STORE_MCC"

	envPPROLogin           = "PPRO_LOGIN"
	envPPROPassword        = "PPRO_PASSWORD"
	envPPROContractID      = "PPRO_CONTRACT_ID"
	envPPROChannel         = "PPRO_CHANNEL"
	envPPROBaseURL         = "PPRO_BASE_URL"
	envPPRONotificationURL = "PPRO_NOTIFICATION_URL"
	envPPROCertFile        = "PPRO_TLS_CERT_FILE"
	envPPROKeyFile         = "PPRO_TLS_KEY_FILE"
	envPPROCAFile          = "PPRO_TLS_CA_FILE"
)

// howToConfigure is what an operator reads when no acquirer is configured.
const howToConfigure = "set " + envOmiseSecretKey + ", " + envAlipayClientID + " or " + envPPROLogin +
	" (see instore help environment), or try --simulate"

// configError is a configuration the command cannot run with: bad usage,
// exit status 2.
type configError struct{ msg string }

func (e *configError) Error() string { return e.msg }

func configErrorf(format string, args ...any) error {
	return &configError{msg: fmt.Sprintf(format, args...)}
}

// acquirersFromEnv builds the acquirers the environment configures, and
// the Omise client when Omise is one of them.
func acquirersFromEnv(getenv func(string) string) (map[string]instore.Acquirer, *instore.Client, error) {
	out := make(map[string]instore.Acquirer)
	omise, err := omiseFromEnv(getenv)
	if err != nil {
		return nil, nil, err
	}
	if omise != nil {
		acq, err := instore.NewOmiseAcquirer(omise, instore.OmiseAcquirerConfig{})
		if err != nil {
			return nil, nil, err
		}
		out[acq.Name()] = acq
	}
	if getenv(envAlipayClientID) != "" {
		acq, err := alipayPlusFromEnv(getenv)
		if err != nil {
			return nil, nil, err
		}
		out[acq.Name()] = acq
	}
	if getenv(envPPROLogin) != "" {
		acq, err := pproFromEnv(getenv)
		if err != nil {
			return nil, nil, err
		}
		out[acq.Name()] = acq
	}
	return out, omise, nil
}

// omiseFromEnv returns the Omise client, or nil when Omise is not
// configured.
func omiseFromEnv(getenv func(string) string) (*instore.Client, error) {
	key := getenv(envOmiseSecretKey)
	if key == "" {
		return nil, nil
	}
	var opts []instore.Option
	if pub := getenv(envOmisePublicKey); pub != "" {
		opts = append(opts, instore.WithPublicKey(pub))
	}
	if u := getenv(envOmiseBaseURL); u != "" {
		opts = append(opts, instore.WithBaseURL(u))
	}
	c, err := instore.NewClient(key, opts...)
	if err != nil {
		return nil, configErrorf("omise: %v", err)
	}
	return c, nil
}

// required returns the values of the variables names, or a configuration
// error naming the first that is unset.
func required(getenv func(string) string, acquirer string, names ...string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		if out[i] = getenv(n); out[i] == "" {
			return nil, configErrorf("%s: %s is not set", acquirer, n)
		}
	}
	return out, nil
}

func alipayPlusFromEnv(getenv func(string) string) (*alipayplus.Acquirer, error) {
	v, err := required(getenv, "alipayplus", envAlipayPrivateKeyFile, envAlipayPublicKeyFile,
		envAlipayMerchantID, envAlipayMerchantName, envAlipayMerchantMCC)
	if err != nil {
		return nil, err
	}
	keyPEM, err := os.ReadFile(v[0])
	if err != nil {
		return nil, configErrorf("alipayplus: reading %s: %v", envAlipayPrivateKeyFile, err)
	}
	key, err := alipayplus.ParsePrivateKey(string(keyPEM))
	if err != nil {
		return nil, configErrorf("alipayplus: %s: %v", envAlipayPrivateKeyFile, err)
	}
	pubPEM, err := os.ReadFile(v[1])
	if err != nil {
		return nil, configErrorf("alipayplus: reading %s: %v", envAlipayPublicKeyFile, err)
	}
	pub, err := alipayplus.ParsePublicKey(string(pubPEM))
	if err != nil {
		return nil, configErrorf("alipayplus: %s: %v", envAlipayPublicKeyFile, err)
	}
	var opts []alipayplus.Option
	if u := getenv(envAlipayBaseURL); u != "" {
		opts = append(opts, alipayplus.WithBaseURL(u))
	}
	switch f := strings.ToLower(getenv(envAlipayFlavor)); f {
	case "":
	case string(alipayplus.FlavorAntom), string(alipayplus.FlavorACQP):
		opts = append(opts, alipayplus.WithFlavor(alipayplus.Flavor(f)))
	default:
		return nil, configErrorf("alipayplus: %s must be %s or %s", envAlipayFlavor, alipayplus.FlavorAntom, alipayplus.FlavorACQP)
	}
	client, err := alipayplus.NewClient(getenv(envAlipayClientID), key, pub, opts...)
	if err != nil {
		return nil, configErrorf("%v", err)
	}
	store := alipayplus.Store{ReferenceStoreID: getenv(envAlipayStoreID), Name: getenv(envAlipayStoreName), MCC: getenv(envAlipayStoreMCC)}
	if store.MCC == "" {
		store.MCC = v[4]
	}
	acq, err := alipayplus.NewAcquirer(client, alipayplus.AcquirerConfig{
		Merchant: alipayplus.Merchant{ReferenceMerchantID: v[2], Name: v[3], MCC: v[4], Store: store},
	})
	if err != nil {
		return nil, configErrorf("%v", err)
	}
	return acq, nil
}

func pproFromEnv(getenv func(string) string) (*ppro.Acquirer, error) {
	v, err := required(getenv, "ppro", envPPROPassword, envPPROContractID, envPPROChannel, envPPRONotificationURL)
	if err != nil {
		return nil, err
	}
	cred := ppro.Credentials{Login: getenv(envPPROLogin), Password: v[0], ContractID: v[1], Channel: v[2]}
	var opts []ppro.Option
	if u := getenv(envPPROBaseURL); u != "" {
		opts = append(opts, ppro.WithBaseURL(u))
	}
	hc, err := pproHTTPClient(getenv)
	if err != nil {
		return nil, err
	}
	if hc != nil {
		opts = append(opts, ppro.WithHTTPClient(hc))
	}
	client, err := ppro.NewClient(cred, opts...)
	if err != nil {
		return nil, configErrorf("%v", err)
	}
	acq, err := ppro.NewAcquirer(client, ppro.AcquirerConfig{NotificationURL: v[3]})
	if err != nil {
		return nil, configErrorf("%v", err)
	}
	return acq, nil
}

// pproHTTPClient is the HTTP client with the TLS client certificate PPRO
// requires, or nil when none is configured.
func pproHTTPClient(getenv func(string) string) (*http.Client, error) {
	certFile, keyFile, caFile := getenv(envPPROCertFile), getenv(envPPROKeyFile), getenv(envPPROCAFile)
	if certFile == "" && keyFile == "" && caFile == "" {
		return nil, nil
	}
	if certFile == "" || keyFile == "" {
		return nil, configErrorf("ppro: %s and %s go together", envPPROCertFile, envPPROKeyFile)
	}
	cert, err := tls.LoadX509KeyPair(certFile, keyFile)
	if err != nil {
		return nil, configErrorf("ppro: the TLS client certificate: %v", err)
	}
	roots, err := x509.SystemCertPool()
	if err != nil {
		roots = x509.NewCertPool()
	}
	if caFile != "" {
		ca, err := os.ReadFile(caFile) //nolint:gosec // G304: the operator names the file
		if err != nil {
			return nil, configErrorf("ppro: reading %s: %v", envPPROCAFile, err)
		}
		if !roots.AppendCertsFromPEM(ca) {
			return nil, configErrorf("ppro: %s holds no PEM certificate", envPPROCAFile)
		}
	}
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.TLSClientConfig = &tls.Config{Certificates: []tls.Certificate{cert}, RootCAs: roots, MinVersion: tls.VersionTLS12}
	return &http.Client{Transport: tr}, nil
}
