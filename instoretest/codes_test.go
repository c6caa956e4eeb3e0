package instoretest_test

import (
	"testing"
	"time"

	"github.com/instorepay/instore"
	"github.com/instorepay/instore/instoretest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The test codes must pass the SDK's own classifier, or no checkout test
// could use them.
func TestCodesClassify(t *testing.T) {
	t.Parallel()
	outcomes := []instoretest.Outcome{
		instoretest.Succeed, instoretest.NeverCompletes, instoretest.DeclineAccount,
		instoretest.ConfirmOnInquiry(0), instoretest.ConfirmOnInquiry(12), instoretest.ConfirmAfter(3 * time.Second),
		instoretest.DeclineOnInquiry(instoretest.DeclineRejected), "x", "123",
	}
	for _, o := range outcomes {
		for _, serial := range []uint64{0, 1, 99_999_999_999_999, 1 << 63} {
			a := instoretest.AlipayCode(o, serial)
			pc, err := instore.ClassifyPaymentCode(a)
			require.NoError(t, err, a)
			assert.Equal(t, instore.WalletAlipay, pc.Wallet, a)

			w := instoretest.WeChatCode(o, serial)
			pc, err = instore.ClassifyPaymentCode(w)
			require.NoError(t, err, w)
			assert.Equal(t, instore.WalletWeChatPay, pc.Wallet, w)
		}
	}
	assert.Equal(t, instoretest.Outcome("11"), instoretest.ConfirmOnInquiry(0))
	assert.Equal(t, instoretest.Outcome("19"), instoretest.ConfirmOnInquiry(12))
	assert.Equal(t, instoretest.Outcome("23"), instoretest.ConfirmAfter(2500*time.Millisecond))
	assert.Equal(t, instoretest.Outcome("44"), instoretest.DeclineOnInquiry(instoretest.DeclineRejected))
	assert.Equal(t, instoretest.Succeed, instoretest.DeclineOnInquiry(instoretest.Succeed))
	assert.NotEqual(t, instoretest.AlipayCode(instoretest.Succeed, 1), instoretest.AlipayCode(instoretest.Succeed, 2))
}
