package instoretest_test

import (
	"errors"
	"io"
	"net/http"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/instorepay/instore/instoretest"
)

// A dropped connection ends with a FIN, or with a TCP RST when Fault.Reset
// is set: the client reads an EOF in the first case and ECONNRESET in the
// second, over the socket and in process alike. Either way the charge was
// made, and net/http does not send the POST again.
func TestDroppedConnectionFINOrRST(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name      string
		fault     instoretest.Fault
		processed int
		reset     bool
	}{
		{"drop after, FIN", instoretest.Fault{Kind: instoretest.FaultDropAfter}, 1, false},
		{"drop after, RST", instoretest.Fault{Kind: instoretest.FaultDropAfter, Reset: true}, 1, true},
		{"drop before, RST", instoretest.Fault{Kind: instoretest.FaultDropBefore, Reset: true}, 0, true},
		{"truncated, RST", instoretest.Fault{Kind: instoretest.FaultTruncated, Reset: true}, 1, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			o := instoretest.NewOmiseT(t)
			for i, tg := range targets(t, o) {
				sale := tg.name + "-" + tt.name
				o.InjectFault(instoretest.OmiseCreateCharge, 1, tt.fault)
				_, _, err := omiseCall(t.Context(), tg, o.SecretKey(), http.MethodPost, "/charges",
					chargeForm(instoretest.AlipayCode(instoretest.Succeed, uint64(i)), 10000, sale))
				require.Error(t, err, sale)
				if tt.reset {
					require.ErrorIs(t, err, syscall.ECONNRESET, sale)
				} else {
					require.NotErrorIs(t, err, syscall.ECONNRESET, sale)
					if tg.name == "socket" {
						assert.True(t, errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF), "%s: %v", sale, err)
					}
				}
				assert.Len(t, o.Payments(sale), tt.processed, sale)
			}
		})
	}
}
