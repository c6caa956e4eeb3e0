package instore_test

import (
	"github.com/instorepay/instore"
	"github.com/instorepay/instore/alipayplus"
	"github.com/instorepay/instore/instoreotel"
	"github.com/instorepay/instore/instoretest"
	"github.com/instorepay/instore/internal/flood"
	"github.com/instorepay/instore/internal/h2fault"
	"github.com/instorepay/instore/internal/hostile"
	"github.com/instorepay/instore/internal/inflight"
	"github.com/instorepay/instore/internal/rsasig"
	"github.com/instorepay/instore/internal/transport"
	"github.com/instorepay/instore/journal"
	"github.com/instorepay/instore/ppro"
)

// printRegistry holds a zero value of every exported struct type of the
// module, for TestNothingPrintsASecret to fill and print. The test parses
// the module and fails when a type is missing here: add it, and if it holds
// strings, decide which of them may print (publicFields).
func printRegistry() map[string]any {
	return map[string]any{
		"alipayplus.Acquirer":              alipayplus.Acquirer{},
		"alipayplus.AcquirerConfig":        alipayplus.AcquirerConfig{},
		"alipayplus.CancelRequest":         alipayplus.CancelRequest{},
		"alipayplus.CancelResponse":        alipayplus.CancelResponse{},
		"alipayplus.Client":                alipayplus.Client{},
		"alipayplus.CodeDetail":            alipayplus.CodeDetail{},
		"alipayplus.Error":                 alipayplus.Error{},
		"alipayplus.InquiryRequest":        alipayplus.InquiryRequest{},
		"alipayplus.InquiryResponse":       alipayplus.InquiryResponse{},
		"alipayplus.Merchant":              alipayplus.Merchant{},
		"alipayplus.Notification":          alipayplus.Notification{},
		"alipayplus.Order":                 alipayplus.Order{},
		"alipayplus.OrderCodeForm":         alipayplus.OrderCodeForm{},
		"alipayplus.PSPCustomerInfo":       alipayplus.PSPCustomerInfo{},
		"alipayplus.PayRequest":            alipayplus.PayRequest{},
		"alipayplus.PayResponse":           alipayplus.PayResponse{},
		"alipayplus.RefundRequest":         alipayplus.RefundRequest{},
		"alipayplus.RefusedError":          alipayplus.RefusedError{},
		"alipayplus.RefundResponse":        alipayplus.RefundResponse{},
		"alipayplus.Result":                alipayplus.Result{},
		"alipayplus.Store":                 alipayplus.Store{},
		"alipayplus.UnverifiedResultError": alipayplus.UnverifiedResultError{},
		"alipayplus.ValidationError":       alipayplus.ValidationError{},
		"flood.Counter":                    flood.Counter{},
		"flood.Delivery":                   flood.Delivery{},
		"hostile.Script":                   hostile.Script{},
		"hostile.Server":                   hostile.Server{},
		"inflight.Set":                     inflight.Set{},
		"instore.APIError":                 instore.APIError{},
		"instore.Charge":                   instore.Charge{},
		"instore.ChargeParams":             instore.ChargeParams{},
		"instore.ChargeService":            instore.ChargeService{},
		"instore.Checkout":                 instore.Checkout{},
		"instore.CallInfo":                 instore.CallInfo{},
		"instore.MemoryJournal":            instore.MemoryJournal{},
		"instore.PaymentNotFoundError":     instore.PaymentNotFoundError{},
		"instore.RecoveredSale":            instore.RecoveredSale{},
		"instore.RecoveryReport":           instore.RecoveryReport{},
		"instore.SaleInfo":                 instore.SaleInfo{},
		"instoretest.ChaosMix":             instoretest.ChaosMix{},
		"instoretest.RefundEntry":          instoretest.RefundEntry{},
		"journal.SchemaVersionError":       journal.SchemaVersionError{},
		"journal.Store":                    journal.Store{},
		"instoreotel.Observer":             instoreotel.Observer{},
		"h2fault.Answer":                   h2fault.Answer{},
		"h2fault.Server":                   h2fault.Server{},
		"instore.Client":                   instore.Client{},
		"instore.CollectRequest":           instore.CollectRequest{},
		"instore.DecodeError":              instore.DecodeError{},
		"instore.Document":                 instore.Document{},
		"instore.DocumentService":          instore.DocumentService{},
		"instore.Event":                    instore.Event{},
		"instore.EventService":             instore.EventService{},
		"instore.Limit":                    instore.Limit{},
		"instore.LimitError":               instore.LimitError{},
		"instore.Limits":                   instore.Limits{},
		"instore.List":                     instore.List[instore.Charge]{},
		"instore.ListParams":               instore.ListParams{},
		"instore.MemoryDedupStore":         instore.MemoryDedupStore{},
		"instore.Money":                    instore.Money{},
		"instore.OmiseAcquirer":            instore.OmiseAcquirer{},
		"instore.OmiseAcquirerConfig":      instore.OmiseAcquirerConfig{},
		"instore.PayRequest":               instore.PayRequest{},
		"instore.Payment":                  instore.Payment{},
		"instore.PaymentCode":              instore.PaymentCode{},
		"instore.PlatformFee":              instore.PlatformFee{},
		"instore.PresentError":             instore.PresentError{},
		"instore.PresentRequest":           instore.PresentRequest{},
		"instore.Presentment":              instore.Presentment{},
		"instore.Progress":                 instore.Progress{},
		"instore.QRCode":                   instore.QRCode{},
		"instore.References":               instore.References{},
		"instore.Refund":                   instore.Refund{},
		"instore.RefundParams":             instore.RefundParams{},
		"instore.RefundRecord":             instore.RefundRecord{},
		"instore.RefundService":            instore.RefundService{},
		"instore.Sale":                     instore.Sale{},
		"instore.SaleEvent":                instore.SaleEvent{},
		"instore.SaleQuery":                instore.SaleQuery{},
		"instore.ScannableCode":            instore.ScannableCode{},
		"instore.Schedule":                 instore.Schedule{},
		"instore.Source":                   instore.Source{},
		"instore.SourceParams":             instore.SourceParams{},
		"instore.SourceService":            instore.SourceService{},
		"instore.Store":                    instore.Store{},
		"instore.TransactionFees":          instore.TransactionFees{},
		"instore.UnresolvedError":          instore.UnresolvedError{},
		"instore.WalletMinimum":            instore.WalletMinimum{},
		"instore.WebhookDelivery":          instore.WebhookDelivery{},
		"instoretest.AlipayPlus":           instoretest.AlipayPlus{},
		"instoretest.AlipayPlusKeys":       instoretest.AlipayPlusKeys{},
		"instoretest.Delivery":             instoretest.Delivery{},
		"instoretest.Fault":                instoretest.Fault{},
		"instoretest.LedgerEntry":          instoretest.LedgerEntry{},
		"instoretest.Omise":                instoretest.Omise{},
		"instoretest.PPRO":                 instoretest.PPRO{},
		"instoretest.Plan":                 instoretest.Plan{},
		"instoretest.RandomFault":          instoretest.RandomFault{},
		"instoretest.Request":              instoretest.Request{},
		"ppro.Acquirer":                    ppro.Acquirer{},
		"ppro.AcquirerConfig":              ppro.AcquirerConfig{},
		"ppro.Client":                      ppro.Client{},
		"ppro.Credentials":                 ppro.Credentials{},
		"ppro.Error":                       ppro.Error{},
		"ppro.Notification":                ppro.Notification{},
		"ppro.RefundRequest":               ppro.RefundRequest{},
		"ppro.RefundResponse":              ppro.RefundResponse{},
		"ppro.RefundStatusResponse":        ppro.RefundStatusResponse{},
		"ppro.RequestError":                ppro.RequestError{},
		"ppro.StatusResponse":              ppro.StatusResponse{},
		"ppro.TransactionRequest":          ppro.TransactionRequest{},
		"ppro.TransactionResponse":         ppro.TransactionResponse{},
		"ppro.ValidationError":             ppro.ValidationError{},
		"rsasig.Header":                    rsasig.Header{},
		"rsasig.Message":                   rsasig.Message{},
		"transport.Client":                 transport.Client{},
		"transport.Config":                 transport.Config{},
		"transport.Error":                  transport.Error{},
		"transport.Request":                transport.Request{},
		"transport.Response":               transport.Response{},
	}
}

