package instore_test

import (
	"errors"
	"fmt"

	"github.com/instorepay/instore"
)

// A scanner sends the digits and a CR/LF; the classifier drops those, tells
// the wallet family, and the code prints masked wherever it is logged.
func ExampleClassifyPaymentCode() {
	for _, scanned := range []string{
		"135112298638468293\r\n",     // WeChat Pay
		"2893 6122 0426 3667 830",    // Alipay+ 19-digit, typed in groups
		"281010897274821897274821\n", // Alipay+ CGCP, routing number 010
	} {
		code, err := instore.ClassifyPaymentCode(scanned)
		if err != nil {
			fmt.Println(err)
			continue
		}
		fmt.Printf("%-10s %-15s %3s %v\n", code.Wallet, code.Format, code.RoutingNumber, code)
	}

	_, err := instore.ClassifyPaymentCode("9000 8181 8800 0000 0000 0000") // a Japanese domestic code
	fmt.Println(errors.Is(err, instore.ErrUnknownWallet), err)
	_, err = instore.ClassifyPaymentCode("https://qr.alipay.com/x") // a QR link, not a payment code
	fmt.Println(errors.Is(err, instore.ErrInvalidPaymentCode), err)
	// Output:
	// wechat_pay wechat_pay          1351**********8293
	// alipay     alipayplus_19       2893***********7830
	// alipay     alipayplus_cgcp 010 2810****************4821
	// true instore: payment code of an unknown wallet: 24 digits match no rule
	// true instore: invalid payment code: unexpected character at offset 0
}
