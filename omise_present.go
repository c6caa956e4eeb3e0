package instore

import (
	"context"
	"path"
	"strings"
)

var (
	_ Presenter      = (*OmiseAcquirer)(nil)
	_ QRImageFetcher = (*OmiseAcquirer)(nil)
)

// presentedSourceType picks the Omise source type of a merchant-presented
// sale: the route's method, or by wallet when the acquirer is used without
// a route.
func presentedSourceType(req *PayRequest) (SourceType, error) {
	st := SourceType(req.Method)
	if st == "" {
		switch req.Code.Wallet {
		case WalletAlipay:
			st = SourceAlipayPlusMPM
		case WalletWeChatPay:
			st = SourceWeChatPayMPM
		}
	}
	if st != SourceAlipayPlusMPM && st != SourceWeChatPayMPM {
		return "", invalidParams("method " + string(req.Method) + " is not a merchant-presented source type")
	}
	return st, nil
}

// Present creates a source of the route's method (alipayplus_mpm or
// wechat_pay_mpm), with the public key when the client has one, then a
// charge of it with the RequestID in its metadata, as the Omise MPM guide
// describes. The QR code is the image of the charge's source
// (scannable_code.image); its expiry is the charge's expires_at. A failed
// source creation moves no money, but its error may still match
// ErrOutcomeUnknown: the Checkout then looks for a charge, finds none and
// reports the sale cancelled.
func (a *OmiseAcquirer) Present(ctx context.Context, req *PayRequest) (*Payment, *QRCode, error) {
	if req == nil {
		return nil, nil, invalidParams("nil pay request")
	}
	st, err := presentedSourceType(req)
	if err != nil {
		return nil, nil, err
	}
	src, err := a.client.Sources.Create(ctx, &SourceParams{
		Type:     st,
		Amount:   req.Amount.Amount,
		Currency: req.Amount.Currency,
	})
	if err != nil {
		return nil, nil, err
	}
	metadata := make(map[string]string, len(req.Metadata)+1)
	for k, v := range req.Metadata {
		metadata[k] = v
	}
	metadata[RequestIDMetadataKey] = req.RequestID
	params := &ChargeParams{
		Amount:      req.Amount.Amount,
		Currency:    req.Amount.Currency,
		SourceID:    src.ID,
		Description: req.Description,
		Metadata:    metadata,
	}
	if !req.ExpiresAt.IsZero() {
		t := req.ExpiresAt
		params.ExpiresAt = &t
	}
	ch, err := a.client.Charges.Create(ctx, params)
	if err != nil {
		return nil, nil, err
	}
	return a.fromCharge(ch), qrOf(ch), nil
}

// FetchQRImage downloads a QR code image with the client's secret key
// (Client.Documents.Download).
func (a *OmiseAcquirer) FetchQRImage(ctx context.Context, uri string) ([]byte, error) {
	return a.client.Documents.Download(ctx, uri)
}

// qrOf reads the QR code of an MPM charge; nil when it has none.
func qrOf(ch *Charge) *QRCode {
	if ch.Source == nil || ch.Source.ScannableCode == nil || ch.Source.ScannableCode.Image == nil {
		return nil
	}
	img := ch.Source.ScannableCode.Image
	if img.DownloadURI == "" {
		return nil
	}
	qr := &QRCode{ImageURI: img.DownloadURI, ImageType: imageType(img.Filename)}
	switch {
	case ch.ExpiresAt != nil:
		qr.ExpiresAt = *ch.ExpiresAt
	case ch.Source.References != nil && ch.Source.References.ExpiresAt != nil:
		qr.ExpiresAt = *ch.Source.References.ExpiresAt
	}
	return qr
}

// imageType names the media type of a document by its filename; Omise's
// QR codes are qrcode.svg in the MPM guide.
func imageType(filename string) string {
	switch strings.ToLower(path.Ext(filename)) {
	case ".svg":
		return "image/svg+xml"
	case ".png":
		return "image/png"
	case ".jpg", ".jpeg":
		return "image/jpeg"
	}
	return ""
}