// publicFields lists, per type, the string-like fields reviewed as fit to
// print as they are: ids, statuses, names, URLs without secrets, messages the
// clients sanitise as they decode them. Every other string-like field of
// every type is taken to hold a secret, so a field added later is secret
// until someone decides otherwise here.
var publicFields = map[string]string{
	// The root package. Ids, statuses, names and URLs; text from the
	// acquirer is sanitised as it is decoded (FailureMessage, Message);
	// Metadata is the caller's own. Document.DownloadURI and
	// QRCode.ImageURI end in a token, but it fetches nothing without the
	// secret key, and the image it fetches is shown to the customer anyway.
	"instore.APIError":     "Code Message Location RequestID",
	"instore.Charge":       "Object ID Location Description Metadata FailureMessage Transaction ReturnURI AuthorizeURI IP Card Customer Dispute Link Schedule Branch Terminal Device",
	"instore.ChargeParams": "SourceID Description Metadata ReturnURI",
	"instore.Checkout":     "acquirers waiting owner",
	// Request ids, as a journal keys its sales and refunds.
	"instore.MemoryJournal": "sales refunds pinned",
	// instoretest's ledger of refunds: ids and the currency.
	"instoretest.RefundEntry": "RequestID RefundRequestID ID PaymentID Currency",
	// The journal's owner name, schema and SQL text. The DSN, which may
	// hold a password, is not kept.
	"journal.Store":   "owner schema",
	"journal.dialect": "name timeType",
	"journal.queries": "createSchemaVersion insertEvent insertRefund insertSale listSales prefix refundExists saleExists schemaVersion selectEvents selectRefund selectSale selectSaleRefunds setSchemaVersion stale updateRefund updateSale",
	// A test server's canned answer and what it was sent.
	"h2fault.Answer":               "ContentType Body",
	"h2fault.Server":               "URL bodies",
	"instore.collect":              "otherID",
	"instore.SaleInfo":             "RequestID Acquirer RefundRequestID",
	"instore.PaymentNotFoundError": "Code Message",
	"instore.RecoveredSale":        "RequestID Acquirer",
	"instore.Client":               "baseURL apiVersion userAgent",
	"instore.CollectRequest":       "RequestID Description Metadata",
	"instore.DecodeError":          "RequestID",
	"instore.Document":             "Object ID Location Filename Kind DownloadURI",
	"instore.Event":                "Object ID Location Key TeamUID ActorUID UserUID",
	"instore.List":                 "Object Location",
	"instore.MemoryDedupStore":     "ids",
	"instore.PayRequest":           "RequestID Description Metadata",
	"instore.Payment":              "Acquirer ID RequestID FailureCode FailureMessage",
	"instore.PaymentCode":          "RoutingNumber",
	"instore.PlatformFee":          "Percentage",
	"instore.PresentRequest":       "RequestID Description Metadata",
	"instore.Progress":             "RequestID Acquirer PaymentID",
	"instore.QRCode":               "Content ImageURI ImageType",
	"instore.References":           "DeviceID VACode OmiseTaxID Reference1 Reference2 CustomerExchangeRate",
	"instore.Refund":               "Object ID Location Charge Transaction Metadata AcquirerReferenceNumber ApprovalCode MerchantName MerchantUID",
	"instore.RefundParams":         "Metadata",
	"instore.RefundRecord":         "RefundRequestID RequestID Acquirer RefundID FailureCode FailureMessage Owner",
	// MaskedCode is the code as PaymentCode.String shows it.
	"instore.Sale":            "RequestID Acquirer PaymentID MaskedCode FailureCode FailureMessage Owner",
	"instore.SaleEvent":       "PaymentID Owner",
	"instore.SaleQuery":       "Acquirer StoreID",
	"instore.ScannableCode":   "Object Type",
	"instore.Source":          "Object ID Location StoreID StoreName TerminalID Bank Email Name MobileNumber PhoneNumber IP PlatformType AbsorptionType Billing Shipping Items Discounts ProviderReferences",
	"instore.SourceParams":    "StoreID StoreName TerminalID",
	"instore.Store":           "ID Name MCC TerminalID",
	"instore.TransactionFees": "FeeFlat FeeRate VATRate",
	"instore.WalletMinimum":   "PaymentMethodType",
	"instore.WebhookDelivery": "Object ID URI Key Error",
	"instore.waiter":          "requestID",

	// alipayplus. Customer identifiers (PSPCustomerID, CustomerID) are the
	// gateway's answer to the merchant, not secrets; resultMessage is
	// sanitised as it is decoded. CodeValue is an order code the till
	// shows the customer.
	"alipayplus.AcquirerConfig":        "TerminalID NotifyURL",
	"alipayplus.CancelRequest":         "PaymentRequestID PaymentID",
	"alipayplus.CancelResponse":        "PaymentRequestID PaymentID PSPID AcquirerID",
	"alipayplus.Client":                "clientID",
	"alipayplus.CodeDetail":            "CodeValueType CodeValue DisplayType",
	"alipayplus.Error":                 "Op",
	"alipayplus.InquiryRequest":        "PaymentRequestID PaymentID",
	"alipayplus.InquiryResponse":       "PaymentRequestID PaymentID WalletBrandName CustomerID PSPID AcquirerID",
	"alipayplus.Merchant":              "ReferenceMerchantID Name MCC",
	"alipayplus.Notification":          "NotifyType PaymentRequestID PaymentID WalletBrandName CustomerID PSPID AcquirerID",
	"alipayplus.Order":                 "ReferenceOrderID Description",
	"alipayplus.OrderCodeForm":         "PaymentMethodType ExtendInfo",
	"alipayplus.PSPCustomerInfo":       "PSPName PSPCustomerID DisplayCustomerID",
	"alipayplus.PayRequest":            "PaymentRequestID TerminalID NotifyURL",
	"alipayplus.PayResponse":           "PaymentRequestID PaymentID WalletBrandName CustomerID PSPID AcquirerID",
	"alipayplus.RefundRequest":         "RefundRequestID PaymentID PaymentRequestID Reason",
	"alipayplus.RefundResponse":        "RefundRequestID RefundID PaymentID PSPID AcquirerID",
	"alipayplus.RefusedError":          "Op",
	"alipayplus.Result":                "ResultMessage",
	"alipayplus.Store":                 "ReferenceStoreID Name MCC",
	"alipayplus.UnverifiedResultError": "Op",
	"alipayplus.ValidationError":       "Op Field Reason",
	"alipayplus.endpoint":              "name path url",

	// ppro. ERRMSG (ErrMsg, Message) is sanitised as it is parsed; the
	// password is cut from every value of an answer.
	"ppro.AcquirerConfig":      "NotificationURL CountryCode StoreID StoreName",
	"ppro.Client":              "url header",
	"ppro.Credentials":         "Login ContractID Channel",
	"ppro.Error":               "Op",
	"ppro.Notification":        "TxID FinalTimestamp",
	"ppro.RefundRequest":       "TxID MerchantRefundID DynamicDescriptor",
	"ppro.RefundResponse":      "RefundID MerchantRefundID ErrMsg SpecOut Other",
	"ppro.RequestError":        "Op Message",
	"ppro.TransactionRequest":  "MerchantTxID CountryCode StoreID StoreName NotificationURL DynamicDescriptor AccountHolderName MerchantRedirectURL",
	"ppro.TransactionResponse": "TxID MerchantTxID ErrMsg Channel Tag RedirectURL SpecOut Other",
	"ppro.ValidationError":     "Op Field Reason",

	// instoretest: what a test reads back; the simulators' keys, codes and
	// raw requests are not listed.
	"instoretest.AlipayPlus":  "clientID",
	"instoretest.Delivery":    "URL Key EventID Err",
	"instoretest.LedgerEntry": "RequestID ID Currency FailureCode",
	"instoretest.Plan":        "FailureCode",
	"instoretest.Request":     "Path Query Key Method",

	// internal packages. The keys of inflight.Set are event ids and
	// notification keys.
	"inflight.Set":      "running",
	"hostile.Server":    "bomb",
	"flood.Counter":     "n",
	"flood.Delivery":    "Kind",
	"rsasig.Header":     "Algorithm KeyVersion",
	"rsasig.Message":    "Method Path ClientID Time",
	"transport.Client":  "userAgent service",
	"transport.Config":  "UserAgent Service",
	"transport.Error":   "Method Path",
	"transport.Request": "Method URL RequestID LogPath",
}

// shapeMaskedFields lists the fields that print through redact's masks:
// raw JSON from Omise, where the code can only be a run of digits and a key
// only a key shape, never a password. The test fills them with the
// sentinels a mask finds.
var shapeMaskedFields = map[string]string{
	"instore.Event":           "Data",
	"instore.WebhookDelivery": "Payload",
}
