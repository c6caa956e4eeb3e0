package instore_test

import (
	"context"
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"go/ast"
	"reflect"
	"slices"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/instoretest"
	"github.com/instorepay/instore/ppro"
)

// TestConstructedValuesPrintNoSecret builds the values that hold secrets
// the way a user does, with the constructors and sentinel keys, and prints
// each of them, and the handlers and acquirers built on them, every way.
func TestConstructedValuesPrintNoSecret(t *testing.T) {
	t.Parallel()
	const (
		secretKey = "skey_test_SENTINELsecret"
		publicKey = "pkey_test_SENTINELpublic"
		password  = "SENTINEL-pa55word!"
		code      = "281234567890123456789012"
	)
	webhookRaw := "SENTINEL-webhook-secret"
	webhookSecret := base64.StdEncoding.EncodeToString([]byte(webhookRaw))
	forms := slices.Concat(leakForms(secretKey), leakForms(publicKey), leakForms(password), leakForms(code),
		leakForms(webhookRaw), leakForms(webhookSecret), keyForms())

	omise, err := instore.NewClient(secretKey, instore.WithPublicKey(publicKey))
	require.NoError(t, err)
	omiseAcq, err := instore.NewOmiseAcquirer(omise, instore.OmiseAcquirerConfig{})
	require.NoError(t, err)
	checkout, err := instore.NewCheckout(instore.WithRoute(instore.WalletAlipay, omiseAcq, instore.MethodAlipayPlusUPM))
	require.NoError(t, err)
	pc, err := instore.ClassifyPaymentCode(code)
	require.NoError(t, err)
	noop := func(context.Context, *instore.Event) error { return nil }

	alipayKey := sentinelKey()
	ap, err := alipayplus.NewClient("SANDBOX_CLIENT", alipayKey, &alipayOtherKey().PublicKey)
	require.NoError(t, err)
	apAcq, err := alipayplus.NewAcquirer(ap, alipayplus.AcquirerConfig{
		Merchant:   alipayplus.Merchant{ReferenceMerchantID: "M-1", Name: "Shop", MCC: "5814", Store: alipayplus.Store{ReferenceStoreID: "S-1", Name: "Store", MCC: "5814"}},
		TerminalID: "till-1",
	})
	require.NoError(t, err)

	cred := ppro.Credentials{Login: "login", Password: password, ContractID: "contract", Channel: "testchannel"}
	pp, err := ppro.NewClient(cred)
	require.NoError(t, err)
	ppAcq, err := ppro.NewAcquirer(pp, ppro.AcquirerConfig{NotificationURL: "https://pos.example/ppro", StoreID: "ZRH-01", StoreName: "Zürich"})
	require.NoError(t, err)

	simOmise := instoretest.NewOmise(instoretest.WithOmiseKeys(publicKey, secretKey), instoretest.WithWebhookSecret(webhookSecret))
	t.Cleanup(simOmise.Close)
	simPPRO := instoretest.NewPPRO(instoretest.WithPPROCredentials(cred), instoretest.WithPPRONotificationSecret(password))
	t.Cleanup(simPPRO.Close)
	keys := &instoretest.AlipayPlusKeys{Merchant: alipayKey, Alipay: alipayOtherKey()}
	simAP := instoretest.NewAlipayPlus(instoretest.WithAlipayPlusKeys(keys))
	t.Cleanup(simAP.Close)

	values := map[string]any{
		"instore.Client":             omise,
		"instore.OmiseAcquirer":      omiseAcq,
		"instore.Checkout":           checkout,
		"instore.Charges":            omise.Charges,
		"instore.PaymentCode":        pc,
		"instore.CollectRequest":     &instore.CollectRequest{Code: code, RequestID: "r1"},
		"instore.PayRequest":         &instore.PayRequest{Code: pc, RequestID: "r1"},
		"instore.ChargeParams":       &instore.ChargeParams{Amount: 100, Currency: instore.THB, Source: &instore.SourceParams{Type: instore.SourceAlipayPlusUPM, Barcode: code}},
		"instore.WebhookHandler":     instore.WebhookHandler([]string{webhookSecret}, noop),
		"alipayplus.Client":          ap,
		"alipayplus.Acquirer":        apAcq,
		"alipayplus.PayRequest":      &alipayplus.PayRequest{PaymentRequestID: "r1", PaymentCode: code},
		"alipayplus.NotifyHandler":   ap.NotifyHandler(func(context.Context, *alipayplus.Notification) error { return nil }),
		"ppro.Credentials":           cred,
		"ppro.Client":                pp,
		"ppro.Acquirer":              ppAcq,
		"ppro.TransactionRequest":    &ppro.TransactionRequest{MerchantTxID: "r1", BuyerIdentityCode: code},
		"ppro.NotificationHandler":   pp.NotificationHandler([]string{password}, func(context.Context, *ppro.Notification) error { return nil }),
		"instoretest.Omise":          simOmise,
		"instoretest.PPRO":           simPPRO,
		"instoretest.AlipayPlus":     simAP,
		"instoretest.AlipayPlusKeys": keys,
	}
	for name, v := range values {
		assert.Empty(t, leaks(t, v, forms), "%s prints a secret", name)
		// What the pointer points at, for an exported type: the handlers'
		// types are unexported, and no user can hold their values.
		if rv := reflect.ValueOf(v); rv.Kind() == reflect.Pointer && ast.IsExported(rv.Elem().Type().Name()) {
			assert.Empty(t, leaks(t, rv.Elem().Interface(), forms), "*%s prints a secret", name)
		}
	}
}

// alipayOtherKey is a second key, for the Alipay side of a client.
var alipayOtherKey = sync.OnceValue(func() *rsa.PrivateKey {
	k, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		panic(err)
	}
	return k
})
